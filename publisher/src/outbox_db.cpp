#include "outbox_db.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "conninfo.h"
#include "direct_connection.h"
#include "log.h"

namespace publisher {

namespace {

// One statement, one snapshot: the rows above hi, the rows that turned up in
// the gaps below it (see read_window.h), and the snapshot's xmin with the next
// transaction id on a first row of their own.
constexpr const char* kFetch =
    "WITH snap AS MATERIALIZED (SELECT pg_current_snapshot() AS s, profile.next_xid() AS n)"
    " SELECT 0, 0::bigint, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::float8,"
    "        pg_snapshot_xmin(s)::text, n::text, NULL::text FROM snap"
    " UNION ALL"
    " (SELECT 1, id, key, topic, payload::text, payload->>'event_id', payload->>'event_type',"
    "         payload->>'occurred_at', extract(epoch FROM created_at)::float8, NULL, NULL, traceparent"
    "  FROM profile.outbox"
    "  WHERE published_at IS NULL AND quarantined_at IS NULL AND id > $1 AND key <> ALL ($3::text[])"
    "  ORDER BY id LIMIT $2)"
    " UNION ALL"
    " SELECT 2, x.* FROM unnest($4::bigint[], $5::bigint[]) AS g(lo, hi) CROSS JOIN LATERAL"
    "  (SELECT id, key, topic, payload::text, payload->>'event_id', payload->>'event_type',"
    "          payload->>'occurred_at', extract(epoch FROM created_at)::float8, NULL::text, NULL::text, traceparent"
    "   FROM profile.outbox"
    "   WHERE published_at IS NULL AND quarantined_at IS NULL AND id BETWEEN g.lo AND g.hi"
    "     AND key <> ALL ($3::text[])"
    "   ORDER BY id LIMIT $2) AS x";

// A prepared transaction keeps its locks, shown without a pid. One that wrote
// to the outbox holds a lock on it until COMMIT PREPARED, which sends no NOTIFY.
constexpr const char* kPreparedWriters =
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks"
    " WHERE pid IS NULL AND locktype = 'relation' AND relation = 'profile.outbox'::pg_catalog.regclass"
    "   AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()))";

constexpr const char* kQuarantinedKeys =
    "SELECT DISTINCT key FROM profile.outbox WHERE quarantined_at IS NOT NULL AND published_at IS NULL";

struct Prepared {
  const char* name;
  const char* sql;
};
constexpr Prepared kStatements[] = {
    {"fetch", kFetch},
    {"quarantined_keys", kQuarantinedKeys}, {"request_wakeup", "SELECT profile.request_wakeup()"},
    {"prepared_writers", kPreparedWriters},
    {"try_lead", "SELECT pg_try_advisory_lock($1::bigint)"},
    {"release_lead", "SELECT pg_advisory_unlock($1::bigint)"},
};

std::string first_line(const char* message) {
  std::string m = message ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  for (char& c : m)
    if (c == '\n' || c == '\t') c = ' ';
  return m;
}

}  // namespace

std::int64_t leader_lock_key() {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : std::string_view("profile-publisher")) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return static_cast<std::int64_t>(h);
}

std::string bigint_array(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  out.reserve(ids.size() * 9 + 2);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  out += '}';
  return out;
}

std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

PGconn* open_connection(const std::string& conninfo, const char* application_name) {
  // Later entries win: conninfo (expanded from "dbname") overrides these defaults.
  const char* keys[] = {"fallback_application_name", "connect_timeout", "keepalives", "keepalives_idle",
                        "keepalives_interval", "keepalives_count", "dbname", nullptr};
  const char* values[] = {application_name, "10", "1", "10", "5", "3", conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) throw DbError("out of memory connecting to PostgreSQL", false);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = first_line(PQerrorMessage(conn));
    PQfinish(conn);
    throw DbError(message, connect_error_is_permanent(message));
  }
  // Server notices ("terminating connection due to ...") as log lines, not raw stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char* message) { log_warn("postgres_notice").kv("text", first_line(message)); }, nullptr);
  return conn;
}

OutboxDb::OutboxDb(std::string conninfo, std::string channel)
    : conninfo_(std::move(conninfo)), channel_(std::move(channel)) {}

OutboxDb::~OutboxDb() { disconnect(); }

void OutboxDb::disconnect() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
  pending_fetch_ = false;
}

int OutboxDb::socket() const { return conn_ ? PQsocket(conn_) : -1; }

