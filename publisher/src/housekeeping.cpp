#include "housekeeping.h"

#include <libpq-fe.h>

#include <cstdlib>

#include "log.h"
#include "outbox_db.h"

namespace publisher {

Housekeeping::Housekeeping(std::string conninfo, Millis retention, Metrics& metrics)
    : conninfo_(std::move(conninfo)), retention_(retention), metrics_(metrics) {}

Housekeeping::~Housekeeping() { stop(); }

void Housekeeping::start() { thread_ = std::thread([this] { run(); }); }

void Housekeeping::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Housekeeping::run() {
  PGconn* conn = nullptr;
  // The first purge waits a minute: a restart loop should not hammer the table.
  auto next_purge = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    tick(conn, next_purge);
    lock.lock();
    wake_.wait_for(lock, kStatsEvery, [this] { return stopping_; });
  }
  if (conn) PQfinish(conn);
}

void Housekeeping::tick(PGconn*& conn, std::chrono::steady_clock::time_point& next_purge) {
  if (conn && PQstatus(conn) != CONNECTION_OK) {
    PQfinish(conn);
    conn = nullptr;
  }
  if (!conn) {
    try {
      conn = open_connection(conninfo_, "profile-publisher housekeeping");
    } catch (const DbError& e) {
      log_debug("housekeeping_connect_failed").kv("error", e.what());
      return;
    }
  }
  PgResultPtr stats(PQexec(conn,
                           "SELECT pending, coalesce(extract(epoch FROM oldest_pending_age), 0)::float8, quarantined"
                           " FROM profile.outbox_stats()"));
  if (PQresultStatus(stats.get()) == PGRES_TUPLES_OK && PQntuples(stats.get()) == 1) {
    metrics_.pending_rows = std::strtoll(PQgetvalue(stats.get(), 0, 0), nullptr, 10);
    metrics_.oldest_pending_age_seconds = std::strtod(PQgetvalue(stats.get(), 0, 1), nullptr);
    metrics_.quarantined_rows = std::strtoll(PQgetvalue(stats.get(), 0, 2), nullptr, 10);
  } else {
    log_warn("outbox_stats_failed").kv("error", PQerrorMessage(conn));
  }

  auto now = std::chrono::steady_clock::now();
  if (retention_.count() == 0 || metrics_.leader.load() == 0 || now < next_purge) return;
  next_purge = now + kPurgeEvery;
  std::string interval = std::to_string(retention_.count()) + " milliseconds";
  const char* params[] = {interval.c_str()};
  PgResultPtr purged(PQexecParams(conn, "SELECT profile.purge_outbox($1::interval)", 1, nullptr, params, nullptr,
                                  nullptr, 0));
  if (PQresultStatus(purged.get()) == PGRES_TUPLES_OK) {
    long long n = std::strtoll(PQgetvalue(purged.get(), 0, 0), nullptr, 10);
    metrics_.purged_total += static_cast<std::uint64_t>(n);
    if (n > 0) log_info("retention_purged").kv("rows", static_cast<std::int64_t>(n));
  } else {
    log_warn("retention_failed").kv("error", PQerrorMessage(conn));
  }
}

}  // namespace publisher
