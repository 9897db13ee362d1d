// Marks rows published (and quarantines rows) on a second connection, without
// blocking the relay: marking 5000 rows costs a PostgreSQL backend tens of
// milliseconds, which now overlap the next read on the main connection.
// One statement at a time; pump() advances without waiting.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "inflight_tracker.h"

namespace publisher {

class OutboxMarker {
 public:
  explicit OutboxMarker(std::string conninfo) : conninfo_(std::move(conninfo)) {}
  ~OutboxMarker() { disconnect(); }
  OutboxMarker(const OutboxMarker&) = delete;
  OutboxMarker& operator=(const OutboxMarker&) = delete;

  void connect();  // throws DbError
  void disconnect();
  bool connected() const { return conn_ != nullptr; }
  int socket() const { return conn_ ? PQsocket(conn_) : -1; }

  // `ids` ascending.
  void mark_published(std::vector<std::int64_t> ids);
  void quarantine(const QuarantinedRow& row);

  // Quarantine UPDATEs that committed since the last call: the row's id, and
  // whether the UPDATE quarantined it (not if it was already).
  struct QuarantineDone {
    std::int64_t id;
    bool changed;
  };
  std::vector<QuarantineDone> take_quarantined() { return std::exchange(quarantined_, {}); }

  // Sends the next statement if none is running, reads a finished one.
  // Returns how many rows' marks have committed since the last call. Throws
  // DbError if the connection failed (the unconfirmed rows stay pending in
  // the table and are published again: duplicates, never loss).
  std::size_t pump();
  bool idle() const { return !busy_ && jobs_.empty(); }
  // Handed over for marking and not committed yet: still pending in the
  // table, so reads must skip it.
  bool marking(std::int64_t id) const;
  std::size_t rows() const { return rows_; }

 private:
  struct Job {
    std::vector<std::int64_t> ids;  // mark these
    std::int64_t quarantine_id = 0;  // or quarantine this one
    std::string error;
  };
  [[noreturn]] void fail(const std::string& what);
  void merge_waiting_marks();

  std::string conninfo_;
  PGconn* conn_ = nullptr;
  std::deque<Job> jobs_;
  std::vector<QuarantineDone> quarantined_;
  std::size_t rows_ = 0;  // ids in jobs_
  bool busy_ = false;
};

}  // namespace publisher