std::string OutboxDb::describe() const {
  if (!conn_) return "(not connected)";
  return std::string("host=") + PQhost(conn_) + " port=" + PQport(conn_) + " dbname=" + PQdb(conn_);
}

void OutboxDb::fail(const std::string& what) {
  std::string message = what + ": " + first_line(PQerrorMessage(conn_));
  disconnect();
  throw DbError(message, false);
}

PgResultPtr OutboxDb::exec(const char* statement, int nparams, const char* const* params, ExecStatusType expected) {
  if (!conn_) throw DbError("not connected", false);
  discard_pending();  // a read sent ahead and not wanted any more
  PgResultPtr r(PQexecPrepared(conn_, statement, nparams, params, nullptr, nullptr, 0));
  if (!r || PQresultStatus(r.get()) != expected) {
    // Any failure drops the connection: a reconnect starts from a known state
    // (no aborted transaction, statements prepared again, LISTEN again).
    std::string detail = r ? first_line(PQresultErrorMessage(r.get())) : first_line(PQerrorMessage(conn_));
    disconnect();
    throw DbError(std::string(statement) + ": " + detail, false);
  }
  return r;
}

void OutboxDb::connect() {
  disconnect();
  conn_ = open_connection(conninfo_, "profile-publisher");

  PgResultPtr check(PQexec(conn_,
                           "SELECT to_regclass('profile.outbox') IS NOT NULL"
                           " AND to_regprocedure('profile.request_wakeup()') IS NOT NULL"
                           " AND to_regprocedure('profile.next_xid()') IS NOT NULL,"
                           " pg_catalog.current_setting('max_prepared_transactions')::int > 0,"
                           " pg_catalog.pg_backend_pid()"));
  if (PQresultStatus(check.get()) != PGRES_TUPLES_OK) fail("checking for the realchat_profile extension");
  if (std::strcmp(PQgetvalue(check.get(), 0, 0), "t") != 0) {
    disconnect();
    throw DbError("profile.outbox, request_wakeup() or next_xid() not found: is the realchat_profile extension "
                  "installed in this database, and may this role use it?",
                  true);
  }
  prepared_enabled_ = std::strcmp(PQgetvalue(check.get(), 0, 1), "t") == 0;
  if (auto refusal = pooler_refusal(PQbackendPID(conn_), std::atoi(PQgetvalue(check.get(), 0, 2)))) {
    disconnect();
    throw DbError(*refusal, true);
  }

  // A lost mark only means the row is published again (a duplicate, which
  // consumers drop by event_id), so marks need not wait for the WAL flush.
  // Keepalives on the server side free the leader lock soon after this
  // process vanishes without closing its socket.
  PgResultPtr settings(PQexec(conn_,
                              "SET synchronous_commit = off; SET statement_timeout = '60s';"
                              // The same few statements thousands of times a second: planning
                              // each one again (custom plans for array parameters) was most of
                              // the backend's CPU. A generic plan made while the outbox looked
                              // empty would scan it whole; the index is always right here.
                              " SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off;"
                              " SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5;"
                              " SET tcp_keepalives_count = 3; SET tcp_user_timeout = 20000"));
  if (PQresultStatus(settings.get()) != PGRES_COMMAND_OK) fail("setting up the session");

  for (const Prepared& p : kStatements) {
    PgResultPtr r(PQprepare(conn_, p.name, p.sql, 0, nullptr));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) fail(std::string("preparing ") + p.name);
  }

  char* ident = PQescapeIdentifier(conn_, channel_.c_str(), channel_.size());
  if (!ident) fail("quoting the channel name");
  std::string listen = std::string("LISTEN ") + ident;
  PQfreemem(ident);
  PgResultPtr r(PQexec(conn_, listen.c_str()));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) fail("LISTEN");
  if (PQsetnonblocking(conn_, 0) != 0) fail("setting blocking mode");
}

bool OutboxDb::try_lead() {
  std::string key = std::to_string(leader_lock_key());
  const char* params[] = {key.c_str()};
  PgResultPtr r = exec("try_lead", 1, params, PGRES_TUPLES_OK);
  return std::strcmp(PQgetvalue(r.get(), 0, 0), "t") == 0;
}

void OutboxDb::release_lead() {
  std::string key = std::to_string(leader_lock_key());
  const char* params[] = {key.c_str()};
  exec("release_lead", 1, params, PGRES_TUPLES_OK);
}

