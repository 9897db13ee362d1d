// What may be printed about a PostgreSQL connection string: host, port and
// database, never the password, user options or the string itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace publisher {

// "host=db1 port=5432 dbname=profiles" for a key=value string or a URI (the
// parts it sets; PG* environment variables fill in the rest at connect time).
// nullopt if libpq cannot parse it; the reason is not returned because
// libpq's message quotes the string back, password and all.
std::optional<std::string> describe_conninfo(const std::string& conninfo);

// True if a failed connection attempt will fail the same way on retry (bad
// password, unknown database or role, no pg_hba.conf entry, unresolvable
// host), so the publisher should stop with a clear message instead of
// retrying forever. Refused connections, timeouts and a server that is
// starting or shutting down are transient.
bool connect_error_is_permanent(std::string_view libpq_message);

}  // namespace publisher
