// bench_tool: the publisher benchmarks' helpers (built by bench/run.sh with one g++ line).
//
//   bench_tool drain-db CONNINFO BATCH MAX_SECONDS
//       The publisher's read-and-mark loop without Kafka: fetch BATCH pending outbox rows with
//       the publisher's own query and session settings (payloads travel to this client), mark
//       them published on a second connection while the next batch is read, repeat until none
//       is left. Prints "ROWS SECONDS BYTES".
//
//   bench_tool consume BROKERS TOPIC READY_FILE IDLE_SECONDS MAX_SECONDS
//       Reads TOPIC from its current end on every partition (no consumer group). For each
//       message: commit-to-consumer latency = receive time - the event's occurred_at (set in
//       the writing transaction, just before its commit), split into database-to-Kafka
//       (message timestamp, set by the producer - occurred_at) and Kafka-to-consumer (receive
//       - message timestamp). Touches READY_FILE once assigned; stops IDLE_SECONDS after the
//       last message (once one arrived) or at MAX_SECONDS. Prints one line of figures. With
//       BENCH_CONSUME_DUMP=FILE also writes one line per message to FILE: occurred_at, message
//       timestamp and receive time (µs since the epoch) and the partition, to see whether a
//       tail comes from a few stalls (many events late together) or is spread over the run.
//
//   bench_tool wakeup-probe SECONDS
//       Sleeps 1 ms at a time for SECONDS and prints how late it woke up (p50/p99/p99.9/max):
//       the machine's scheduling delay under the load of the moment.
//
// Every loop is bounded in time. Only 127.0.0.1 is used (the brokers and conninfo given).
#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

namespace {

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double mono_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_tool: %s\n", what.c_str());
  std::exit(1);
}

// --- drain-db ---------------------------------------------------------------------------

// The publisher's database work without Kafka: its session settings, its fetch (rows above
// the last id read, in id order) and its mark, on two connections so that the mark of one
// batch runs while the next batch is read, as in the publisher (outbox_db.cpp,
// outbox_marker.cpp).
constexpr const char* kSession =
    "SET synchronous_commit = off; SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off";
constexpr const char* kFetch =
    "SELECT id, key, topic, payload::text, payload->>'event_id', payload->>'event_type',"
    " payload->>'occurred_at', extract(epoch FROM created_at)::float8"
    " FROM profile.outbox"
    " WHERE published_at IS NULL AND quarantined_at IS NULL AND id > $1 AND key <> ALL ($3::text[])"
    " ORDER BY id LIMIT $2";
constexpr const char* kMark =
    "UPDATE profile.outbox SET published_at = now() WHERE id = ANY ($1::bigint[]) AND published_at IS NULL";

PGconn* connect_prepared(const char* conninfo, const char* name, const char* sql) {
  PGconn* conn = PQconnectdb(conninfo);
  if (PQstatus(conn) != CONNECTION_OK) die(PQerrorMessage(conn));
  PGresult* r = PQexec(conn, kSession);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) die(PQerrorMessage(conn));
  PQclear(r);
  r = PQprepare(conn, name, sql, 0, nullptr);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) die(PQerrorMessage(conn));
  PQclear(r);
  return conn;
}

// Waits for the result of the mark sent on `marker`, if one is outstanding.
void finish_mark(PGconn* marker, bool& outstanding) {
  if (!outstanding) return;
  while (PGresult* r = PQgetResult(marker)) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die(PQerrorMessage(marker));
    PQclear(r);
  }
  outstanding = false;
}

