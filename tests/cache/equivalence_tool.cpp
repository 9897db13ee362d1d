// Driver of tests/cache/run.sh's equivalence checks (real PostgreSQL, Kafka, Redis):
//
//   write   --db CONNINFO --users N --ops N --seed S   random API calls over N users (profiles,
//           presence, custom status, privacy, contacts, blocks, mutes, deletes and re-creations;
//           every tenth profile inserted by hand)
//   wait    --db CONNINFO --brokers B --group G --topic T --timeout SECONDS
//           until the outbox is published and the group's committed offsets reach the end of
//           every partition (the daemon commits only what Redis applied)
//   compare --db CONNINFO --redis HOST:PORT --pairs N --seed S
//           random (user, viewer) pairs: the read helper's answer against get_profile's, field
//           by field; prints mismatches and exits 1 if there is any
#include <librdkafka/rdkafka.h>
#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "profile_reader.h"

namespace {

std::map<std::string, std::string> args_of(int argc, char** argv) {
  std::map<std::string, std::string> a;
  for (int i = 2; i + 1 < argc; i += 2) a[argv[i]] = argv[i + 1];
  return a;
}

std::string uuid_of(int i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", i);
  return buf;
}

PGconn* connect_db(const std::string& conninfo) {
  PGconn* db = PQconnectdb(conninfo.c_str());
  if (PQstatus(db) != CONNECTION_OK) {
    std::fprintf(stderr, "cannot connect: %s", PQerrorMessage(db));
    std::exit(2);
  }
  return db;
}

// Runs one statement; false (and nothing changed) if the API refused it.
bool exec(PGconn* db, const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> v;
  for (const auto& p : params) v.push_back(p == "\\N" ? nullptr : p.c_str());
  PGresult* r = PQexecParams(db, sql.c_str(), static_cast<int>(v.size()), nullptr, v.data(), nullptr, nullptr, 0);
  bool ok = PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  return ok;
}

int write(const std::map<std::string, std::string>& a) {
  PGconn* db = connect_db(a.at("--db"));
  int users = std::stoi(a.at("--users")), ops = std::stoi(a.at("--ops"));
  std::mt19937_64 rng(std::stoull(a.at("--seed")));
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto user = [&] { return uuid_of(pick(users) + 1); };
  const char* statuses[] = {"online", "offline", "away", "busy", "invisible"};
  const char* audiences[] = {"everyone", "contacts", "nobody"};
  auto create = [&](const std::string& u) {
    return exec(db, "SELECT profile.create_profile($1::uuid, 'user_' || substr(md5($1::text || random()::text), 1, 12), 'User')",
                {u});
  };
  int created = 0, done = 0;
  std::vector<int> by_kind(16, 0);
  // Every tenth user is inserted by hand with a custom status and non-default privacy: its
  // ProfileCreated carries none of these (the six 1.0 fields), so only a fill can cache it.
  auto insert_by_hand = [&](const std::string& u) {
    return exec(db, "INSERT INTO profile.profiles (user_id, username, display_name, status_text, presence_audience,"
                    " discoverable) VALUES ($1::uuid, 'hand_' || substr(md5($1::text || random()::text), 1, 12),"
                    " 'Hand', 'set by hand', 'nobody', false)",
                {u});
  };
  for (int i = 1; i <= users; ++i) created += i % 10 == 0 ? insert_by_hand(uuid_of(i)) : create(uuid_of(i));
  for (int i = 0; i < ops; ++i) {
    std::string u = user(), v = user();
    bool ok = false;
    int kind = pick(16);
    switch (kind) {
      case 0: ok = exec(db, "SELECT profile.update_profile($1, display_name => $2, bio => $3)",
                        {u, "Name " + std::to_string(pick(1000)), pick(2) ? "" : "bio " + std::to_string(i)});
        break;
      case 1: case 2: case 3:
        // set_status only with a new status: the same status again moves last_seen without an
        // event (README, "Read cache": what the stream does not carry).
        ok = exec(db, "SELECT profile.set_status(user_id, $2::profile.presence) FROM profile.profiles"
                      " WHERE user_id = $1 AND status <> $2::profile.presence", {u, statuses[pick(5)]});
        break;
      case 4: ok = exec(db, "SELECT profile.set_custom_status($1, $2, $3)",
                        {u, "status " + std::to_string(pick(100)), pick(2) ? "\\N" : "\xF0\x9F\x8D\x95"});
        break;
      case 5: ok = exec(db, "SELECT profile.clear_custom_status($1)", {u}); break;
      case 6: ok = exec(db, "SELECT profile.set_privacy($1, $2::profile.audience, $3::boolean)",
                        {u, audiences[pick(3)], pick(3) ? "true" : "false"});
        break;
      case 7: case 8: case 9: ok = exec(db, "SELECT profile.add_contact($1, $2)", {u, v}); break;
      case 10: ok = exec(db, "SELECT profile.remove_contact($1, $2)", {u, v}); break;
      case 11: ok = exec(db, "SELECT profile.block_user($1, $2)", {u, v}); break;
      case 12: ok = exec(db, "SELECT profile.unblock_user($1, $2)", {u, v}); break;
      case 13: ok = exec(db, "SELECT profile.mute_user($1, $2)", {u, v}); break;
      case 14:
        if (pick(4) == 0) ok = exec(db, "SELECT profile.delete_profile($1)", {u});
        break;
      case 15: ok = create(u); break;  // re-creates a deleted user (versions continue)
    }
    done += ok;
    by_kind[static_cast<size_t>(kind)] += ok;
  }
  std::printf("write: created=%d ops=%d accepted=%d by kind:", created, ops, done);
  for (int n : by_kind) std::printf(" %d", n);
  std::printf("\n");
  PQfinish(db);
  return 0;
}

long long scalar(PGconn* db, const char* sql) {
  PGresult* r = PQexec(db, sql);
  long long v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? std::atoll(PQgetvalue(r, 0, 0)) : -1;
  PQclear(r);
  return v;
}

// True when the group's committed offset is the end of every partition of the topic.
bool group_caught_up(rd_kafka_t* rk, const std::string& topic, std::string* detail) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, 5000);
  rd_kafka_topic_destroy(t);
  if (e || md->topic_cnt != 1) {
    *detail = "no metadata";
    if (md) rd_kafka_metadata_destroy(md);
    return false;
  }
  int n = md->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(n);
  for (int p = 0; p < n; ++p) rd_kafka_topic_partition_list_add(parts, topic.c_str(), p);
  bool ok = rd_kafka_committed(rk, parts, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR;
  long long behind = 0;
  for (int p = 0; ok && p < n; ++p) {
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, 5000)) {
      ok = false;
      break;
    }
    int64_t committed = parts->elems[p].offset < 0 ? low : parts->elems[p].offset;
    behind += high - committed;
  }
  rd_kafka_topic_partition_list_destroy(parts);
  *detail = "behind=" + std::to_string(behind);
  return ok && behind == 0;
}

