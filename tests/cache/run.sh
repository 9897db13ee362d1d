#!/usr/bin/env bash
# The read cache end to end: a throwaway PostgreSQL (extension preloaded), Kafka and Redis on
# free loopback ports, profile-publisher and profile-cache-sync. Random API calls over a few
# hundred users; once the group has committed everything (offsets are committed only after Redis
# applied them), thousands of random (user, viewer) pairs: the read helper's answer must equal
# get_profile's field by field. Checked again after each fault: kill -9 of the daemon, Redis
# restarted empty, Kafka stopped and restarted, a rebalance between two daemons of the group.
# Prints one line per test and "N passed, N failed" last.
#
#   tests/cache/run.sh [TEST ...]     default: all, in order
#
# Env: BUILD_DIR (default build), USERS (300), OPS (3000 first, a third per fault), PAIRS (3000),
# KEEP_TMP=1 keeps the temporary directory.
set -uo pipefail

all_tests=(unit library config_errors equivalence kill_daemon redis_restart kafka_restart rebalance
           rebalance_cooperative sigterm)
tests=("${@:-${all_tests[@]}}")

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/lib.sh"
build=${BUILD_DIR:-$root/build}
users=${USERS:-300}
ops=${OPS:-3000}
pairs=${PAIRS:-3000}
topic=profile.events
group=profile-cache
partitions=4

log() { printf '%s cache: %s\n' "$(date +%T)" "$*" >&2; }
die() { log "$*"; echo "0 passed, 1 failed"; exit 1; }

log "building profile-publisher, profile-cache-sync and the cache tests in $build"
generator=()
[ -f "$build/CMakeCache.txt" ] || generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" >/dev/null || die "cmake configure failed"
cmake --build "$build" -j2 --target profile-publisher profile-cache-sync cache_unit_tests cache_library_tests \
  cache_equivalence_tool >/dev/null || die "build failed"
publisher=$build/publisher/profile-publisher
sync_bin=$build/cache-sync/profile-cache-sync
tool=$build/cache-sync/cache_equivalence_tool
log "installing the extension"
install_extension || die "make install (extension) failed"

pids=()
writer_pid=""
kill9() { kill -9 "$1" 2>/dev/null && wait "$1" 2>/dev/null; }
cleanup() {
  local p
  [ -n "$writer_pid" ] && kill9 "$writer_pid"
  for p in "${pids[@]}"; do kill9 "$p"; done
  "$root/scripts/redis.sh" kill "$tmp/redis" >/dev/null 2>&1
  "$root/scripts/kafka.sh" kill "$tmp/kafka" >/dev/null 2>&1
  "$root/scripts/pg-cluster.sh" stop "$tmp/pg" immediate >/dev/null 2>&1
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
tmp=$(make_workdir realchat-cache)
trap cleanup EXIT
trap 'exit 130' INT TERM

pg_port=$(free_port)
redis_port=$(free_port)
kafka_port=$(free_port_pair) || die "no free port for Kafka"
brokers=127.0.0.1:$kafka_port
db="host=127.0.0.1 port=$pg_port user=postgres dbname=cache"
log "PostgreSQL on $pg_port, Kafka on $kafka_port, Redis on $redis_port, temp $tmp"
"$root/scripts/pg-cluster.sh" start "$tmp/pg" "$pg_port" --preload >/dev/null || die "PostgreSQL did not start"
psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE cache" || die "createdb failed"
psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d cache -c "CREATE EXTENSION realchat_profile CASCADE" \
  || die "CREATE EXTENSION failed"
# The read helper runs as a member of profile_cache_reader (scripts/create-roles.sql), so the
# comparisons also prove its grants suffice.
psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d cache -v ON_ERROR_STOP=1 -f "$root/scripts/create-roles.sql" \
  -c "CREATE ROLE cache_reader LOGIN IN ROLE profile_cache_reader" >/dev/null || die "create-roles.sql failed"
reader_db="host=127.0.0.1 port=$pg_port user=cache_reader dbname=cache"
"$root/scripts/kafka.sh" start "$tmp/kafka" "$kafka_port" "$partitions" >/dev/null || die "Kafka did not start"
"$root/scripts/kafka.sh" create-topic "$kafka_port" "$topic" "$partitions" >/dev/null || die "topic creation failed"
"$root/scripts/redis.sh" start "$tmp/redis" "$redis_port" || die "Redis did not start"

"$publisher" --db "$db" --brokers "$brokers" --poll-interval 1s --metrics-addr off >>"$tmp/publisher.log" 2>&1 &
pids+=($!)

sync_extra=()
metrics_a=$(free_port)
metrics_b=$(free_port)
start_sync() {  # NAME METRICS_PORT -> sets sync_NAME
  # A short session so the group notices a killed member within seconds.
  "$sync_bin" --brokers "$brokers" --redis "127.0.0.1:$redis_port" --metrics-addr "127.0.0.1:$2" \
    -X session.timeout.ms=6000 -X heartbeat.interval.ms=500 "${sync_extra[@]}" >>"$tmp/sync-$1.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  printf -v "sync_$1" '%s' "$pid"
}
metric() {  # PORT NAME -> value or empty
  curl -s --max-time 2 "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n { print $2 }'
}
wait_for() {  # SECONDS COMMAND...
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -ge $deadline ] && return 1; sleep 0.2; done
}
has_partitions() { [ "$(metric "$1" profile_cache_sync_assigned_partitions)" -gt 0 ] 2>/dev/null; }
alive() { [ -n "$1" ] && [ "$1" != 0 ] && kill -0 "$1" 2>/dev/null; }
ensure_sync_a() { alive "${sync_a:-0}" || start_sync a "$metrics_a"; }

