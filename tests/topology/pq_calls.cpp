// pq_calls: runs SQL statements with parameters over libpq's extended protocol (PQexecParams:
// Parse, Bind, Execute of the unnamed statement), the way applications call the API through
// PgBouncer, and prints each result in a form two runs can be compared by.
//
//   pq_calls CONNINFO < CALLS     each line: SQL, then its parameters, tab-separated (\N = null);
//                                 lines starting with # are copied to the output as they are
//   pq_calls --named CONNINFO     a named prepared statement (Parse "s" once, Bind "s" later)
//                                 while another client holds a transaction: prints what happened
//
// Output per statement: "ok" and one line per row (columns tab-separated, null as \N), or
// "error SQLSTATE message" (its lines joined with " / "). Exit 0 when every line ran (errors included),
// 1 when the connection failed.
#include <libpq-fe.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

// The message on one line: its lines joined with " / ", surrounding white space dropped.
std::string first_line(const char* message) {
  std::string m = message ? message : "", out;
  std::size_t start = 0;
  while (start < m.size()) {
    std::size_t nl = m.find('\n', start);
    std::string part = m.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? m.size() : nl + 1;
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.erase(part.begin());
    if (part.empty()) continue;
    if (!out.empty()) out += " / ";
    out += part;
  }
  return out;
}

void print_result(PGresult* r, PGconn* conn) {
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
    std::printf("ok\n");
    for (int i = 0; i < PQntuples(r); ++i) {
      for (int j = 0; j < PQnfields(r); ++j) {
        if (j) std::putchar('\t');
        std::fputs(PQgetisnull(r, i, j) ? "\\N" : PQgetvalue(r, i, j), stdout);
      }
      std::putchar('\n');
    }
    return;
  }
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::printf("error %s %s\n", state ? state : "-",
              first_line(r ? PQresultErrorMessage(r) : PQerrorMessage(conn)).c_str());
}

PGconn* connect_or_die(const char* conninfo) {
  PGconn* conn = PQconnectdb(conninfo);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "pq_calls: %s", PQerrorMessage(conn));
    std::printf("connect-error %s\n", first_line(PQerrorMessage(conn)).c_str());
    PQfinish(conn);
    std::exit(1);
  }
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return conn;
}

int run_calls(const char* conninfo) {
  PGconn* conn = connect_or_die(conninfo);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::printf("%s\n", line.c_str());
      continue;
    }
    std::vector<std::string> fields = split_tabs(line);
    std::vector<const char*> params;
    for (std::size_t i = 1; i < fields.size(); ++i)
      params.push_back(fields[i] == "\\N" ? nullptr : fields[i].c_str());
    PGresult* r = PQexecParams(conn, fields[0].c_str(), static_cast<int>(params.size()), nullptr, params.data(),
                               nullptr, nullptr, 0);
    print_result(r, conn);
    PQclear(r);
    if (PQstatus(conn) != CONNECTION_OK) {
      std::printf("connection-lost\n");
      PQfinish(conn);
      return 1;
    }
  }
  PQfinish(conn);
  return 0;
}

// Client A prepares "s" (its server connection goes back to the pool at once: no transaction);
// client B opens a transaction, which takes that idle server connection; A's Bind of "s" then
// needs another server connection, which never saw the Parse.
int run_named(const char* conninfo) {
  PGconn* a = connect_or_die(conninfo);
  PGconn* b = connect_or_die(conninfo);
  PGresult* r = PQprepare(a, "s", "SELECT 1", 0, nullptr);
  std::printf("prepare: ");
  print_result(r, a);
  PQclear(r);
  r = PQexec(b, "BEGIN; SELECT 1");
  PQclear(r);
  r = PQexecPrepared(a, "s", 0, nullptr, nullptr, nullptr, 0);
  std::printf("execute while another client holds a transaction: ");
  print_result(r, a);
  PQclear(r);
  r = PQexec(b, "COMMIT");
  PQclear(r);
  PQfinish(a);
  PQfinish(b);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--named") == 0) return run_named(argv[2]);
  if (argc != 2 || argv[1][0] == '-') {
    std::fprintf(stderr, "usage: pq_calls CONNINFO < CALLS | pq_calls --named CONNINFO\n");
    return 2;
  }
  return run_calls(argv[1]);
}
