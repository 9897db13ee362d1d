#!/usr/bin/env bash
# bench/publisher.sh: the publisher section of bench/run.sh (not meant to be run alone).
#
# Needs from run.sh: PORT and PGDIR (the bench cluster, extension preloaded, database "bench" populated),
# WORK (scratch directory), RESULTS (TSV to append to), BACKLOG (outbox rows to drain),
# DURATION (seconds per latency run, at least 10 used). Optional: PROFILE=1 (perf profiles),
# PUBLISHER_ARGS (extra options for every publisher run, e.g. "-X linger.ms=5", to compare).
#
#   1. drain: BACKLOG outbox rows with `profile-publisher --once`, against (a) kcat producing the
#      same key/value pairs from a file with the publisher's producer settings (Kafka's limit
#      here) and (b) the publisher's own read-and-mark queries with no Kafka (the database's
#      limit). Peak memory of the publisher for BACKLOG/10 and BACKLOG rows.
#   2. latency: the publisher running as a daemon (wake-ups through NOTIFY on request),
#      update_profile at a steady 1,000 events/s and then as fast as 32 clients go; a consumer
#      measures occurred_at (in the writing transaction) to receive time, p50/p99/p99.9.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/lib.sh

: "${PORT:?}" "${PGDIR:?}" "${WORK:?}" "${RESULTS:?}" "${BACKLOG:?}" "${DURATION:?}"
lat_seconds=$((DURATION * 2 > 10 ? DURATION * 2 : 10))
conninfo="host=127.0.0.1 port=$PORT user=postgres dbname=bench"
publisher_bin="$root/build/publisher/profile-publisher"
tool="$WORK/bench_tool"
kafka_dir="$WORK/kafka"
kport=""
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -d "$kafka_dir" ] && scripts/kafka.sh stop "$kafka_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
record() { printf 'publisher\t%s\t0\t%s\t1\t%s\t\n' "$1" "$2" "$3" >>"$RESULTS"; }
q() { timeout 900 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d bench "$@"; }
qv() { q -At "$@"; }

# --- build --------------------------------------------------------------------------------
log "publisher: building profile-publisher and bench_tool"
if ! { cmake -S . -B build -G Ninja >"$WORK/cmake.log" 2>&1 &&
       cmake --build build --target profile-publisher >>"$WORK/cmake.log" 2>&1; } ||
   [ ! -x "$publisher_bin" ]; then
  tail -20 "$WORK/cmake.log" >&2
  log "publisher: profile-publisher does not build; section skipped"
  record status build_failed 1
  exit 0
fi
g++ -O2 -std=c++17 -Wall -Wextra bench/bench_tool.cpp -o "$tool" \
  "-I$(pg_config --includedir)" -lpq -lrdkafka

# --- Kafka --------------------------------------------------------------------------------
kport=$(free_port_pair) || exit 1
log "publisher: Kafka on 127.0.0.1:$kport"
scripts/kafka.sh start "$kafka_dir" "$kport" 6 >"$WORK/kafka-start.log" 2>&1 ||
  { cat "$WORK/kafka-start.log" >&2; exit 1; }
scripts/kafka.sh create-topic "$kport" profile.events 6
brokers="127.0.0.1:$kport"

# Sum of the topic's end offsets: how many messages it holds.
topic_end() {
  local total=0 p off
  for p in 0 1 2 3 4 5; do
    off=$(kcat -Q -b "$brokers" -t "profile.events:$p:-1" 2>/dev/null | awk '{print $NF}')
    total=$((total + ${off:-0}))
  done
  echo "$total"
}

# CPU seconds so far of the Kafka broker (all its threads) and of the cluster's exited
# backends (the postmaster's reaped children): with /usr/bin/time's user+sys of the client,
# where a drain's CPU went.
ticks=$(getconf CLK_TCK)
kafka_cpu() { awk -v t="$ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$(cat "$kafka_dir/kafka.pid")/stat"; }
pg_cpu() { awk -v t="$ticks" '{printf "%.2f", ($16 + $17) / t}' "/proc/$(head -1 "$PGDIR/postmaster.pid")/stat"; }
cpu_mark() { k0=$(kafka_cpu); p0=$(pg_cpu); }
# cpu_record WHAT ROWS CLIENT_USER CLIENT_SYS: CPU microseconds per event, by process
cpu_record() {
  sleep 0.5
  local k1 p1
  k1=$(kafka_cpu); p1=$(pg_cpu)
  record drain "${1}_cpu_us_per_event_client" "$(python3 -c "print(round(($3 + $4) * 1e6 / $2, 1))")"
  record drain "${1}_cpu_us_per_event_postgres" "$(python3 -c "print(round(($p1 - $p0) * 1e6 / $2, 1))")"
  record drain "${1}_cpu_us_per_event_kafka" "$(python3 -c "print(round(($k1 - $k0) * 1e6 / $2, 1))")"
}