seed=1
write() {  # OPS: random API calls (foreground)
  seed=$((seed + 1))
  timeout 300 "$tool" write --db "$db" --users "$users" --ops "$1" --seed "$seed" >>"$tmp/writer.log" 2>&1
}
write_bg() {
  seed=$((seed + 1))
  timeout 300 "$tool" write --db "$db" --users "$users" --ops "$1" --seed "$seed" >>"$tmp/writer.log" 2>&1 &
  writer_pid=$!
}
wait_writer() { wait "$writer_pid"; local rc=$?; writer_pid=""; return $rc; }
caught_up() {
  timeout 200 "$tool" wait --db "$db" --brokers "$brokers" --group "$group" --topic "$topic" --timeout "${1:-150}"
}
compare() {
  seed=$((seed + 1))
  timeout 300 "$tool" compare --db "$reader_db" --redis "127.0.0.1:$redis_port" --pairs "$pairs" --seed "$seed" \
    | tee -a "$tmp/compare.log" | tail -11 >&2
  [ "${PIPESTATUS[0]}" -eq 0 ]
}
converges() { caught_up && compare; }

# ---------- tests ----------

# The daemon's pure logic: offsets, outcomes, options (no server).
test_unit() { "$build/cache-sync/cache_unit_tests" --gtest_brief=1 >&2; }

# The Lua library against this Redis: duplicate, gap, fill race, deletion, eviction, masking,
# and the rule table against extension/core.
test_library() {
  local other=$tmp/redis-library port
  port=$(free_port)
  "$root/scripts/redis.sh" start "$other" "$port" || return 1
  REDIS_PORT=$port "$build/cache-sync/cache_library_tests" --gtest_brief=1 >&2
  local rc=$?
  "$root/scripts/redis.sh" stop "$other"
  return $rc
}

# Bad options exit 2 with one line; an unreachable Redis at start exits 1.
test_config_errors() {
  local out rc
  out=$("$sync_bin" --redis 127.0.0.1:1 2>&1); rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q 'no Kafka brokers' <<<"$out" || { log "no brokers: $out"; return 1; }
  out=$("$sync_bin" --brokers "$brokers" -X enable.auto.commit=perhaps 2>&1); rc=$?
  [ $rc -eq 2 ] && grep -q -- '-X enable.auto.commit' <<<"$out" || { log "bad -X: $out"; return 1; }
  out=$(timeout 20 "$sync_bin" --brokers "$brokers" --redis "127.0.0.1:$(free_port)" --metrics-addr off 2>&1 \
        | grep -v '^ts='); rc=${PIPESTATUS[0]}
  [ $rc -eq 1 ] && grep -q 'redis 127.0.0.1' <<<"$out" || { log "unreachable redis: rc=$rc $out"; return 1; }
}

