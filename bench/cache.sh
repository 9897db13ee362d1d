#!/usr/bin/env bash
# The read cache against PostgreSQL (issue 13's read figures), on this machine, in one run:
# a throwaway PostgreSQL (fsync on, extension preloaded) and Redis (scripts/redis.sh), USERS
# users with contacts and blocks, then for 8 and 32 clients:
#   cached  the read helper, every read a Redis hit, against get_profile (same pairs)
#   miss    Redis miss, one-statement SQL read, fill, Redis read, against get_profile alone
# Reports reads/s and server CPU per read (redis-server; the postmaster and its children).
# --lag also starts Kafka, profile-publisher and profile-cache-sync and measures commit-to-Redis
# lag at LAG_RATE API calls per second (default 1000) from the daemon's histograms (bucket bounds):
# the whole lag, the daemon's own share, and beside them a bare consumer's commit-to-received
# latency in the same run (the publisher's and Kafka's share).
# --cold-start N writes N real events (UPDATEs of the populated users, USERS per statement), lets
# the publisher drain them into the topic, empties Redis and times a new profile-cache-sync (a
# new group, so from the topic's start) until it has taken every message of the topic.
# --no-reads skips the read measurements.
#
#   bench/cache.sh [--no-reads] [--lag] [--cold-start N] [SECONDS]
#                                        default 10 s per measurement; USERS (default 20000)
#   CACHE_SYNC_ARGS="-X name=value ..."  extra options for every profile-cache-sync started
#   PUBLISHER_ARGS="-X name=value ..."   extra options for the publisher (to compare its settings)
#
# Clients run on the same two cores as the servers, as in bench/run.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib.sh"
lag="" reads=1 cold=""
while [ $# -gt 0 ]; do
  case "$1" in
    --lag) lag=1 ;;
    --no-reads) reads="" ;;
    --cold-start) cold=${2:?--cold-start needs N}; shift ;;
    -*) sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2 ;;
    *) break ;;
  esac
  shift
done
seconds=${1:-10}
users=${USERS:-20000}
build=${BUILD_DIR:-$root/build}

generator=()
[ -f "$build/CMakeCache.txt" ] || generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target cache_bench profile-publisher profile-cache-sync publisher_e2e_tool >/dev/null
install_extension

work=$(make_workdir realchat-cache-bench)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  "$root/scripts/kafka.sh" stop "$work/kafka" >/dev/null 2>&1 || true
  "$root/scripts/redis.sh" stop "$work/redis" >/dev/null 2>&1 || true
  "$root/scripts/pg-cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
pg_port=$(free_port)
redis_port=$(free_port)
"$root/scripts/pg-cluster.sh" start "$work/pg" "$pg_port" --preload --bench >/dev/null
REDIS_MAXMEMORY=1gb "$root/scripts/redis.sh" start "$work/redis" "$redis_port"
export PGHOST=127.0.0.1 PGPORT=$pg_port PGUSER=postgres PGDATABASE=postgres
psql -X -q -c "CREATE EXTENSION realchat_profile CASCADE"
echo "populating $users users (10 contacts and 1 block each)" >&2
psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE FUNCTION pg_temp.uid(i int) RETURNS uuid LANGUAGE sql IMMUTABLE
  AS \$\$ SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid \$\$;
INSERT INTO profile.profiles (user_id, username, display_name, bio, status)
  SELECT pg_temp.uid(i), 'user_' || i, 'User ' || i, 'bio of ' || i, (ARRAY['online','away','busy','invisible','offline'])[1 + i % 5]::profile.presence
  FROM generate_series(1, $users) i;
UPDATE profile.profiles SET presence_audience = (ARRAY['everyone','contacts','nobody'])[1 + abs(hashtext(user_id::text)) % 3]::profile.audience;
INSERT INTO profile.contacts (user_id, contact_user_id)
  SELECT pg_temp.uid(i), pg_temp.uid(1 + (i + j * 7919) % $users) FROM generate_series(1, $users) i, generate_series(1, 10) j
  ON CONFLICT DO NOTHING;
INSERT INTO profile.blocks (user_id, blocked_user_id)
  SELECT pg_temp.uid(i), pg_temp.uid(1 + (i * 31) % $users) FROM generate_series(1, $users) i
  WHERE 1 + (i * 31) % $users <> i ON CONFLICT DO NOTHING;
