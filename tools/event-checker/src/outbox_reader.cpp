#include "outbox_reader.h"

#include <libpq-fe.h>

#include <memory>

namespace event_checker {

namespace {

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string first_line(const char* message) {
  std::string m = message ? message : "";
  auto nl = m.find('\n');
  if (nl != std::string::npos) m.resize(nl);
  return m;
}

}  // namespace

std::variant<Expectations, OutboxError> read_outbox(const std::string& conninfo, const std::string& topic) {
  std::unique_ptr<PGconn, ConnDeleter> conn(PQconnectdb(conninfo.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK)
    return OutboxError{"cannot connect to PostgreSQL: " + first_line(conn ? PQerrorMessage(conn.get()) : "out of memory")};
  // Read in id order, in single-row mode, so a large outbox is never held whole.
  const char* params[] = {topic.c_str()};
  if (!PQsendQueryParams(conn.get(),
                         "SELECT key, payload->>'event_id', published_at IS NOT NULL, quarantined_at IS NOT NULL"
                         " FROM profile.outbox WHERE topic = $1 ORDER BY id",
                         1, nullptr, params, nullptr, nullptr, 0) ||
      !PQsetSingleRowMode(conn.get()))
    return OutboxError{"reading profile.outbox: " + first_line(PQerrorMessage(conn.get()))};

  Expectations expected;
  expected.event_ids.emplace();
  std::string failure;
  std::uint64_t unreadable = 0;
  while (PGresult* raw = PQgetResult(conn.get())) {
    ResultPtr r(raw);
    ExecStatusType status = PQresultStatus(r.get());
    if (status == PGRES_TUPLES_OK) continue;  // the end of the rows
    if (status != PGRES_SINGLE_TUPLE) {
      if (failure.empty()) failure = "reading profile.outbox: " + first_line(PQresultErrorMessage(r.get()));
      continue;
    }
    auto user = parse_uuid(PQgetvalue(r.get(), 0, 0));
    auto event = parse_uuid(PQgetvalue(r.get(), 0, 1));
    if (!user || !event) {
      ++unreadable;
      continue;
    }
    RowState state = PQgetvalue(r.get(), 0, 2)[0] == 't'   ? RowState::published
                     : PQgetvalue(r.get(), 0, 3)[0] == 't' ? RowState::quarantined
                                                           : RowState::pending;
    expected.add_row(*user, *event, state);
  }
  if (!failure.empty()) return OutboxError{failure};
  if (unreadable > 0)
    return OutboxError{std::to_string(unreadable) + " outbox rows have no readable key or event_id"};
  return expected;
}

}  // namespace event_checker
