// pg_session.h: a small libpq connection for tests, failing the test on errors.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

// Connection string of the preloaded test cluster, or of the plain one.
std::string test_conninfo(bool preloaded = true);

class PgSession {
 public:
  explicit PgSession(const std::string& conninfo);
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  // Runs SQL with text parameters; throws std::runtime_error carrying the SQLSTATE on failure.
  std::vector<std::vector<std::string>> query(const std::string& sql, const std::vector<std::string>& params = {});
  std::string scalar(const std::string& sql, const std::vector<std::string>& params = {});

  // Runs SQL and returns its SQLSTATE ("" on success), for calls that may fail.
  std::string try_exec(const std::string& sql, const std::vector<std::string>& params = {});

  // Waits up to `timeout` for a NOTIFY on this connection; returns its channel.
  std::optional<std::string> wait_notify(std::chrono::milliseconds timeout);

 private:
  PGconn* conn_;
};

// A random version 4 uuid in text form.
std::string random_uuid();