TRUNCATE profile.outbox;
VACUUM ANALYZE;
SQL
redis_pid=$(cat "$work/redis/redis.pid")
postmaster=$(head -1 "$work/pg/postmaster.pid")
db="host=127.0.0.1 port=$pg_port user=postgres dbname=postgres"
# The library is loaded by the daemon in production; here no daemon runs.
"$root/scripts/redis.sh" cli "$work/redis" -x FUNCTION LOAD REPLACE <"$root/cache-sync/redis/realchat_profile.lua" >/dev/null
bench() { "$build/cache-sync/cache_bench" --db "$db" --redis "127.0.0.1:$redis_port" --users "$users" \
  --redis-pid "$redis_pid" --postmaster-pid "$postmaster" --seconds "$seconds" --mode "$1" --clients "$2"; }
if [ -n "$reads" ]; then
  echo "warming the cache" >&2
  bench warm 8 >/dev/null
  printf '%-7s %7s %10s %10s %22s %25s\n' mode clients reads reads/s redis_cpu_us/read postgres_cpu_us/read
  for clients in 8 32; do
    for mode in cached sql miss sqlone; do
      bench "$mode" "$clients" | awk '{ printf "%-7s %7s %10s %10s %22s %25s\n", $1, $2, $3, $4, $5, $6 }'
    done
  done
fi

[ -n "$lag$cold" ] || exit 0

# ---------- Kafka and the publisher (for --lag and --cold-start) ----------
kafka_port=$(free_port_pair)
"$root/scripts/kafka.sh" start "$work/kafka" "$kafka_port" 4 >/dev/null
"$root/scripts/kafka.sh" create-topic "$kafka_port" profile.events 4 >/dev/null
"$build/publisher/profile-publisher" --db "$db" --brokers "127.0.0.1:$kafka_port" --metrics-addr off \
  ${PUBLISHER_ARGS:-} >"$work/publisher.log" 2>&1 &
pids+=($!)
metrics=$(free_port)
sync_pid=""
start_sync() {  # start_sync [OPTIONS...]: a profile-cache-sync serving /metrics on $metrics
  "$build/cache-sync/profile-cache-sync" --brokers "127.0.0.1:$kafka_port" --redis "127.0.0.1:$redis_port" \
    --metrics-addr "127.0.0.1:$metrics" "$@" ${CACHE_SYNC_ARGS:-} >>"$work/cache-sync.log" 2>&1 &
  sync_pid=$!
  pids+=("$sync_pid")
}
stop_sync() { kill -TERM "$sync_pid" && wait "$sync_pid" || true; }
histogram() { curl -s "http://127.0.0.1:$metrics/metrics" | grep '^profile_cache_sync_[a-z_]*_seconds_bucket'; }
# Messages the daemon has taken from the topic (every outcome), and the messages the topic holds.
processed() {
  curl -s "http://127.0.0.1:$metrics/metrics" |
    awk '/^profile_cache_sync_(applied|absent|duplicates|gaps|deleted|bad_events)_total/ { s += $2 } END { print s + 0 }'
}
topic_end() {
  local total=0 p off
  for p in 0 1 2 3; do
    off=$(kcat -Q -b "127.0.0.1:$kafka_port" -t "profile.events:$p:-1" 2>/dev/null | awk '{print $NF}')
    total=$((total + ${off:-0}))
  done
  echo "$total"
}
# Until the outbox is published and the daemon has applied every message in the topic: a daemon
# still joining its group has applied nothing, which is no proof of being idle.
wait_idle() {
  for _ in $(seq 1 600); do
    [ "$(psql -X -At -c 'SELECT pending FROM profile.outbox_stats()')" = 0 ] &&
      [ "$(processed)" -ge "$(topic_end)" ] && return 0
    sleep 0.2
  done
  echo "lag: the daemon did not catch up within 120 s" >&2
  return 1
}

# ---------- commit-to-Redis lag ----------
if [ -n "$lag" ]; then
rate=${LAG_RATE:-1000}
g++ -O2 -std=c++17 "$root/bench/bench_tool.cpp" -o "$work/bench_tool" "-I$(pg_config --includedir)" -lpq -lrdkafka
start_sync
echo "lag: creating 200 users, then $rate calls/s for ${seconds}s" >&2
"$build/publisher/publisher_e2e_tool" write --db "$db" --users 200 --ops 0 --seed 7 >/dev/null
wait_idle
# The broker's JVM compiles its produce and fetch paths under the first steady load (bench/publisher.sh
# found the cold first run's p99 nearly twice the next one's): a first run at the same rate, unmeasured.
echo "lag: warming up at $rate calls/s for 5s" >&2
"$build/publisher/publisher_e2e_tool" write --db "$db" --users 200 --ops $((rate * 5)) --rate "$rate" \
  --conns 4 --seed 8 >/dev/null