int drain_db(const char* conninfo, int batch, double max_seconds) {
  PGconn* reader = connect_prepared(conninfo, "fetch", kFetch);
  PGconn* marker = connect_prepared(conninfo, "mark", kMark);
  const std::string limit = std::to_string(batch);
  const double start = mono_s();
  long long total = 0;
  std::string last = "0", ids;
  size_t bytes = 0;
  bool mark_outstanding = false;
  while (mono_s() - start < max_seconds) {
    const char* fetch_params[3] = {last.c_str(), limit.c_str(), "{}"};
    PGresult* r = PQexecPrepared(reader, "fetch", 3, fetch_params, nullptr, nullptr, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) die(PQerrorMessage(reader));
    const int n = PQntuples(r);
    if (n == 0) {
      PQclear(r);
      break;
    }
    ids = "{";
    for (int i = 0; i < n; ++i) {
      if (i) ids += ',';
      ids += PQgetvalue(r, i, 0);
      bytes += static_cast<size_t>(PQgetlength(r, i, 3));  // the payload, as the publisher reads it
    }
    ids += '}';
    last = PQgetvalue(r, n - 1, 0);
    PQclear(r);
    finish_mark(marker, mark_outstanding);
    const char* mark_params[1] = {ids.c_str()};
    if (!PQsendQueryPrepared(marker, "mark", 1, mark_params, nullptr, nullptr, 0)) die(PQerrorMessage(marker));
    mark_outstanding = true;
    total += n;
  }
  finish_mark(marker, mark_outstanding);
  const double elapsed = mono_s() - start;
  PQfinish(reader);
  PQfinish(marker);
  std::printf("%lld %.3f %zu\n", total, elapsed, bytes);
  return 0;
}

// --- consume ----------------------------------------------------------------------------

// "YYYY-MM-DDTHH:MM:SS.ffffffZ" as unix microseconds; -1 if it is not that.
int64_t parse_rfc3339_us(const char* s, size_t len) {
  if (len != 27 || s[4] != '-' || s[10] != 'T' || s[19] != '.' || s[26] != 'Z') return -1;
  struct tm tm = {};
  auto num = [s](int at, int n) {
    int v = 0;
    for (int i = 0; i < n; ++i) v = v * 10 + (s[at + i] - '0');
    return v;
  };
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  tm.tm_sec = num(17, 2);
  return static_cast<int64_t>(timegm(&tm)) * 1000000 + num(20, 6);
}

int64_t occurred_at_us(const char* payload, size_t len) {
  static const char kKey[] = "\"occurred_at\"";
  const char* end = payload + len;
  const char* p = static_cast<const char*>(memmem(payload, len, kKey, sizeof(kKey) - 1));
  if (!p) return -1;
  p += sizeof(kKey) - 1;
  while (p < end && (*p == ' ' || *p == ':')) ++p;
  if (p >= end || *p != '"') return -1;
  const char* q = static_cast<const char*>(memchr(p + 1, '"', static_cast<size_t>(end - p - 1)));
  if (!q) return -1;
  return parse_rfc3339_us(p + 1, static_cast<size_t>(q - p - 1));
}

double pct(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return static_cast<double>(v[std::min(i, v.size() - 1)]) / 1000.0;
}