# --- backlog ------------------------------------------------------------------------------
# Rows shaped like the extension's ProfileUpdated events of the 200,000 users, inserted
# directly: the publisher sees the same rows it would see after as many update_profile calls.
make_backlog() { # make_backlog ROWS
  q -c "TRUNCATE profile.outbox" -c "
    INSERT INTO profile.outbox (topic, key, payload)
    SELECT 'profile.events', u::text,
           jsonb_build_object('event_id', gen_random_uuid(), 'event_type', 'ProfileUpdated',
             'user_id', u, 'version', 1 + i / 200000, 'occurred_at', bench.ts(clock_timestamp()),
             'data', jsonb_build_object('username', 'user' || (1 + i % 200000),
                       'display_name', 'User ' || i, 'bio', 'Bio text number ' || i,
                       'avatar_url', 'https://cdn.example.com/avatars/' || (1 + i % 200000) || '.jpg',
                       'status', 'online', 'last_seen', bench.ts(clock_timestamp()),
                       'changed', jsonb_build_array('display_name', 'bio')))
    FROM generate_series(0, $1 - 1) i, LATERAL (SELECT bench.uid(1 + i % 200000) AS u) x" \
    -c "VACUUM ANALYZE profile.outbox" -c "CHECKPOINT"
}
unpublish() {
  q -c "UPDATE profile.outbox SET published_at = NULL" -c "VACUUM ANALYZE profile.outbox" -c "CHECKPOINT"
}
pending() { qv -c "SELECT count(*) FROM profile.outbox WHERE published_at IS NULL"; }

# With PROFILE=1, perf samples every process during the full drain and the 1,000 events/s
# latency run (bench/perf.sh).
. bench/perf.sh

# publisher_once ROWS LABEL: drains with --once; records events/s and peak RSS.
publisher_once() {
  local rows=$1 label=$2 before after out elapsed rss
  before=$(topic_end)
  cpu_mark
  timeout 1800 /usr/bin/time -o "$WORK/time-$label" -f '%e %M %U %S' "$publisher_bin" --db "$conninfo" \
    --brokers "$brokers" --once ${PUBLISHER_ARGS:-} --metrics-addr off --retention 0 --log-level warn >"$WORK/publisher-$label.log" 2>&1
  read -r elapsed rss user sys <"$WORK/time-$label"
  cpu_record "publisher_$label" "$rows" "$user" "$sys"
  after=$(topic_end)
  [ "$(pending)" = 0 ] || { log "publisher: rows left pending after --once"; tail "$WORK/publisher-$label.log" >&2; return 1; }
  [ $((after - before)) -ge "$rows" ] || { log "publisher: only $((after - before)) of $rows messages reached Kafka"; return 1; }
  record drain "publisher_${label}_events_per_s" "$(python3 -c "print(round($rows / $elapsed))")"
  record drain "publisher_${label}_peak_rss_mib" "$(python3 -c "print(round($rss / 1024, 1))")"
  log "publisher --once: $rows rows in ${elapsed}s, peak RSS $((rss / 1024)) MiB"
}

# --- 1. drain -----------------------------------------------------------------------------
small=$((BACKLOG / 10))
log "publisher: backlog of $small rows (memory baseline)"
make_backlog "$small"
publisher_once "$small" small

log "publisher: backlog of $BACKLOG rows"
make_backlog "$BACKLOG"
# (b) the database's limit: the same read-and-mark queries, no Kafka
cpu_mark
/usr/bin/time -o "$WORK/time-db" -f '%e %M %U %S' "$tool" drain-db "$conninfo" 5000 1800 >"$WORK/db-loop.out"
read -r db_rows db_seconds _ <"$WORK/db-loop.out"
read -r _ _ user sys <"$WORK/time-db"
cpu_record db_loop "$db_rows" "$user" "$sys"
[ "$db_rows" = "$BACKLOG" ] || log "publisher: the read-and-mark loop saw $db_rows rows, expected $BACKLOG"
record drain db_loop_events_per_s "$(python3 -c "print(round($db_rows / $db_seconds))")"
log "read-and-mark loop without Kafka: $db_rows rows in ${db_seconds}s"

# (a) Kafka's limit: kcat with the publisher's producer settings, the same key/value pairs
psql -X -At -v FETCH_COUNT=20000 -F $'\t' -h 127.0.0.1 -p "$PORT" -U postgres -d bench \
  -c "SELECT key, payload::text FROM profile.outbox ORDER BY id" >"$WORK/messages.tsv"
before=$(topic_end)
cpu_mark
timeout 1800 /usr/bin/time -o "$WORK/time-kcat" -f '%e %M %U %S' kcat -P -b "$brokers" -t profile.events -K $'\t' \
  -X enable.idempotence=true -X acks=all -X linger.ms=0 -X compression.type=lz4 \
  -X partitioner=murmur2_random -X queue.buffering.max.messages=1000000 \
  <"$WORK/messages.tsv" >"$WORK/kcat.log" 2>&1