int wait_caught_up(const std::map<std::string, std::string>& a) {
  PGconn* db = connect_db(a.at("--db"));
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", a.at("--brokers").c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", a.at("--group").c_str(), err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(std::stoi(a.at("--timeout")));
  std::string detail;
  int code = 1;
  while (std::chrono::steady_clock::now() < deadline) {
    long long pending = scalar(db, "SELECT pending FROM profile.outbox_stats()");
    if (pending == 0 && group_caught_up(rk, a.at("--topic"), &detail)) {
      code = 0;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  if (code) std::fprintf(stderr, "wait: not caught up (%s)\n", detail.c_str());
  rd_kafka_destroy(rk);
  PQfinish(db);
  return code;
}

int compare(const std::map<std::string, std::string>& a) {
  PGconn* db = connect_db(a.at("--db"));
  const std::string& addr = a.at("--redis");
  realchat::RedisClient redis(addr.substr(0, addr.rfind(':')), std::stoi(addr.substr(addr.rfind(':') + 1)),
                              std::chrono::milliseconds(2000));
  realchat::ProfileReader reader(redis, db);
  int pairs = std::stoi(a.at("--pairs"));
  int users = static_cast<int>(scalar(db, "SELECT max(right(user_id::text, 12)::int) FROM profile.profiles")) + 2;
  std::mt19937_64 rng(std::stoull(a.at("--seed")));
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  int mismatches = 0, compared = 0, absent = 0;
  // Users that do not exist (deleted, or never created) have no keys in Redis.
  std::vector<bool> exists(static_cast<size_t>(users) + 1, false);
  {
    PGresult* r = PQexec(db, "SELECT right(user_id::text, 12)::int FROM profile.profiles");
    for (int i = 0; i < PQntuples(r); ++i) {
      int n = std::atoi(PQgetvalue(r, i, 0));
      if (n >= 0 && n <= users) exists[static_cast<size_t>(n)] = true;
    }
    PQclear(r);
  }
  int gone = 0;
  for (int i = 1; i <= users; ++i) {
    if (exists[static_cast<size_t>(i)]) continue;
    ++gone;
    std::string error;
    std::string base = "rp:{" + uuid_of(i) + "}:";
    auto r = redis.command({"EXISTS", base + "p", base + "c", base + "b"}, &error);
    if (!r || r->integer != 0) {
      if (++mismatches <= 10) std::printf("MISMATCH user=%s does not exist but is cached\n", uuid_of(i).c_str());
    }
  }
  for (int i = 0; i < pairs; ++i) {
    std::string user = uuid_of(pick(users) + 1);
    int kind = pick(10);
    std::string viewer = kind == 0 ? "" : kind == 1 ? user : uuid_of(pick(users) + 1);
    std::optional<realchat::ProfileFields> want;
    {
      const char* values[2] = {user.c_str(), viewer.empty() ? nullptr : viewer.c_str()};
      PGresult* r = PQexecParams(db, realchat::kGetProfileSql, 2, nullptr, values, nullptr, nullptr, 0);
      if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        std::fprintf(stderr, "get_profile: %s", PQerrorMessage(db));
        return 2;
      }
      if (PQntuples(r) == 1) {
        want.emplace();
        for (size_t f = 0; f < want->size(); ++f)
          if (!PQgetisnull(r, 0, static_cast<int>(f))) (*want)[f] = PQgetvalue(r, 0, static_cast<int>(f));
      }
      PQclear(r);
    }
    auto got = reader.get(user, viewer);
    ++compared;
    if (!want) ++absent;
    if (want.has_value() != got.has_value()) {
      if (++mismatches <= 10)
        std::printf("MISMATCH user=%s viewer=%s: get_profile %s, helper %s\n", user.c_str(), viewer.c_str(),
                    want ? "returns a row" : "returns nothing", got ? "returns a row" : "returns nothing");
      continue;
    }
    if (!want) continue;
    for (size_t f = 0; f < want->size(); ++f) {
      if ((*want)[f] != (*got)[f]) {
        if (++mismatches <= 10)
          std::printf("MISMATCH user=%s viewer=%s field=%s: get_profile=%s helper=%s\n", user.c_str(),
                      viewer.c_str(), realchat::kProfileFields[f], (*want)[f] ? (*want)[f]->c_str() : "null",
                      (*got)[f] ? (*got)[f]->c_str() : "null");
        break;
      }
    }
  }
  const auto& s = reader.stats();
  std::printf("compare: absent_users_checked=%d ", gone);
  std::printf("pairs=%d absent=%d mismatches=%d hits=%ld fills=%ld stale_fills=%ld db_fallbacks=%ld\n",
              compared, absent, mismatches, s.hits, s.fills, s.stale_fills, s.database_fallbacks);
  PQfinish(db);
  return mismatches == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: cache_equivalence_tool write|wait|compare --option value ...\n");
    return 2;
  }
  std::string cmd = argv[1];
  auto a = args_of(argc, argv);
  try {
    if (cmd == "write") return write(a);
    if (cmd == "wait") return wait_caught_up(a);
    if (cmd == "compare") return compare(a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", cmd.c_str(), e.what());
    return 2;
  }
  std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
  return 2;
}