void OutboxDb::send_fetch(std::int64_t above, int limit, const std::vector<IdGap>& gaps,
                          const std::vector<std::string>& held_keys) {
  if (!conn_) throw DbError("not connected", false);
  discard_pending();
  std::string lo = "{", hi = "{";
  for (std::size_t i = 0; i < gaps.size(); ++i) {
    if (i) {
      lo += ',';
      hi += ',';
    }
    lo += std::to_string(gaps[i].lo);
    hi += std::to_string(gaps[i].hi);
  }
  lo += '}';
  hi += '}';
  std::string sabove = std::to_string(above), slimit = std::to_string(limit), held = text_array(held_keys);
  const char* params[] = {sabove.c_str(), slimit.c_str(), held.c_str(), lo.c_str(), hi.c_str()};
  if (!PQsendQueryPrepared(conn_, "fetch", 5, params, nullptr, nullptr, 0)) fail("sending a read");
  pending_fetch_ = true;
}

OutboxBatch OutboxDb::fetch(std::int64_t above, int limit, const std::vector<IdGap>& gaps,
                            const std::vector<std::string>& held_keys) {
  send_fetch(above, limit, gaps, held_keys);
  return receive_fetch();
}

PgResultPtr OutboxDb::take_result(const char* what) {
  pending_fetch_ = false;
  PgResultPtr result(PQgetResult(conn_));
  // Drain to the end of this query so the connection is free again.
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  if (!result || PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    std::string detail = result ? first_line(PQresultErrorMessage(result.get())) : first_line(PQerrorMessage(conn_));
    disconnect();
    throw DbError(std::string(what) + ": " + detail, false);
  }
  return result;
}

void OutboxDb::discard_pending() {
  if (pending_fetch_) take_result("read");
}

OutboxBatch OutboxDb::receive_fetch() {
  PgResultPtr result = take_result("read");
  OutboxBatch batch;
  PGresult* r = result.get();
  int n = PQntuples(r);
  auto view = [r](int row, int col) { return std::string_view(PQgetvalue(r, row, col), PQgetlength(r, row, col)); };
  batch.rows.reserve(n);
  for (int i = 0; i < n; ++i) {
    char part = PQgetvalue(r, i, 0)[0];
    if (part == '0') {
      batch.snapshot_xmin = std::strtoull(PQgetvalue(r, i, 9), nullptr, 10);
      batch.next_xid = std::strtoull(PQgetvalue(r, i, 10), nullptr, 10);
      continue;
    }
    OutboxRow& row = batch.rows.emplace_back();
    row.id = std::strtoll(PQgetvalue(r, i, 1), nullptr, 10);
    row.above = part == '1';
    row.key = view(i, 2);
    row.topic = view(i, 3);
    row.payload = view(i, 4);
    row.event_id = view(i, 5);
    row.event_type = view(i, 6);
    row.occurred_at = view(i, 7);
    row.created_at = std::strtod(PQgetvalue(r, i, 8), nullptr);
    row.traceparent = view(i, 11);  // empty when null
  }
  // Gap rows have lower ids than every row above: id order overall.
  std::stable_sort(batch.rows.begin(), batch.rows.end(),
                   [](const OutboxRow& a, const OutboxRow& b) { return a.id < b.id; });
  batch.result = std::move(result);
  return batch;
}

std::vector<std::string> OutboxDb::quarantined_keys() {
  PgResultPtr r = exec("quarantined_keys", 0, nullptr, PGRES_TUPLES_OK);
  std::vector<std::string> keys;
  for (int i = 0; i < PQntuples(r.get()); ++i) keys.emplace_back(PQgetvalue(r.get(), i, 0));
  return keys;
}

bool OutboxDb::prepared_writers() {
  PgResultPtr r = exec("prepared_writers", 0, nullptr, PGRES_TUPLES_OK);
  return std::strcmp(PQgetvalue(r.get(), 0, 0), "t") == 0;
}

bool OutboxDb::request_wakeup() {
  PgResultPtr r = exec("request_wakeup", 0, nullptr, PGRES_TUPLES_OK);
  return std::strcmp(PQgetvalue(r.get(), 0, 0), "t") == 0;
}

bool OutboxDb::drain_notifications(bool* redrive) {
  if (!conn_) return false;
  if (PQconsumeInput(conn_) == 0) fail("reading from the server");
  bool any = false;
  while (PGnotify* n = PQnotifies(conn_)) {
    any = true;
    if (redrive && std::strcmp(n->extra, "redrive") == 0) *redrive = true;
    PQfreemem(n);
  }
  return any;
}

}  // namespace publisher