read -r kcat_elapsed kcat_rss user sys <"$WORK/time-kcat"
cpu_record kcat "$BACKLOG" "$user" "$sys"
record drain kcat_peak_rss_mib "$(python3 -c "print(round($kcat_rss / 1024, 1))")"
after=$(topic_end)
rm -f "$WORK/messages.tsv"
[ $((after - before)) -ge "$BACKLOG" ] || log "kcat: only $((after - before)) of $BACKLOG messages reached Kafka"
record drain kcat_events_per_s "$(python3 -c "print(round($BACKLOG / $kcat_elapsed))")"
log "kcat: $BACKLOG messages in ${kcat_elapsed}s"

# the publisher itself
unpublish
perf_start drain
publisher_once "$BACKLOG" full
perf_stop

# --- 2. latency ---------------------------------------------------------------------------
q -c "TRUNCATE profile.outbox" -c "CHECKPOINT"
"$publisher_bin" --db "$conninfo" --brokers "$brokers" ${PUBLISHER_ARGS:-} --metrics-addr off --retention 0 --log-level warn \
  >"$WORK/publisher-daemon.log" 2>&1 &
daemon=$!
pids+=("$daemon")
# Ready once it has asked for a wake-up (it leads and sleeps on LISTEN).
for _ in $(seq 1 300); do
  [ "$(qv -c "SELECT wakeups_requested > 0 FROM profile.wakeup_stats()")" = t ] && break
  kill -0 "$daemon" 2>/dev/null || { tail "$WORK/publisher-daemon.log" >&2; exit 1; }
  sleep 0.1
done

# "BUSY TOTAL" jiffies of all CPUs so far (/proc/stat: busy = all but idle and iowait).
cpu_busy_ticks() { awk '/^cpu /{t=0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t}' /proc/stat; }

# latency LABEL PGBENCH_ARGS...: update_profile load while the consumer measures, and a
# wake-up probe measures the machine's scheduling delay under that load.
latency() {
  local label=$1 consumer probe line busy0 busy1
  shift
  rm -f "$WORK/ready"
  "$tool" consume "$brokers" profile.events "$WORK/ready" 3 $((lat_seconds + 120)) >"$WORK/latency-$label.out" &
  consumer=$!
  pids+=("$consumer")
  for _ in $(seq 1 300); do [ -f "$WORK/ready" ] && break; sleep 0.1; done
  [ -f "$WORK/ready" ] || { log "consumer not ready"; return 1; }
  "$tool" wakeup-probe "$lat_seconds" >"$WORK/wakeups-$label.out" &
  probe=$!
  pids+=("$probe")
  busy0=$(cpu_busy_ticks)
  timeout $((lat_seconds + 120)) pgbench -n -M prepared -T "$lat_seconds" "$@" \
    -h 127.0.0.1 -p "$PORT" -U postgres -D users=200000 -D owners=20 -D first=21 \
    -f bench/sql/write_update_profile_ext.sql bench >"$WORK/latency-$label.pgbench" 2>&1
  busy1=$(cpu_busy_ticks)
  wait "$probe" "$consumer"
  record "latency_$label" machine_cpu_busy_pct "$(python3 -c "
b0, t0 = map(int, '$busy0'.split()); b1, t1 = map(int, '$busy1'.split())
print(round(100 * (b1 - b0) / max(1, t1 - t0)))")"
  for field in late_p50_ms late_p99_ms late_p999_ms; do
    record "latency_$label" "wakeup_$field" "$(tr ' ' '\n' <"$WORK/wakeups-$label.out" | sed -n "s/^$field=//p")"
  done
  line=$(cat "$WORK/latency-$label.out")
  log "latency $label: $line"
  for field in rate p50_ms p99_ms p999_ms max_ms to_kafka_p50_ms to_kafka_p99_ms from_kafka_p50_ms from_kafka_p99_ms messages; do
    record "latency_$label" "$field" "$(tr ' ' '\n' <<<"$line" | sed -n "s/^$field=//p")"
  done
  record "latency_$label" writer_tps "$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$WORK/latency-$label.pgbench")"
}
# The scheduling delay with everything up and no load, to compare the loaded runs with.
"$tool" wakeup-probe 5 >"$WORK/wakeups-idle.out"
for field in late_p50_ms late_p99_ms late_p999_ms; do
  record wakeup_idle "$field" "$(tr ' ' '\n' <"$WORK/wakeups-idle.out" | sed -n "s/^$field=//p")"
done
# The broker's JVM is still compiling the fetch and produce paths of a steady trickle after
# the drain (its C2 compiler thread took a fifth of the CPU in the first such run): one run
# at the same rate first, reported on its own line, warms it up.
latency 1000_per_s_warm_up -c 8 -j 2 -R 1000
perf_start latency-1000
latency 1000_per_s -c 8 -j 2 -R 1000
perf_stop
latency max_rate -c 32 -j 2

kill -TERM "$daemon" 2>/dev/null || true
for _ in $(seq 1 150); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
record latency_notify notifies_sent "$(qv -c "SELECT notifies_sent FROM profile.wakeup_stats()")"
