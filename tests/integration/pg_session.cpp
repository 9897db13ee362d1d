#include "pg_session.h"

#include <poll.h>

#include <cstdlib>
#include <random>
#include <stdexcept>

std::string test_conninfo(bool preloaded) {
  const char* name = preloaded ? "REALCHAT_TEST_DB" : "REALCHAT_TEST_DB_PLAIN";
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0')
    throw std::runtime_error(std::string(name) + " is not set: run the tests through scripts/test.sh");
  return value;
}

PgSession::PgSession(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn_);
    PQfinish(conn_);
    throw std::runtime_error("cannot connect: " + message);
  }
}

PgSession::~PgSession() { PQfinish(conn_); }

namespace {
struct Result {
  PGresult* res;
  ~Result() { PQclear(res); }
};

PGresult* run(PGconn* conn, const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  return PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                      nullptr, 0);
}
}  // namespace

std::vector<std::vector<std::string>> PgSession::query(const std::string& sql,
                                                       const std::vector<std::string>& params) {
  Result r{run(conn_, sql, params)};
  auto status = PQresultStatus(r.res);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    const char* state = PQresultErrorField(r.res, PG_DIAG_SQLSTATE);
    throw std::runtime_error(std::string(state ? state : "?????") + " " + PQresultErrorMessage(r.res));
  }
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < PQntuples(r.res); i++) {
    std::vector<std::string> row;
    for (int j = 0; j < PQnfields(r.res); j++) row.emplace_back(PQgetvalue(r.res, i, j));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string PgSession::scalar(const std::string& sql, const std::vector<std::string>& params) {
  auto rows = query(sql, params);
  if (rows.empty() || rows[0].empty()) throw std::runtime_error("no value from: " + sql);
  return rows[0][0];
}

std::string PgSession::try_exec(const std::string& sql, const std::vector<std::string>& params) {
  Result r{run(conn_, sql, params)};
  auto status = PQresultStatus(r.res);
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) return "";
  const char* state = PQresultErrorField(r.res, PG_DIAG_SQLSTATE);
  return state ? state : "?????";
}

std::optional<std::string> PgSession::wait_notify(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    PQconsumeInput(conn_);
    if (PGnotify* n = PQnotifies(conn_)) {
      std::string channel = n->relname;
      PQfreemem(n);
      return channel;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd pfd{PQsocket(conn_), POLLIN, 0};
    poll(&pfd, 1, static_cast<int>(left.count()));
  }
}

std::string random_uuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[37];
  snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
           static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
           static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}
