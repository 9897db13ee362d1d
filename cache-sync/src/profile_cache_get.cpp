// profile-cache-get: one read through the read helper, for operators and the demo.
//
//   profile-cache-get --db CONNINFO --redis HOST:PORT USER_ID [VIEWER_ID]
//
// Prints where the answer came from (cache, filled, database) and get_profile's served
// columns as name=value lines; exit 1 if the user does not exist, 2 on a usage or server error.
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>

#include <libpq-fe.h>

#include "listen_address.h"
#include "profile_reader.h"
#include "redis_client.h"

namespace {

const char* source_name(realchat::ReadSource s) {
  switch (s) {
    case realchat::ReadSource::cache: return "cache";
    case realchat::ReadSource::filled: return "filled";
    case realchat::ReadSource::database: return "database";
  }
  return "?";
}

int usage() {
  std::fprintf(stderr, "usage: profile-cache-get --db CONNINFO --redis HOST:PORT USER_ID [VIEWER_ID]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string conninfo, redis_addr, user, viewer;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if ((arg == "--db" || arg == "--redis") && i + 1 < argc) {
      (arg == "--db" ? conninfo : redis_addr) = argv[++i];
    } else if (user.empty()) {
      user = arg;
    } else if (viewer.empty()) {
      viewer = arg;
    } else {
      return usage();
    }
  }
  std::string host;
  int port = 0;
  if (conninfo.empty() || user.empty() || !realchat::parse_listen_address(redis_addr, &host, &port) || port == 0)
    return usage();

  PGconn* db = PQconnectdb(conninfo.c_str());
  if (PQstatus(db) != CONNECTION_OK) {
    std::fprintf(stderr, "profile-cache-get: %s", PQerrorMessage(db));
    PQfinish(db);
    return 2;
  }
  int code = 0;
  {
    realchat::RedisClient redis(host, port, std::chrono::milliseconds(2000));
    realchat::ProfileReader reader(redis, db);
    try {
      realchat::ReadSource source = realchat::ReadSource::database;
      auto fields = reader.get(user, viewer, &source);
      if (!fields) {
        std::fprintf(stderr, "profile-cache-get: no user %s\n", user.c_str());
        code = 1;
      } else {
        std::printf("source=%s\n", source_name(source));
        for (size_t i = 0; i < realchat::kProfileFields.size(); ++i)
          std::printf("%s=%s\n", realchat::kProfileFields[i], (*fields)[i] ? (*fields)[i]->c_str() : "");
      }
    } catch (const std::runtime_error& e) {
      std::fprintf(stderr, "profile-cache-get: %s\n", e.what());
      code = 2;
    }
  }
  PQfinish(db);
  return code;
}
