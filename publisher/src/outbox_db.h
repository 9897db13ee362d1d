// The publisher's main PostgreSQL session: reads pending outbox rows, holds
// the leader lock and LISTENs for wake-ups (notifications that arrive during a
// query are kept by libpq and read afterwards). Marks go through
// OutboxMarker on a second connection.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "read_window.h"
#include "shared_names.h"

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

// One outbox row. Views point into the PGresult the batch owns.
struct OutboxRow {
  std::int64_t id = 0;
  bool above = false;  // above the read's hi, not found in a gap
  std::string_view key, topic, payload;
  std::string_view event_id, event_type, occurred_at;
  double created_at = 0;  // seconds since the epoch
  std::string_view traceparent;  // W3C trace context of the writer, empty if none
};

struct OutboxBatch {
  PgResultPtr result;
  std::vector<OutboxRow> rows;  // id order
  std::uint64_t snapshot_xmin = 0, next_xid = 0;
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
  // Gives the lock up while keeping the connection (pg_advisory_unlock).
  void release_lead();

  // Pending rows in id order: at most `limit` above `above`, and those in
  // `gaps`, skipping keys in `held_keys`; with the snapshot's xmin and xmax.
  OutboxBatch fetch(std::int64_t above, int limit, const std::vector<IdGap>& gaps,
                    const std::vector<std::string>& held_keys);
  // The same in two steps, so the server reads the next batch while the
  // caller produces this one. Any other statement discards a read sent ahead.
  void send_fetch(std::int64_t above, int limit, const std::vector<IdGap>& gaps,
                  const std::vector<std::string>& held_keys);
  bool fetch_sent() const { return pending_fetch_; }
  OutboxBatch receive_fetch();
  // Keys that have a quarantined, unpublished row: their later rows wait.
  std::vector<std::string> quarantined_keys();

  // The server allows prepared transactions (max_prepared_transactions > 0,
  // fixed while it runs).
  bool prepared_enabled() const { return prepared_enabled_; }
  // A prepared transaction holds a lock on profile.outbox: it may have
  // written rows that its COMMIT PREPARED will make visible without a NOTIFY.
  bool prepared_writers();

  // profile.request_wakeup(): true if rows are already pending.
  bool request_wakeup();
  // Reads what the socket has; true if a notification arrived. `redrive` is
  // set when an operator's redrive announced itself.
  bool drain_notifications(bool* redrive);

 private:
  PgResultPtr exec(const char* statement, int nparams, const char* const* params, ExecStatusType expected);
  [[noreturn]] void fail(const std::string& what);
  PgResultPtr take_result(const char* what);
  void discard_pending();

  std::string conninfo_;
  std::string channel_;
  PGconn* conn_ = nullptr;
  bool pending_fetch_ = false;
  bool prepared_enabled_ = false;
};

// Opens a connection with the publisher's defaults (application name,
// connect timeout, keepalives) and conninfo on top. Throws DbError.
PGconn* open_connection(const std::string& conninfo, const char* application_name);

}  // namespace publisher
