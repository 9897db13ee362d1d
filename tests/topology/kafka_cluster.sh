#!/usr/bin/env bash
# profile-publisher against a three-broker Kafka cluster (scripts/kafka.sh cluster-start: KRaft,
# every node broker and controller, topics with replication factor 3 and min.insync.replicas=2),
# with a real PostgreSQL (extension preloaded) and chaos_writer clients committing API calls:
#
#   cluster_topic       the topic is replicated on the three nodes, min.insync.replicas=2
#   leader_kill         SIGKILL the node leading a partition while writers commit: publishing goes
#                       on with two nodes, nothing lost, order kept
#   two_brokers_down    two of three nodes down for a while: nothing is acknowledged, rows stay
#                       pending in the outbox, the publisher waits; one node back and all flows
#   stall_handover      leader A reaches PostgreSQL but not Kafka, standby B reaches Kafka: A gives
#                       way after --stall-timeout and B publishes everything, in order
#   sigstop_watchdog    the leader is SIGSTOPped: it keeps the lock (the standby waits) and stops
#                       sending WATCHDOG=1; the unit's WatchdogSec, enforced by a harness that does
#                       what systemd does, ends it and the standby takes over
#
# Every verdict is event-checker's, twice: against the outbox (every committed row consumed, per
# user in version order, 0 lost, 0 reordered; duplicates allowed) and against what the writers saw
# acknowledged. Each test has its own topic.
#
#   tests/topology/kafka_cluster.sh [TEST ...]     default: all, in order (about 5 minutes)
#
# Needs the extension installed for the pg_config on PATH (make install). Builds profile-publisher,
# event-checker and chaos_writer in $BUILD_DIR (default build). Everything listens on 127.0.0.1 on
# free ports under a temporary directory and is stopped on exit. KEEP_TMP=1 keeps the directory.
# Ends with "N passed, N failed".
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/lib.sh"
build=${BUILD_DIR:-$root/build}
[[ "$build" = /* ]] || build=$root/$build
kafka="$root/scripts/kafka.sh"
harness="$root/tests/topology/watchdog_harness.py"
unit="$root/systemd/profile-publisher.service"

all_tests=(cluster_topic leader_kill two_brokers_down stall_handover sigstop_watchdog)
tests=("${@:-${all_tests[@]}}")
partitions=6
stall=5s  # --stall-timeout of the hand-over tests
export KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-180}

log() { printf '%s topology: %s\n' "$(date +%T)" "$*" >&2; }
passed=0 failed=0
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}
abort() { log "$*"; failed=$((failed + 1)); echo "not ok - setup: $*"; finish; }

# ---------- build ----------
publisher=$build/publisher/profile-publisher
checker=$build/tools/event-checker/event-checker
writer=$build/tests/chaos/chaos_writer
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || abort "cmake configure failed"
fi
log "building profile-publisher, event-checker and chaos_writer in $build"
cmake --build "$build" --target profile-publisher event-checker chaos_writer >"$build/topology-build.log" 2>&1 ||
  { grep -E 'error|FAILED' "$build/topology-build.log" | head -20 >&2; abort "build failed"; }
[ -f "$(pg_config --sharedir)/extension/realchat_profile.control" ] || abort "the extension is not installed (make install)"

# ---------- servers ----------
tmp=$(make_workdir realchat-topology)
pids=()
writer_pid="" pid_a="" pid_b=""
cleanup() {
  local p
  stop_child "$writer_pid" TERM 5
  for p in "${pids[@]}"; do stop_child "$p" KILL 1; done
  [ -f "$tmp/publisher-a.pid" ] && stop_child "$(cat "$tmp/publisher-a.pid")" KILL 1
  "$kafka" cluster-kill "$tmp/kafka" >/dev/null 2>&1
  "$root/scripts/pg-cluster.sh" stop "$tmp/pg" immediate >/dev/null 2>&1
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -c 0  # the watchdog's SIGABRT would leave a core file

pg_port=$(free_port)
mapfile -t ports < <(free_port_pairs 3)
[ "${#ports[@]}" -eq 3 ] || abort "no free ports for Kafka"
admin_db="host=127.0.0.1 port=$pg_port user=postgres dbname=topo connect_timeout=5"
app_db="host=127.0.0.1 port=$pg_port user=topo_app dbname=topo connect_timeout=3"
publisher_db="host=127.0.0.1 port=$pg_port user=topo_publisher dbname=topo connect_timeout=5"
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d topo -c "$1"; }

log "PostgreSQL on 127.0.0.1:$pg_port, Kafka nodes on 127.0.0.1:${ports[*]}, temp $tmp"
"$root/scripts/pg-cluster.sh" start "$tmp/pg" "$pg_port" --preload >/dev/null || abort "PostgreSQL did not start"
psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE topo" || abort "createdb failed"
sql "CREATE EXTENSION realchat_profile CASCADE" || abort "CREATE EXTENSION failed"
psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d topo -f "$root/scripts/create-roles.sql" >/dev/null ||
  abort "scripts/create-roles.sql failed"
sql "CREATE ROLE topo_app LOGIN IN ROLE profile_app; CREATE ROLE topo_publisher LOGIN IN ROLE profile_publisher" ||
  abort "creating the logins failed"
t=$SECONDS
"$kafka" cluster-start "$tmp/kafka" "${ports[@]}" "$partitions" >/dev/null || abort "the Kafka cluster did not start"
log "three Kafka nodes ready after $((SECONDS - t)) s"
brokers=$("$kafka" cluster-brokers "$tmp/kafka")

# ---------- helpers ----------
metrics_a=$(free_port) metrics_b=$(free_port)
start_publisher() {  # start_publisher a|b BROKERS [OPTION ...]: sets pid_a / pid_b
  local name=$1 bootstrap=$2 port
  shift 2
  [ "$name" = a ] && port=$metrics_a || port=$metrics_b
  "$publisher" --db "$publisher_db" --brokers "$bootstrap" --poll-interval 1s --metrics-addr "127.0.0.1:$port" "$@" \
    >>"$tmp/publisher-$name.log" 2>&1 &
  pids+=("$!")
  printf -v "pid_$name" '%s' "$!"
}
stop_publisher() {  # stop_publisher a|b: SIGTERM (flush), bounded
  local var=pid_$1
  stop_child "${!var}" TERM 20
  printf -v "$var" '%s' ""
}
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
metric() {  # metric PORT NAME
  curl -s -m 2 "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n { print $2 }'
}
is_leader() { [ "$(metric "$1" profile_publisher_leader)" = 1 ]; }
wait_for() {  # wait_for SECONDS COMMAND...: retry until it succeeds
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do [ "$SECONDS" -ge "$deadline" ] && return 1; sleep 0.2; done
}
# A topic of the test's own, RF 3, min.insync.replicas=2; new outbox rows of the writers go to it.
use_topic() {
  topic=topo.$1
  "$kafka" create-topic "${ports[0]}" "$topic" "$partitions" 3 2 >/dev/null || return 1
  sql "ALTER ROLE topo_app SET realchat_profile.topic = '$topic'"
}
writers_start() {  # writers_start SECONDS: chaos_writer clients in the background
  "$writer" --db "$app_db" --seconds "$1" --clients 4 --users 150 --out "$tmp/writers-$topic.txt" \
    >"$tmp/writers-$topic.log" 2>&1 &
  writer_pid=$!
}
writers_wait() {
  wait "$writer_pid"
  writer_pid=""
  grep '^writers:' "$tmp/writers-$topic.log" | tail -1 >&2
}
topic_counts() {  # "published pending" of the test's topic
  sql "SELECT count(*) FILTER (WHERE published_at IS NOT NULL) || ' ' || count(*) FILTER (WHERE published_at IS NULL)
       FROM profile.outbox WHERE topic = '$topic'"
}
drained() { [ "$(sql "SELECT pending FROM profile.outbox_stats()")" = 0 ]; }
# event-checker against the outbox and against the writers' acknowledged commits.
verdict() {
  local out rc summary
  timeout 200 "$checker" --brokers "$brokers" --topic "$topic" --expect-from-db "$admin_db" --timeout 120 \
    --max-users 5 >"$tmp/checker-$topic.log" 2>&1
  rc=$?
  summary=$(grep '^summary:' "$tmp/checker-$topic.log" | tail -1)
  log "event-checker (outbox): ${summary:-no summary} (exit $rc)"
  [ "$rc" = 0 ] || { tail -5 "$tmp/checker-$topic.log" >&2; return 1; }
  grep -q ' lost=0 ' <<<"$summary" && grep -q ' reordered=0 ' <<<"$summary" || return 1
  out=$(timeout 200 "$checker" --brokers "$brokers" --topic "$topic" --expect "$tmp/writers-$topic.txt" \
    --expect-at-least --timeout 120 --max-users 5 2>&1)
  rc=$?
  log "event-checker (writers' acknowledged commits): $(grep '^summary:' <<<"$out" | tail -1) (exit $rc)"
  [ "$rc" = 0 ]
}

# ---------- tests ----------

test_cluster_topic() {
  use_topic cluster_topic || return 1
  local md describe
  md=$(kcat -b "$brokers" -L -t "$topic" -m 5 2>/dev/null)
  [ "$(grep -c '^ *partition .* replicas: [1-3],[1-3],[1-3], isrs: [1-3],[1-3],[1-3]$' <<<"$md")" = "$partitions" ] ||
    { log "not every partition has 3 replicas in sync: $md"; return 1; }
  grep -q '^ 3 brokers:' <<<"$md" || { log "not 3 brokers: $md"; return 1; }
  describe=$("$kafka" describe-topic "${ports[1]}" "$topic")
  grep -q 'ReplicationFactor: 3' <<<"$describe" && grep -q 'min.insync.replicas=2' <<<"$describe" ||
    { log "describe: $describe"; return 1; }
  log "$topic: 3 brokers, $partitions partitions of 3 replicas, min.insync.replicas=2"
}

test_leader_kill() {
  use_topic leader_kill || return 1
  alive "$pid_a" || start_publisher a "$brokers"
  wait_for 20 is_leader "$metrics_a" || { log "publisher a never led"; return 1; }
  writers_start 25
  sleep 6
  local victim new p1 p2
  victim=$("$kafka" leader "$brokers" "$topic" 0) || return 1
  "$kafka" node-kill "$tmp/kafka" "$victim" || return 1
  log "killed node $victim, the leader of $topic partition 0"
  wait_for 20 bash -c '[ "$("$0" leader "$1" "$2" 0 2>/dev/null)" != "$3" ]' "$kafka" "$brokers" "$topic" "$victim" ||
    { log "partition 0 never got another leader"; return 1; }
  new=$("$kafka" leader "$brokers" "$topic" 0)
  log "partition 0 is led by node $new now"
  sleep 2
  p1=$(topic_counts)
  sleep 5
  p2=$(topic_counts)
  log "published/pending with node $victim down: $p1 -> $p2"
  [ "${p2%% *}" -gt "${p1%% *}" ] || { log "nothing was published with two nodes up"; return 1; }
  "$kafka" node-start "$tmp/kafka" "$victim" >/dev/null || { log "node $victim did not start again"; return 1; }
  log "node $victim is back"
  writers_wait
  wait_for 120 drained || { log "the outbox did not drain: $(topic_counts)"; return 1; }
  alive "$pid_a" || { log "publisher a died"; return 1; }
  verdict
}

test_two_brokers_down() {
  use_topic two_brokers_down || return 1
  alive "$pid_a" || start_publisher a "$brokers"
  wait_for 20 is_leader "$metrics_a" || { log "publisher a never led"; return 1; }
  writers_start 30
  sleep 5
  local down=(1 2) c1 c2 t0
  "$kafka" node-kill "$tmp/kafka" "${down[0]}" && "$kafka" node-stop "$tmp/kafka" "${down[1]}" || return 1
  t0=$SECONDS
  log "node ${down[0]} killed, node ${down[1]} stopped: only node 3 is up"
  sleep 3  # acknowledgements already on their way
  c1=$(topic_counts)
  sleep 12
  c2=$(topic_counts)
  log "published/pending with two nodes down: $c1 -> $c2"
  [ "${c1%% *}" = "${c2%% *}" ] || { log "rows were acknowledged without two in-sync replicas"; return 1; }
  [ "${c2##* }" -gt "${c1##* }" ] || { log "no rows waited in the outbox"; return 1; }
  alive "$pid_a" && is_leader "$metrics_a" || { log "publisher a is not leading any more"; return 1; }
  "$kafka" node-start "$tmp/kafka" "${down[1]}" >/dev/null || { log "node ${down[1]} did not start again"; return 1; }
  log "node ${down[1]} is back after $((SECONDS - t0)) s: two of three up"
  wait_for 60 bash -c '[ "$(psql -X -At -h 127.0.0.1 -p "$0" -U postgres -d topo -c \
    "SELECT count(*) FROM profile.outbox WHERE topic = '"'$topic'"' AND published_at IS NOT NULL")" -gt "$1" ]' \
    "$pg_port" "${c2%% *}" || { log "nothing flowed with two nodes back: $(topic_counts)"; return 1; }
  log "rows flow again: $(topic_counts)"
  "$kafka" node-start "$tmp/kafka" "${down[0]}" >/dev/null || { log "node ${down[0]} did not start again"; return 1; }
  writers_wait
  wait_for 120 drained || { log "the outbox did not drain: $(topic_counts)"; return 1; }
  grep -q 'leader_giving_way' "$tmp/publisher-a.log" && log "(the outage outlasted --stall-timeout: a gave way and led again)"
  verdict
}

test_stall_handover() {
  use_topic stall_handover || return 1
  stop_publisher a
  local dead t0 t1
  dead=$(free_port_pair) || return 1  # nothing listens there: a Kafka this publisher cannot reach
  start_publisher a "127.0.0.1:$dead" --stall-timeout "$stall"
  wait_for 20 is_leader "$metrics_a" || { log "publisher a never led"; return 1; }
  start_publisher b "$brokers" --stall-timeout "$stall"
  sleep 3
  is_leader "$metrics_b" && { log "b leads while a holds the lock"; return 1; }
  log "a (Kafka unreachable) leads, b (the cluster) waits; writers start"
  t0=$SECONDS
  writers_start 15
  wait_for 30 is_leader "$metrics_b" || { log "b never took over: a kept the lock"; return 1; }
  t1=$SECONDS
  log "b leads $((t1 - t0)) s after the writers started (--stall-timeout $stall)"
  grep 'leader_giving_way' "$tmp/publisher-a.log" | head -1 >&2
  grep -q 'leader_giving_way' "$tmp/publisher-a.log" || { log "a did not log that it gave way"; return 1; }
  [ $((t1 - t0)) -le 15 ] || { log "the hand-over took too long"; return 1; }
  writers_wait
  wait_for 120 drained || { log "the outbox did not drain: $(topic_counts)"; return 1; }
  alive "$pid_a" && ! is_leader "$metrics_a" || { log "a should wait as a standby"; return 1; }
  verdict || return 1
  stop_publisher a
  stop_publisher b
}

test_sigstop_watchdog() {
  use_topic sigstop_watchdog || return 1
  stop_publisher a
  stop_publisher b
  local events=$tmp/watchdog-events.txt harness_pid pub stopped_at pings_before pings_after fired took
  rm -f "$tmp/publisher-a.pid"
  python3 "$harness" --unit "$unit" --events "$events" --pid-file "$tmp/publisher-a.pid" -- \
    "$publisher" --db "$publisher_db" --brokers "$brokers" --poll-interval 1s --metrics-addr "127.0.0.1:$metrics_a" \
    >>"$tmp/publisher-a.log" 2>&1 &
  harness_pid=$!
  pids+=("$harness_pid")
  wait_for 20 is_leader "$metrics_a" || { log "a (under the watchdog harness) never led"; return 1; }
  pub=$(cat "$tmp/publisher-a.pid")
  start_publisher b "$brokers"
  writers_start 20
  # The unit pings every WatchdogSec/2: see two before stopping.
  wait_for 40 bash -c '[ "$(grep -c " WATCHDOG=1$" "$0")" -ge 2 ]' "$events" || { log "no watchdog pings: $(cat "$events")"; return 1; }
  kill -STOP "$pub"
  stopped_at=$SECONDS
  pings_before=$(grep -c ' WATCHDOG=1$' "$events")
  log "SIGSTOP to the leader a (pid $pub) after $pings_before watchdog pings"
  sleep 10
  pings_after=$(grep -c ' WATCHDOG=1$' "$events")
  is_leader "$metrics_b" && { log "b leads while a is stopped: the lock was not held"; return 1; }
  log "10 s stopped: b still waits (a's session keeps the lock), pending $(topic_counts | cut -d' ' -f2), pings $pings_before -> $pings_after"
  [ "$pings_before" = "$pings_after" ] || { log "a stopped process cannot ping"; return 1; }
  wait_for 45 grep -q 'watchdog timeout' "$events" || { log "the watchdog never fired: $(tail -3 "$events")"; return 1; }
  fired=$((SECONDS - stopped_at))
  log "the watchdog ended a $fired s after SIGSTOP (WatchdogSec $(sed -n 's/^WatchdogSec=//p' "$unit"))"
  wait_for 30 is_leader "$metrics_b" || { log "b did not take over after the watchdog ended a"; return 1; }
  took=$((SECONDS - stopped_at))
  log "b leads $took s after the SIGSTOP"
  wait "$harness_pid" 2>/dev/null
  tail -2 "$events" >&2
  writers_wait
  wait_for 120 drained || { log "the outbox did not drain: $(topic_counts)"; return 1; }
  verdict || return 1
  stop_publisher b
}

for name in "${tests[@]}"; do
  log "--- $name"
  if "test_$name"; then
    passed=$((passed + 1)); echo "ok - $name"
  else
    failed=$((failed + 1)); echo "not ok - $name"
    stop_child "$writer_pid" TERM 5
    writer_pid=""
  fi
done
finish
