// Helper for tests/e2e/run.sh: drives the Profile Service API through libpq
// and reads what reached Kafka with a librdkafka consumer.
//
//   e2e_tool write       --db C --users N --ops M [--conns K] [--rate R] [--seed S]
//   e2e_tool check       --db C --brokers B --topic T [--timeout S]
//   e2e_tool late-commit --db C --brokers B --topic T
//   e2e_tool latency     --db C --brokers B --topic T [--samples N] [--max-ms M]
//   e2e_tool bulk        --db C [--users N] [--others N] [--seed S] [--open-ms M]
//   e2e_tool prepared    --db C --brokers B --topic T [--hold-ms H] [--max-ms M]
//
// `check` is the oracle: every outbox row of the topic (except keys held back
// by quarantine) must be published and be in Kafka, on the partition Java's
// murmur2 partitioner picks for its key, with the contract's headers, and each
// key's messages (first copy of each event_id) in exactly the table's id order.
#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Args = std::map<std::string, std::string>;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "e2e_tool: %s\n", what.c_str());
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0 || i + 1 >= argc) die("bad argument " + k);
    a[k.substr(2)] = argv[++i];
  }
  return a;
}

std::string arg(const Args& a, const std::string& k, const std::string& def = "\x01") {
  auto it = a.find(k);
  if (it != a.end()) return it->second;
  if (def == "\x01") die("missing --" + k);
  return def;
}

long num(const Args& a, const std::string& k, long def) { return std::stol(arg(a, k, std::to_string(def))); }

// ---------- PostgreSQL ----------

struct Pg {
  PGconn* c = nullptr;
  std::string conninfo;
  explicit Pg(std::string ci) : conninfo(std::move(ci)) { connect(); }
  ~Pg() {
    if (c) PQfinish(c);
  }
  void connect() {
    if (c) PQfinish(c);
    c = PQconnectdb(conninfo.c_str());
  }
  bool ok() const { return PQstatus(c) == CONNECTION_OK; }
  // Runs a statement; returns the result or nullptr (error text in *err).
  PGresult* exec(const std::string& sql, const std::vector<std::string>& params = {}, std::string* err = nullptr) {
    std::vector<const char*> p;
    for (const auto& s : params) p.push_back(s.c_str());
    PGresult* r = PQexecParams(c, sql.c_str(), static_cast<int>(p.size()), nullptr, p.data(), nullptr, nullptr, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      if (err) *err = PQresultErrorMessage(r);
      PQclear(r);
      return nullptr;
    }
    return r;
  }
  PGresult* must(const std::string& sql, const std::vector<std::string>& params = {}) {
    std::string err;
    PGresult* r = exec(sql, params, &err);
    if (!r) die("query failed: " + sql + ": " + err);
    return r;
  }
  void run(const std::string& sql, const std::vector<std::string>& params = {}) { PQclear(must(sql, params)); }
  std::string scalar(const std::string& sql, const std::vector<std::string>& params = {}) {
    PGresult* r = must(sql, params);
    std::string v = PQntuples(r) ? PQgetvalue(r, 0, 0) : "";
    PQclear(r);
    return v;
  }
};

std::string uuid_for(std::uint64_t seed, int i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(seed & 0xffffffff),
                static_cast<unsigned>((seed >> 32) & 0xffff), static_cast<unsigned>(i >> 12 & 0xfff),
                static_cast<unsigned>(i & 0xfff), static_cast<unsigned long long>(i + 1));
  return buf;
}

// ---------- write ----------

