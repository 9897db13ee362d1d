#include "admin_commands.h"

#include <cstdio>
#include <string>

#include "outbox_db.h"

namespace publisher {

namespace {

// One line for stderr, as the rest of the command line does.
int fail(const std::string& what) {
  std::fprintf(stderr, "profile-publisher: %s\n", what.c_str());
  return 1;
}

}  // namespace

int list_quarantined(const Options& options) {
  PGconn* conn;
  try {
    conn = open_connection(options.db, "profile-publisher quarantined");
  } catch (const DbError& e) {
    return fail(std::string("cannot connect to PostgreSQL: ") + e.what());
  }
  PgResultPtr r(PQexec(conn,
                       "SELECT id, key, topic, created_at, quarantined_at, octet_length(payload::text), last_error"
                       " FROM profile.outbox WHERE quarantined_at IS NOT NULL AND published_at IS NULL ORDER BY id"));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    std::string e = PQresultErrorMessage(r.get());
    PQfinish(conn);
    while (!e.empty() && e.back() == '\n') e.pop_back();
    return fail("listing quarantined rows: " + e);
  }
  std::printf("id\tkey\ttopic\tcreated_at\tquarantined_at\tpayload_bytes\tlast_error\n");
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    for (int c = 0; c < 7; ++c) {
      std::string v = PQgetvalue(r.get(), i, c);
      for (char& ch : v)
        if (ch == '\t' || ch == '\n') ch = ' ';
      std::printf("%s%c", v.c_str(), c == 6 ? '\n' : '\t');
    }
  }
  std::fprintf(stderr, "%d quarantined row(s)\n", PQntuples(r.get()));
  PQfinish(conn);
  return 0;
}

int redrive(const Options& options) {
  PGconn* conn;
  try {
    conn = open_connection(options.db, "profile-publisher redrive");
  } catch (const DbError& e) {
    return fail(std::string("cannot connect to PostgreSQL: ") + e.what());
  }
  std::string id = options.redrive_id ? std::to_string(*options.redrive_id) : std::string();
  const char* params[] = {options.redrive_id ? id.c_str() : nullptr, options.channel.c_str()};
  // The NOTIFY goes out at commit and tells the leader to stop holding the
  // key back; it then reads the row again from the bottom of the table.
  PgResultPtr r(PQexecParams(conn,
                             "WITH redriven AS ("
                             "  UPDATE profile.outbox SET quarantined_at = NULL, last_error = NULL"
                             "  WHERE quarantined_at IS NOT NULL AND published_at IS NULL"
                             "    AND ($1::bigint IS NULL OR id = $1::bigint)"
                             "  RETURNING id)"
                             " SELECT count(*), coalesce(string_agg(id::text, ',' ORDER BY id), ''),"
                             "        pg_notify($2, 'redrive')"
                             " FROM redriven",
                             2, nullptr, params, nullptr, nullptr, 0));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    std::string e = PQresultErrorMessage(r.get());
    PQfinish(conn);
    while (!e.empty() && e.back() == '\n') e.pop_back();
    return fail("re-driving: " + e);
  }
  long long n = std::stoll(PQgetvalue(r.get(), 0, 0));
  std::string ids = PQgetvalue(r.get(), 0, 1);
  PQfinish(conn);
  if (options.redrive_id && n == 0) return fail("row " + id + " is not quarantined");
  std::printf("re-drove %lld row(s)%s%s\n", n, n ? ": " : "", ids.c_str());
  return 0;
}

}  // namespace publisher
