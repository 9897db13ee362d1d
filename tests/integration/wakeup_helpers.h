// wakeup_helpers.h: what the wake-up tests share: users and events, databases
// of their own, and writers held inside their commit window.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "pg_session.h"

// A new user, written in its own transaction (one event).
std::string make_user(PgSession& db);
void mark_all_published(PgSession& db);
long notifies_sent(PgSession& db);
int drain_notifications(PgSession& db, std::chrono::milliseconds quiet);

// The preloaded cluster's connection string with another database.
std::string conninfo_for_database(const std::string& name);

// A database of the preloaded cluster with the extension installed, dropped
// (with its sessions) when the test ends.
class ScratchDatabase {
 public:
  ScratchDatabase(PgSession& admin, std::string name);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  std::string conninfo() const { return conninfo_for_database(name_); }

 private:
  PgSession& admin_;
  std::string name_;
};

// While it lives, a commit with synchronous_commit = on waits for a standby
// that never comes: after its WAL flush, before it becomes visible, which
// holds a writer inside its commit window. Other sessions commit locally.
class StuckCommits {
 public:
  explicit StuckCommits(PgSession& admin);
  ~StuckCommits();
  StuckCommits(const StuckCommits&) = delete;
  StuckCommits& operator=(const StuckCommits&) = delete;

 private:
  PgSession& admin_;
};

// A writer of `user` in the database of `conninfo` whose commit waits inside
// its commit window (needs StuckCommits) until release(); stuck() says
// whether it got there. The destructor releases it.
class StuckWriter {
 public:
  StuckWriter(PgSession& admin, const std::string& conninfo, const std::string& user);
  ~StuckWriter();
  StuckWriter(const StuckWriter&) = delete;
  StuckWriter& operator=(const StuckWriter&) = delete;
  bool stuck() const { return stuck_; }
  // Cancels the wait: the commit, already local, becomes visible.
  void release();

 private:
  PgSession& admin_;
  PgSession writer_;
  std::string pid_;
  std::thread thread_;
  bool stuck_ = false;
};

// How often a local process has slept so far (voluntary context switches),
// read from /proc; nullopt when the server runs elsewhere.
std::optional<long> voluntary_context_switches(const std::string& pid);