int cmd_write(const Args& a) {
  std::string db = arg(a, "db");
  int users = static_cast<int>(num(a, "users", 50));
  long ops = num(a, "ops", 1000);
  int conns = static_cast<int>(num(a, "conns", 2));
  long rate = num(a, "rate", 0);  // ops per second over all connections, 0 = as fast as possible
  std::uint64_t seed = static_cast<std::uint64_t>(num(a, "seed", 1));
  long max_seconds = num(a, "max-seconds", 300);

  std::vector<std::string> ids;
  for (int i = 0; i < users; ++i) ids.push_back(uuid_for(seed, i));
  std::atomic<long> committed{0}, failed{0}, next_op{0};
  auto deadline = Clock::now() + std::chrono::seconds(max_seconds);
  auto start = Clock::now();

  auto worker = [&](int w) {
    Pg pg(db);
    std::mt19937_64 gen(seed * 1000 + static_cast<std::uint64_t>(w));
    auto call = [&](const std::string& sql, const std::vector<std::string>& params) {
      for (int attempt = 0; attempt < 300 && Clock::now() < deadline; ++attempt) {
        if (!pg.ok()) {
          pg.connect();
          if (!pg.ok()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
          }
        }
        std::string err;
        PGresult* r = pg.exec(sql, params, &err);
        if (r) {
          PQclear(r);
          ++committed;
          return;
        }
        if (pg.ok()) {  // refused by the API (e.g. already a contact): not committed
          ++failed;
          return;
        }
        ++failed;  // the server went away: not committed, try the next op
        return;
      }
      ++failed;
    };
    // Worker w creates the users with index % conns == w.
    for (int i = w; i < users; i += conns)
      call("SELECT profile.create_profile(user_id => $1, username => $2, display_name => $3)",
           {ids[i], "u" + std::to_string(seed) + "_" + std::to_string(i), "User " + std::to_string(i)});
    while (Clock::now() < deadline) {
      long n = next_op++;
      if (n >= ops) break;
      if (rate > 0) {
        auto due = start + std::chrono::microseconds(n * 1000000 / rate);
        std::this_thread::sleep_until(due);
      }
      const std::string& u = ids[gen() % users];
      const std::string& other = ids[gen() % users];
      switch (gen() % 6) {
        case 0:
        case 1:
          call("SELECT profile.update_profile(user_id => $1, display_name => $2)",
               {u, "Name " + std::to_string(gen() % 100000)});
          break;
        case 2: {
          static const char* st[] = {"online", "offline", "away", "busy"};
          call("SELECT profile.set_status(user_id => $1, status => $2)", {u, st[gen() % 4]});
          break;
        }
        case 3:
          call("SELECT profile.add_contact(user_id => $1, contact_user_id => $2)", {u, other});
          break;
        case 4:
          call("SELECT profile.remove_contact(user_id => $1, contact_user_id => $2)", {u, other});
          break;
        case 5:
          call("SELECT profile.update_profile(user_id => $1, bio => $2)", {u, "bio " + std::to_string(gen())});
          break;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < conns; ++w) threads.emplace_back(worker, w);
  for (auto& t : threads) t.join();
  std::printf("write: committed=%ld refused_or_failed=%ld\n", committed.load(), failed.load());
  return 0;
}

// ---------- Kafka ----------

// Kafka's Java partitioner: murmur2 of the key bytes, made positive, modulo partitions.
std::int32_t murmur2(const std::string& key) {
  const std::uint32_t m = 0x5bd1e995;
  const int r = 24;
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  std::uint32_t length = static_cast<std::uint32_t>(key.size());
  std::uint32_t h = 0x9747b28c ^ length;
  std::uint32_t len4 = length / 4;
  for (std::uint32_t i = 0; i < len4; ++i) {
    std::uint32_t k = data[i * 4] | (data[i * 4 + 1] << 8) | (data[i * 4 + 2] << 16) |
                      (static_cast<std::uint32_t>(data[i * 4 + 3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  switch (length % 4) {
    case 3: h ^= static_cast<std::uint32_t>(data[(length & ~3u) + 2]) << 16; [[fallthrough]];
    case 2: h ^= static_cast<std::uint32_t>(data[(length & ~3u) + 1]) << 8; [[fallthrough]];
    case 1:
      h ^= data[length & ~3u];
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<std::int32_t>(h & 0x7fffffff);
}

struct Message {
  int partition;
  std::int64_t offset;
  std::string key, value;
  std::map<std::string, std::string> headers;
};

class Consumer {
 public:
  Consumer(const std::string& brokers, const std::string& topic, bool from_end) : topic_(topic) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    auto set = [&](const char* k, const std::string& v) {
      if (rd_kafka_conf_set(conf, k, v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) die(err);
    };
    set("bootstrap.servers", brokers);
    set("group.id", "e2e-check-" + std::to_string(::getpid()));
    set("enable.auto.commit", "false");
    set("enable.partition.eof", "false");
    set("fetch.wait.max.ms", "50");
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk_) die(err);
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
    for (int attempt = 0; attempt < 30; ++attempt) {
      if (rd_kafka_metadata(rk_, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 &&
          md->topics[0].partition_cnt > 0)
        break;
      if (md) rd_kafka_metadata_destroy(md);
      md = nullptr;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    if (!md) die("no metadata for topic " + topic);
    partitions_ = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions_);
    for (int p = 0; p < partitions_; ++p)
      rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset =
          from_end ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING;
    if (rd_kafka_assign(rk_, list) != RD_KAFKA_RESP_ERR_NO_ERROR) die("assign failed");
    rd_kafka_topic_partition_list_destroy(list);
  }
  ~Consumer() {
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }
  int partitions() const { return partitions_; }

  // Up to timeout_ms; false if nothing arrived.
  bool next(Message* out, int timeout_ms) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, timeout_ms);
    if (!m) return false;
    if (m->err) {
      rd_kafka_message_destroy(m);
      return false;
    }
    out->partition = m->partition;
    out->offset = m->offset;
    out->key.assign(static_cast<const char*>(m->key), m->key_len);
    out->value.assign(static_cast<const char*>(m->payload), m->len);
    out->headers.clear();
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name;
      const void* value;
      size_t size;
      for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
        out->headers[name] = std::string(static_cast<const char*>(value), size);
    }
    rd_kafka_message_destroy(m);
    return true;
  }

 private:
  rd_kafka_t* rk_ = nullptr;
  std::string topic_;
  int partitions_ = 0;
};

// ---------- check ----------

struct Expected {
  std::int64_t id;
  std::string key, event_id, event_type, occurred_at;
  long version;
  std::string traceparent;  // empty: the message must carry no traceparent header
};

std::vector<Expected> expected_rows(Pg& pg, const std::string& topic, long* unpublished) {
  // Keys with a quarantined row are held back on purpose: run.sh checks them separately.
  PGresult* r = pg.must(
      "SELECT id, key, payload->>'event_id', payload->>'event_type', payload->>'occurred_at',"
      " coalesce((payload->>'version')::bigint, 0), published_at IS NOT NULL, coalesce(traceparent, '')"
      " FROM profile.outbox o WHERE topic = $1 AND NOT EXISTS (SELECT 1 FROM profile.outbox q"
      "   WHERE q.key = o.key AND q.quarantined_at IS NOT NULL AND q.published_at IS NULL)"
      " ORDER BY id",
      {topic});
  std::vector<Expected> rows;
  *unpublished = 0;
  for (int i = 0; i < PQntuples(r); ++i) {
    rows.push_back(Expected{std::atoll(PQgetvalue(r, i, 0)), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
                            PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), std::atol(PQgetvalue(r, i, 5)),
                            PQgetvalue(r, i, 7)});
    if (PQgetvalue(r, i, 6)[0] != 't') ++*unpublished;
  }
  PQclear(r);
  return rows;
}

int cmd_check(const Args& a) {
  Pg pg(arg(a, "db"));
  if (!pg.ok()) die(std::string("connect: ") + PQerrorMessage(pg.c));
  std::string topic = arg(a, "topic");
  auto deadline = Clock::now() + std::chrono::seconds(num(a, "timeout", 60));

  // 1. Wait until the table says everything is published.
  long unpublished = 0;
  std::vector<Expected> rows;
  for (;;) {
    rows = expected_rows(pg, topic, &unpublished);
    if (unpublished == 0 || Clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }

  // 2. Read the topic until every expected event_id is there.
  Consumer consumer(arg(a, "brokers"), topic, false);
  std::unordered_map<std::string, const Expected*> by_event;
  for (const Expected& e : rows) by_event[e.event_id] = &e;
  std::unordered_set<std::string> seen;
  std::map<std::string, std::vector<std::string>> order;  // key -> event_ids, first copies, consumed order
  std::map<std::string, std::set<int>> partitions_of;
  long consumed = 0, duplicates = 0, bad_headers = 0, bad_partition = 0, unexpected = 0;
  Message m;
  auto quiet_since = Clock::now();
  while (Clock::now() < deadline) {
    if (!consumer.next(&m, 200)) {
      // Everything seen and the topic quiet for a moment: no more copies to come.
      if (seen.size() >= by_event.size() && Clock::now() - quiet_since > std::chrono::seconds(1)) break;
      continue;
    }
    quiet_since = Clock::now();
    ++consumed;
    std::string event_id;
    try {
      event_id = nlohmann::json::parse(m.value).value("event_id", "");
    } catch (const std::exception&) {
    }
    auto it = by_event.find(event_id);
    if (it == by_event.end()) {
      ++unexpected;  // e.g. a key held back now whose earlier copy went out before its quarantine
      continue;
    }
    const Expected& e = *it->second;
    partitions_of[m.key].insert(m.partition);
    if (m.partition != murmur2(m.key) % consumer.partitions()) ++bad_partition;
    auto h = [&m](const char* n) { return m.headers.count(n) ? m.headers[n] : std::string("<missing>"); };
    if (m.key != e.key || h("event_id") != e.event_id || h("event_type") != e.event_type ||
        h("ce_id") != e.event_id || h("ce_type") != e.event_type || h("ce_source") != "/realchat/profile" ||
        h("ce_specversion") != "1.0" || h("ce_time") != e.occurred_at ||
        h("traceparent") != (e.traceparent.empty() ? std::string("<missing>") : e.traceparent)) {
      if (bad_headers++ < 3)
        std::fprintf(stderr, "bad message for row %lld: key=%s event_id=%s ce_time=%s\n",
                     static_cast<long long>(e.id), m.key.c_str(), h("event_id").c_str(), h("ce_time").c_str());
    }
    if (!seen.insert(event_id).second) {
      ++duplicates;
      continue;
    }
    order[m.key].push_back(event_id);
  }

  // 3. Compare each key's first copies with the table's id order.
  std::map<std::string, std::vector<const Expected*>> want;
  for (const Expected& e : rows) want[e.key].push_back(&e);
  long missing = 0, reordered = 0, version_gaps = 0, split_keys = 0;
  for (auto& [key, list] : want) {
    for (std::size_t i = 1; i < list.size(); ++i)
      if (list[i]->version != 0 && list[i]->version != list[i - 1]->version + 1) ++version_gaps;
    const auto& got = order[key];
    for (const Expected* e : list)
      if (!seen.count(e->event_id)) {
        if (missing++ < 5) std::fprintf(stderr, "missing: row %lld key %s\n", static_cast<long long>(e->id), key.c_str());
      }
    std::unordered_map<std::string, std::size_t> position;
    for (std::size_t i = 0; i < list.size(); ++i) position[list[i]->event_id] = i;
    std::size_t last = 0;
    bool first = true;
    for (const std::string& ev : got) {
      std::size_t p = position[ev];
      if (!first && p <= last) {
        if (reordered++ < 5) std::fprintf(stderr, "out of order: key %s event %s\n", key.c_str(), ev.c_str());
      }
      last = p;
      first = false;
    }
    if (partitions_of[key].size() > 1) ++split_keys;
  }
  bool ok = unpublished == 0 && missing == 0 && reordered == 0 && bad_headers == 0 && bad_partition == 0 &&
            version_gaps == 0 && split_keys == 0 && !rows.empty();
  std::printf(
      "check %s: rows=%zu keys=%zu consumed=%ld duplicates=%ld unpublished=%ld missing=%ld reordered=%ld "
      "bad_headers=%ld wrong_partition=%ld version_gaps=%ld unexpected=%ld\n",
      topic.c_str(), rows.size(), want.size(), consumed, duplicates, unpublished, missing, reordered, bad_headers,
      bad_partition, version_gaps, unexpected);
  return ok ? 0 : 1;
}

// ---------- late-commit ----------

bool wait_published(Pg& pg, const std::string& id, int seconds) {
  auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    if (pg.scalar("SELECT published_at IS NOT NULL FROM profile.outbox WHERE id = $1", {id}) == "t") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int cmd_late_commit(const Args& a) {
  std::string db = arg(a, "db");
  Pg early(db), late_writer(db), watch(db);
  std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  std::string ua = uuid_for(seed, 1), ub = uuid_for(seed, 2);
  // Transaction A takes its outbox id first but commits last. B has its
  // transaction id before A, so A's is above every completed one when B
  // commits: a snapshot's xmax then says nothing of A.
  late_writer.run("BEGIN");
  late_writer.run("SELECT pg_current_xact_id()");
  early.run("BEGIN");
  early.run("SELECT profile.create_profile(user_id => $1, username => $2, display_name => 'Late A')",
             {ua, "late_a_" + std::to_string(seed % 1000000000)});
  std::string id_a = early.scalar("SELECT max(id) FROM profile.outbox WHERE key = $1", {ua});
  late_writer.run("SELECT profile.create_profile(user_id => $1, username => $2, display_name => 'Late B')",
                   {ub, "late_b_" + std::to_string(seed % 1000000000)});
  late_writer.run("COMMIT");
  std::string id_b = watch.scalar("SELECT max(id) FROM profile.outbox WHERE key = $1", {ub});
  std::printf("late-commit: A holds id %s, B committed id %s\n", id_a.c_str(), id_b.c_str());
  if (std::atoll(id_a.c_str()) >= std::atoll(id_b.c_str())) die("ids not in the expected order");
  if (!wait_published(watch, id_b, 15)) {
    std::printf("late-commit: FAIL: B (id %s) not published while A is open\n", id_b.c_str());
    return 1;
  }
  // Give the publisher a few more rounds past B before A becomes visible.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  early.run("COMMIT");
  if (!wait_published(watch, id_a, 15)) {
    std::printf("late-commit: FAIL: A (id %s) committed late and was never published\n", id_a.c_str());
    return 1;
  }
  std::string event_a = watch.scalar("SELECT payload->>'event_id' FROM profile.outbox WHERE id = $1", {id_a});
  Consumer consumer(arg(a, "brokers"), arg(a, "topic"), false);
  Message m;
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    if (consumer.next(&m, 200) && m.key == ua && m.value.find(event_a) != std::string::npos) {
      std::printf("late-commit: ok: id %s (lower, committed later) reached Kafka\n", id_a.c_str());
      return 0;
    }
  }
  std::printf("late-commit: FAIL: A marked published but not found in Kafka\n");
  return 1;
}

// ---------- latency ----------

int cmd_latency(const Args& a) {
  std::string db = arg(a, "db");
  Pg pg(db);
  int samples = static_cast<int>(num(a, "samples", 5));
  long max_ms = num(a, "max-ms", 1000);
  std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  std::string user = uuid_for(seed, 7);
  pg.run("SELECT profile.create_profile(user_id => $1, username => $2, display_name => 'Latency')",
          {user, "lat_" + std::to_string(seed % 1000000000)});
  Consumer consumer(arg(a, "brokers"), arg(a, "topic"), true);
  Message m;
  while (consumer.next(&m, 1000)) {
  }  // settle the assignment at the end of the topic
  std::vector<long> got;
  for (int s = 0; s < samples; ++s) {
    // Idle long enough that the publisher is asleep on LISTEN, not polling.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    auto t0 = Clock::now();
    pg.run("SELECT profile.update_profile(user_id => $1, display_name => $2)", {user, "Latency " + std::to_string(s)});
    auto committed = Clock::now();
    std::string event = pg.scalar("SELECT payload->>'event_id' FROM profile.outbox WHERE key = $1 ORDER BY id DESC LIMIT 1", {user});
    long ms = -1;
    while (Clock::now() - committed < std::chrono::seconds(15)) {
      if (consumer.next(&m, 100) && m.value.find(event) != std::string::npos) {
        ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - committed).count();
        break;
      }
    }
    (void)t0;
    got.push_back(ms);
    std::printf("latency: sample %d: %ld ms\n", s, ms);
  }
  bool ok = std::all_of(got.begin(), got.end(), [max_ms](long v) { return v >= 0 && v < max_ms; });
  std::sort(got.begin(), got.end());
  std::printf("latency %s: median=%ld ms max=%ld ms (limit %ld ms)\n", ok ? "ok" : "FAIL", got[got.size() / 2],
              got.back(), max_ms);
  return ok ? 0 : 1;
}

// ---------- bulk ----------

// One transaction writes an event for each of --users users (more than the
// publisher's --batch-size) while other users' writes commit, so that the
// publisher reads past its ids; once it commits, every one of its users
// writes again at once. Their new events must not go out before the bulk's.
int cmd_bulk(const Args& a) {
  std::string db = arg(a, "db");
  int users = static_cast<int>(num(a, "users", 600));
  int others = static_cast<int>(num(a, "others", 20));
  std::uint64_t seed = static_cast<std::uint64_t>(num(a, "seed", 21));
  long open_ms = num(a, "open-ms", 2000);
  std::vector<std::string> bulk_ids, other_ids;
  for (int i = 0; i < users; ++i) bulk_ids.push_back(uuid_for(seed, i));
  for (int i = 0; i < others; ++i) other_ids.push_back(uuid_for(seed + 1, i));

  Pg bulk(db);
  if (!bulk.ok()) die(std::string("connect: ") + PQerrorMessage(bulk.c));
  auto create = [&](const std::vector<std::string>& ids, const std::string& prefix) {
    std::string list = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) list += (i ? "," : "") + ids[i];
    list += "}";
    bulk.run("SELECT count(profile.create_profile(user_id => u, username => $2 || n, display_name => 'Bulk ' || n))"
             " FROM unnest($1::uuid[]) WITH ORDINALITY AS t(u, n)",
             {list, prefix + std::to_string(seed) + "_"});
    return list;
  };
  std::string bulk_list = create(bulk_ids, "bulk");
  create(other_ids, "busy");

  // Other users' writes, one committed transaction each, until told to stop.
  std::atomic<bool> stop{false};
  std::atomic<long> other_writes{0};
  std::thread busy([&] {
    Pg pg(db);
    for (long n = 0; !stop && n < 100000; ++n) {
      pg.run("SELECT profile.update_profile(user_id => $1, bio => $2)",
             {other_ids[static_cast<std::size_t>(n) % other_ids.size()], "busy " + std::to_string(n)});
      ++other_writes;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  bulk.run("BEGIN");
  std::string floor = bulk.scalar("SELECT coalesce(max(id), 0) FROM profile.outbox");
  bulk.run("SELECT count(profile.update_profile(user_id => u, bio => 'bulk')) FROM unnest($1::uuid[]) AS u",
           {bulk_list});
  std::string range = bulk.scalar(
      "SELECT min(id) || '..' || max(id) FROM profile.outbox WHERE id > $1 AND key = ANY ($2::text[])",
      {floor, bulk_list});
  long before = other_writes;
  std::this_thread::sleep_for(std::chrono::milliseconds(open_ms));
  bulk.run("COMMIT");
  long during = other_writes - before;
  // Every bulk user writes again now, from two connections.
  std::vector<std::thread> after;
  for (int w = 0; w < 2; ++w)
    after.emplace_back([&, w] {
      Pg pg(db);
      for (std::size_t i = static_cast<std::size_t>(w); i < bulk_ids.size(); i += 2)
        pg.run("SELECT profile.update_profile(user_id => $1, bio => 'after bulk')", {bulk_ids[i]});
    });
  for (auto& t : after) t.join();
  stop = true;
  busy.join();
  std::printf("bulk: one transaction wrote %d events (ids %s) while %ld other writes committed; "
              "then %d later events of the same users\n",
              users, range.c_str(), during, users);
  if (during == 0) die("no other write committed while the bulk transaction was open");
  return 0;
}

// ---------- prepared ----------

// A write in a prepared transaction: its COMMIT PREPARED sends no NOTIFY. The
// event must still reach Kafka within --max-ms of it.
int cmd_prepared(const Args& a) {
  std::string db = arg(a, "db");
  long hold_ms = num(a, "hold-ms", 3000);
  long max_ms = num(a, "max-ms", 2000);
  Pg pg(db), watch(db);
  std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  std::string user = uuid_for(seed, 9);
  std::string gid = "e2e_prepared_" + std::to_string(seed % 1000000000);
  pg.run("SELECT profile.create_profile(user_id => $1, username => $2, display_name => 'Prepared')",
         {user, "prep_" + std::to_string(seed % 1000000000)});
  Consumer consumer(arg(a, "brokers"), arg(a, "topic"), true);
  Message m;
  while (consumer.next(&m, 1000)) {
  }  // settle the assignment at the end of the topic
  // Idle long enough that the publisher is asleep on LISTEN.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  pg.run("BEGIN");
  pg.run("SELECT profile.update_profile(user_id => $1, display_name => 'Prepared 2')", {user});
  std::string id = pg.scalar("SELECT max(id) FROM profile.outbox WHERE key = $1", {user});
  std::string event = pg.scalar("SELECT payload->>'event_id' FROM profile.outbox WHERE id = $1", {id});
  std::string err;
  if (PGresult* r = pg.exec("PREPARE TRANSACTION '" + gid + "'", {}, &err)) {
    PQclear(r);
  } else {
    die("PREPARE TRANSACTION: " + err + " (max_prepared_transactions must be above 0)");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
  pg.run("COMMIT PREPARED '" + gid + "'");
  auto committed = Clock::now();
  long ms = -1;
  while (Clock::now() - committed < std::chrono::seconds(15)) {
    if (consumer.next(&m, 100) && m.value.find(event) != std::string::npos) {
      ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - committed).count();
      break;
    }
  }
  bool ok = ms >= 0 && ms < max_ms;
  std::printf("prepared %s: row %s, held prepared for %ld ms, in Kafka %ld ms after COMMIT PREPARED (limit %ld ms)\n",
              ok ? "ok" : "FAIL", id.c_str(), hold_ms, ms, max_ms);
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) die("usage: e2e_tool write|check|late-commit|latency|bulk|prepared [--name value ...]");
  std::string cmd = argv[1];
  Args a = parse_args(argc, argv);
  if (cmd == "write") return cmd_write(a);
  if (cmd == "check") return cmd_check(a);
  if (cmd == "late-commit") return cmd_late_commit(a);
  if (cmd == "latency") return cmd_latency(a);
  if (cmd == "bulk") return cmd_bulk(a);
  if (cmd == "prepared") return cmd_prepared(a);
  die("unknown command " + cmd);
}