int consume(const char* brokers, const char* topic, const char* ready_file, double idle_s, double max_s) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const char* k, const char* v) {
    if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK) die(err);
  };
  set("bootstrap.servers", brokers);
  set("group.id", "realchat-bench-latency");  // needed by the API; offsets are never committed
  set("enable.auto.commit", "false");
  set("enable.partition.eof", "false");
  set("fetch.wait.max.ms", "100");  // a fetch is answered as soon as data arrives
  set("fetch.error.backoff.ms", "10");
  set("socket.nagle.disable", "true");  // as the publisher's producer
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (!rk) die(err);
  rd_kafka_poll_set_consumer(rk);

  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic, nullptr);
  if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1 ||
      md->topics[0].partition_cnt < 1)
    die(std::string("no metadata for topic ") + topic);
  const int partitions = md->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);

  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    int64_t lo = 0, hi = 0;
    if (rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
      die("cannot read watermarks");
    rd_kafka_topic_partition_list_add(parts, topic, p)->offset = hi;
  }
  if (rd_kafka_assign(rk, parts) != RD_KAFKA_RESP_ERR_NO_ERROR) die("assign failed");
  rd_kafka_topic_partition_list_destroy(parts);
  // A first poll starts the fetchers before the load begins.
  if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200)) rd_kafka_message_destroy(m);
  std::ofstream(ready_file) << "ready\n";

  std::vector<int64_t> total, to_kafka, from_kafka;
  total.reserve(1 << 20);
  to_kafka.reserve(1 << 20);
  from_kafka.reserve(1 << 20);
  long long unparsed = 0;
  FILE* dump = std::getenv("BENCH_CONSUME_DUMP") ? std::fopen(std::getenv("BENCH_CONSUME_DUMP"), "w") : nullptr;
  const double start = mono_s();
  double last = 0, first = 0;
  while (true) {
    const double t = mono_s();
    if (t - start > max_s) break;
    if (last > 0 && t - last > idle_s) break;
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (m->err) {
      rd_kafka_message_destroy(m);
      continue;
    }
    const int64_t recv = now_us();
    const int64_t occurred = occurred_at_us(static_cast<const char*>(m->payload), m->len);
    const int part = m->partition;
    rd_kafka_timestamp_type_t tstype;
    const int64_t ts_us = rd_kafka_message_timestamp(m, &tstype) * 1000;
    rd_kafka_message_destroy(m);
    last = mono_s();
    if (first == 0) first = last;
    if (occurred < 0) {
      ++unparsed;
      continue;
    }
    if (dump) std::fprintf(dump, "%lld %lld %lld %d\n", (long long)occurred, (long long)ts_us, (long long)recv, part);
    total.push_back(recv - occurred);
    // Kafka timestamps have millisecond resolution: the split is good to about 1 ms.
    to_kafka.push_back(ts_us - occurred);
    from_kafka.push_back(recv - ts_us);
  }
  if (dump) std::fclose(dump);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  std::sort(total.begin(), total.end());
  std::sort(to_kafka.begin(), to_kafka.end());
  std::sort(from_kafka.begin(), from_kafka.end());
  const double span = last > first ? last - first : 0;
  std::printf(
      "messages=%zu unparsed=%lld rate=%.0f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f "
      "to_kafka_p50_ms=%.2f to_kafka_p99_ms=%.2f from_kafka_p50_ms=%.2f from_kafka_p99_ms=%.2f\n",
      total.size(), unparsed, span > 0 ? static_cast<double>(total.size()) / span : 0.0, pct(total, 50),
      pct(total, 99), pct(total, 99.9), total.empty() ? 0.0 : static_cast<double>(total.back()) / 1000.0,
      pct(to_kafka, 50), pct(to_kafka, 99), pct(from_kafka, 50), pct(from_kafka, 99));
  return 0;
}

// --- wakeup-probe -----------------------------------------------------------------------

// How late a thread that sleeps 1 ms wakes up: the scheduling delay that every hop of the
// pipeline (publisher, librdkafka threads, the broker's threads, the consumer) pays on this
// machine under the load of the moment.
int wakeup_probe(double seconds) {
  std::vector<int64_t> late;
  late.reserve(static_cast<size_t>(seconds * 1000) + 16);
  const double start = mono_s();
  while (mono_s() - start < seconds) {
    struct timespec before, after, nap = {0, 1000000};
    clock_gettime(CLOCK_MONOTONIC, &before);
    clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, nullptr);
    clock_gettime(CLOCK_MONOTONIC, &after);
    const int64_t slept_us = (after.tv_sec - before.tv_sec) * 1000000 + (after.tv_nsec - before.tv_nsec) / 1000;
    late.push_back(std::max<int64_t>(0, slept_us - 1000));
  }
  std::sort(late.begin(), late.end());
  std::printf("wakeups=%zu late_p50_ms=%.2f late_p99_ms=%.2f late_p999_ms=%.2f late_max_ms=%.2f\n", late.size(),
              pct(late, 50), pct(late, 99), pct(late, 99.9),
              late.empty() ? 0.0 : static_cast<double>(late.back()) / 1000.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "drain-db" && argc == 5) return drain_db(argv[2], std::atoi(argv[3]), std::atof(argv[4]));
  if (cmd == "consume" && argc == 7)
    return consume(argv[2], argv[3], argv[4], std::atof(argv[5]), std::atof(argv[6]));
  if (cmd == "wakeup-probe" && argc == 3) return wakeup_probe(std::atof(argv[2]));
  std::fprintf(stderr,
               "usage: bench_tool drain-db CONNINFO BATCH MAX_SECONDS\n"
               "       bench_tool consume BROKERS TOPIC READY_FILE IDLE_SECONDS MAX_SECONDS\n"
               "       bench_tool wakeup-probe SECONDS\n");
  return 2;
}
