// The publisher needs a session of its own on PostgreSQL: LISTEN and a session-level advisory
// lock that must live exactly as long as this process's connection. A pooler in between (PgBouncer
// in transaction mode above all) hands each transaction to whichever server connection is free,
// so notifications go to another client's session and the leader lock stays behind on a pooled
// connection. The publisher therefore refuses to run through one.
//
// How a pooler shows itself: the BackendKeyData a server sends at login carries its backend pid,
// which libpq returns as PQbackendPID(). PgBouncer answers the login itself, with a random cancel
// key of its own (it maps cancel requests to the right server), so the pid the connection
// announced is not the pid pg_backend_pid() reports from the server. Comparing the two on one
// connection is deterministic; comparing pg_backend_pid() across transactions is not (an idle
// pool hands one client the same server connection again and again).
#pragma once

#include <optional>
#include <string>

namespace publisher {

// nullopt if the connection is direct (the two pids agree), else the message to stop with.
std::optional<std::string> pooler_refusal(int announced_pid, int server_pid);

}  // namespace publisher
