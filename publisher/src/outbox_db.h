// The publisher's PostgreSQL session: reads pending outbox rows, marks and
// quarantines them, holds the leader lock and LISTENs for wake-ups. One
// connection does all of it; notifications that arrive during a query are
// kept by libpq and read afterwards.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace publisher {

// A failed query or a lost connection. `permanent` only at connect time: the
// same attempt will fail again (bad password, missing extension, ...).
class DbError : public std::runtime_error {
 public:
  DbError(const std::string& what, bool permanent) : std::runtime_error(what), permanent_(permanent) {}
  bool permanent() const { return permanent_; }

 private:
  bool permanent_;
};

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

// One outbox row. Views point into the PGresult the batch owns. A row the
// query returned as "id only" (already known to be in flight) has
// has_payload == false.
struct OutboxRow {
  std::int64_t id = 0;
  bool has_payload = false;
  std::string_view key, topic, payload;
  std::string_view event_id, event_type, occurred_at;
  double created_at = 0;  // seconds since the epoch
};

struct OutboxBatch {
  PgResultPtr result;
  std::vector<OutboxRow> rows;  // id order
};

// The advisory lock every publisher of a database competes for: FNV-1a
// 64-bit of "profile-publisher", so it cannot collide with small integer keys.
std::int64_t leader_lock_key();

// A PostgreSQL array literal: {1,2,3} or {"a","b\"c"}.
std::string bigint_array(const std::vector<std::int64_t>& ids);
std::string text_array(const std::vector<std::string>& values);

class OutboxDb {
 public:
  OutboxDb(std::string conninfo, std::string channel);
  ~OutboxDb();
  OutboxDb(const OutboxDb&) = delete;
  OutboxDb& operator=(const OutboxDb&) = delete;

  // Connects, checks the extension is there, prepares statements, LISTENs.
  void connect();
  void disconnect();
  bool connected() const { return conn_ != nullptr; }
  int socket() const;
  // "host=... port=... dbname=..." of the live connection.
  std::string describe() const;

  // Session-level pg_try_advisory_lock: held until this connection ends.
  bool try_lead();

  // Pending rows from the bottom of the pending index, in id order, at most
  // `limit`, skipping keys in `held_keys`. Rows with id <= payload_above come
  // back as ids only: the caller already has most of them in flight.
  OutboxBatch fetch_pending(std::int64_t payload_above, int limit, const std::vector<std::string>& held_keys);
  // Full rows for these ids that are still pending, in id order.
  OutboxBatch fetch_ids(const std::vector<std::int64_t>& ids, const std::vector<std::string>& held_keys);

  void mark_published(const std::vector<std::int64_t>& ids);
  void quarantine(std::int64_t id, const std::string& error);
  // Keys that have a quarantined, unpublished row: their later rows wait.
  std::vector<std::string> quarantined_keys();

  // profile.request_wakeup(): true if rows are already pending.
  bool request_wakeup();
  // Reads what the socket has; true if a notification arrived. `redrive` is
  // set when an operator's redrive announced itself.
  bool drain_notifications(bool* redrive);

 private:
  PgResultPtr exec(const char* statement, int nparams, const char* const* params, ExecStatusType expected);
  [[noreturn]] void fail(const std::string& what);
  OutboxBatch to_batch(PgResultPtr result);

  std::string conninfo_;
  std::string channel_;
  PGconn* conn_ = nullptr;
};

// Opens a connection with the publisher's defaults (application name,
// connect timeout, keepalives) and conninfo on top. Throws DbError.
PGconn* open_connection(const std::string& conninfo, const char* application_name);

}  // namespace publisher