# A new group reads the stream from the start into an empty Redis; then the reader and
# get_profile agree for every pair, deleted users have no keys, /healthz and /metrics answer.
test_equivalence() {
  write "$ops" || { log "writer failed"; return 1; }
  ensure_sync_a
  converges || return 1
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$metrics_a/healthz")" = 200 ] \
    || { log "healthz not 200"; return 1; }
  # Into an empty Redis every event finds its user uncached (ProfileCreated included): floors only.
  local absent applied; absent=$(metric "$metrics_a" profile_cache_sync_absent_total)
  [ "${absent:-0}" -gt 0 ] || { log "absent_total=$absent"; return 1; }
  # Reads filled the cache: a second round is served by Redis (compare prints hits and fills),
  # and its events apply on top of the filled versions.
  write $((ops / 3)) && converges || return 1
  applied=$(metric "$metrics_a" profile_cache_sync_applied_total)
  [ "${applied:-0}" -gt 0 ] || { log "applied_total=$applied"; return 1; }
}

# kill -9 in the middle of a load: uncommitted events are applied again (duplicates skipped).
test_kill_daemon() {
  ensure_sync_a
  write_bg $((ops / 3))
  sleep 1.5
  kill9 "$sync_a"
  sleep 0.5
  start_sync a "$metrics_a"
  wait_writer || { log "writer failed"; return 1; }
  converges
}

# Redis restarted empty (no persistence): the daemon reconnects, loads the library again, and
# the cache refills from reads and events.
test_redis_restart() {
  ensure_sync_a
  write_bg $((ops / 3))
  sleep 1
  "$root/scripts/redis.sh" kill "$tmp/redis"
  sleep 1
  "$root/scripts/redis.sh" start "$tmp/redis" "$redis_port" || return 1
  wait_writer || { log "writer failed"; return 1; }
  converges || return 1
  local loads; loads=$(metric "$metrics_a" profile_cache_sync_library_loads_total)
  [ "${loads:-0}" -ge 2 ] || { log "library loaded $loads times, expected a reload"; return 1; }
}

# Kafka stopped while the API keeps writing, then started again.
test_kafka_restart() {
  ensure_sync_a
  "$root/scripts/kafka.sh" stop "$tmp/kafka" >/dev/null || return 1
  write $((ops / 3)) || { log "writer failed"; return 1; }
  "$root/scripts/kafka.sh" start "$tmp/kafka" "$kafka_port" "$partitions" >/dev/null || return 1
  converges
}

# A second daemon joins the group during a load, then the first leaves: partitions move twice,
# each revocation commits what Redis applied.
test_rebalance() {
  ensure_sync_a
  write_bg $((ops / 2))
  start_sync b "$metrics_b"
  wait_for 30 has_partitions "$metrics_b" || { log "second daemon got no partitions"; return 1; }
  kill -TERM "$sync_a"
  wait "$sync_a"
  wait_writer || { log "writer failed"; return 1; }
  converges || return 1
  [ "$(metric "$metrics_b" profile_cache_sync_assigned_partitions)" = "$partitions" ] \
    || { log "the remaining daemon does not own every partition"; return 1; }
}

# The same with the cooperative protocol (incremental assign and revoke): a fresh pair of daemons.
test_rebalance_cooperative() {
  local p
  for p in "${sync_a:-}" "${sync_b:-}"; do alive "$p" && { kill -TERM "$p"; wait "$p"; }; done
  sync_extra=(-X partition.assignment.strategy=cooperative-sticky)
  start_sync a "$metrics_a"
  wait_for 30 has_partitions "$metrics_a" || { log "first daemon got no partitions"; return 1; }
  test_rebalance
  local rc=$?
  grep -q 'protocol=cooperative' "$tmp"/sync-*.log || { log "no cooperative assignment seen"; return 1; }
  return $rc
}

# SIGTERM: commits what Redis applied and exits 0 promptly.
test_sigterm() {
  local p start rc
  for p in "${sync_a:-}" "${sync_b:-}"; do
    [ -n "$p" ] && alive "$p" || continue
    start=$SECONDS
    kill -TERM "$p"
    wait "$p"; rc=$?
    [ $rc -eq 0 ] || { log "exit code $rc after SIGTERM"; return 1; }
    [ $((SECONDS - start)) -le 15 ] || { log "took $((SECONDS - start))s to stop"; return 1; }
  done
  grep -q 'msg=stopped' "$tmp"/sync-*.log
}

passed=0 failed=0
for t in "${tests[@]}"; do
  log "--- $t"
  if "test_$t"; then
    echo "ok   $t"; passed=$((passed + 1))
  else
    echo "FAIL $t"; failed=$((failed + 1))
    [ -f "$tmp/sync-a.log" ] && grep -E 'level=(warn|error)' "$tmp"/sync-*.log | tail -5 >&2
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