wait_idle
histogram >"$work/lag.before"
# A bare consumer (no group, no Redis) reads the same events: the publisher's and Kafka's share.
"$work/bench_tool" consume "127.0.0.1:$kafka_port" profile.events "$work/consumer.ready" 3 $((seconds + 120)) \
  >"$work/consumer.out" &
consumer=$!
for _ in $(seq 1 300); do [ -f "$work/consumer.ready" ] && break; sleep 0.1; done
"$build/publisher/publisher_e2e_tool" write --db "$db" --users 200 --ops $((rate * seconds)) --rate "$rate" \
  --conns 4 --seed 7 >&2
wait_idle
wait "$consumer" || true
histogram >"$work/lag.after"
# Delta histogram; a percentile is reported as the bound of the bucket it falls in.
percentiles() {  # percentiles METRIC LABEL
  paste <(grep "^$1_bucket" "$work/lag.before") <(grep "^$1_bucket" "$work/lag.after") | awk -v label="$2" '
    { match($1, /le="[^"]*"/); le[NR] = substr($1, RSTART + 4, RLENGTH - 5); n[NR] = $4 - $2 }
    END {
      total = n[NR]
      for (i = 1; i <= NR; i++) {
        if (!p50 && n[i] >= 0.5 * total) p50 = le[i]
        if (!p99 && n[i] >= 0.99 * total) p99 = le[i]
      }
      printf "%s: events=%d p50<=%ss p99<=%ss\n", label, total, p50, p99
    }'
}
percentiles profile_cache_sync_apply_lag_seconds "lag (commit to Redis applied)"
percentiles profile_cache_sync_hold_seconds "daemon's share (handed over by the consumer to Redis applied)"
awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
       printf "bare consumer (commit to received, same run): events=%s p50=%sms p99=%sms", f["messages"], f["p50_ms"], f["p99_ms"]
       printf " (commit to producer p50=%sms p99=%sms, producer to received p50=%sms p99=%sms)\n",
         f["to_kafka_p50_ms"], f["to_kafka_p99_ms"], f["from_kafka_p50_ms"], f["from_kafka_p99_ms"] }' \
  "$work/consumer.out"
stop_sync
fi

# ---------- cold start: a backlog into an empty Redis ----------
[ -n "$cold" ] || exit 0
# Real events: ProfileUpdated from UPDATEs of the populated users (the trigger writes the outbox
# as for any change), USERS per statement; the publisher drains them into the topic meanwhile.
echo "cold start: writing $cold events" >&2
t0=$(date +%s.%N)
left=$cold round=0
while [ "$left" -gt 0 ]; do
  n=$((left < users ? left : users))
  round=$((round + 1))
  psql -X -q -v ON_ERROR_STOP=1 -c "UPDATE profile.profiles SET bio = 'bio ' || $round || ' of ' || username
    WHERE user_id BETWEEN '00000000-0000-4000-8000-000000000001' AND ('00000000-0000-4000-8000-' || lpad(to_hex($n), 12, '0'))::uuid"
  left=$((left - n))
done
t1=$(date +%s.%N)
for _ in $(seq 1 3000); do
  [ "$(psql -X -At -c 'SELECT pending FROM profile.outbox_stats()')" = 0 ] && break
  sleep 0.2
done
t2=$(date +%s.%N)
backlog=$(topic_end)
echo "cold start: $cold events written in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s, published $(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }') s later; the topic holds $backlog" >&2
"$root/scripts/redis.sh" cli "$work/redis" FLUSHALL >/dev/null
"$root/scripts/redis.sh" cli "$work/redis" FUNCTION FLUSH >/dev/null
# A new group reads the topic from its start; the daemon loads the library itself.
metrics=$(free_port)
t0=$(date +%s.%N)
start_sync --group profile-cache-cold
caught_up=""
for _ in $(seq 1 6000); do  # at most 20 minutes
  [ "$(processed)" -ge "$backlog" ] && { caught_up=1; break; }
  sleep 0.2
done
t1=$(date +%s.%N)
stop_sync
[ -n "$caught_up" ] || { echo "cold start: not caught up after 20 minutes ($(processed) of $backlog)" >&2; exit 1; }
awk -v a="$t0" -v b="$t1" -v n="$backlog" 'BEGIN {
  printf "cold start (empty Redis, %d events, from the daemon starting to its lag 0): %.1f s, %.0f events/s\n", n, b - a, n / (b - a) }'
