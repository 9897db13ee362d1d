#!/usr/bin/env bash
# The chaos run: real PostgreSQL (extension preloaded) and a real Kafka broker on loopback,
# concurrent writer clients doing random API calls across many users, while this script
# SIGKILLs the publisher and restarts it, stops and kills the broker and starts it again,
# restarts PostgreSQL with an immediate shutdown, and runs two publishers at once for a while.
# Then it waits for the outbox to drain and runs event-checker, which must find nothing lost
# and nothing reordered.
#
#   tests/chaos/run.sh            a few minutes (CI): one round of every fault
#   tests/chaos/run.sh --long     five rounds with longer gaps (about half an hour on 2 cores)
#   tests/chaos/run.sh --topology [--long]
#                                 the production topology of scripts/topology.sh: a primary with a
#                                 synchronous standby, PgBouncer, a three-node Kafka cluster (replication
#                                 factor 3, min.insync.replicas=2); writers through PgBouncer and on a
#                                 multi-host conninfo, publishers on a multi-host read-write conninfo.
#                                 Faults: SIGKILL of the node leading a partition, two nodes down for
#                                 longer than the publishers' --stall-timeout (they hand the lock over),
#                                 the leading publisher SIGSTOPped then SIGKILLed (as its watchdog would),
#                                 publisher SIGKILLs, a PostgreSQL immediate restart and a PgBouncer
#                                 restart every round, and in the last round the failover: the primary
#                                 shut down immediately, the standby promoted (no standby after it, so
#                                 it is the run's last PostgreSQL fault)
#
# Needs the extension installed (make install); builds profile-publisher, event-checker and
# chaos_writer in $BUILD_DIR (default build). Services listen on 127.0.0.1 only, on free ports,
# under a temporary directory; everything started here is stopped on exit. Prints the figures
# (events committed, consumed, duplicates, lost, reordered) and ends with "N passed, N failed".
# Env: BUILD_DIR, CHAOS_CLIENTS (8; --topology: 3 of them on the multi-host conninfo, the others
# through PgBouncer), CHAOS_USERS (300), KEEP_TMP=1 keeps the directory,
# KAFKA_START_TIMEOUT (180 here: after a SIGKILL the broker recovers its logs first).
set -uo pipefail

# check, finish, abort, build_targets, wait_for; $root and $build
. "$(dirname "${BASH_SOURCE[0]}")/../topology/lib.sh"

rounds=1 gap=8 writer_limit=600 topology=0
for arg in "$@"; do
  case "$arg" in
    --long) rounds=5 gap=15 writer_limit=3600 ;;
    --topology) topology=1 ;;
    -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "usage: tests/chaos/run.sh [--topology] [--long]" >&2; exit 2 ;;
  esac
done
stall_timeout=10s  # --topology: publishers give way after this long without an acknowledgement
clients=${CHAOS_CLIENTS:-8}
users=${CHAOS_USERS:-300}
topic=profile.events
partitions=6
export KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-180}

log() { printf '%s chaos: %s\n' "$(date +%T)" "$*" >&2; }

# ---------- build ----------
publisher=$build/publisher/profile-publisher
checker=$build/tools/event-checker/event-checker
writer=$build/tests/chaos/chaos_writer
log "building profile-publisher, event-checker and chaos_writer in $build"
build_targets profile-publisher event-checker chaos_writer

# ---------- servers ----------
tmp=$(make_workdir realchat-chaos)
writer_pids=() pid_a="" pid_b=""
topo=$tmp/t  # --topology: scripts/topology.sh's directory
cleanup() {
  local pid
  for pid in "${writer_pids[@]}"; do stop_child "$pid" TERM 5; done
  stop_child "$pid_a" KILL 1
  stop_child "$pid_b" KILL 1
  if [ "$topology" = 1 ]; then
    "$root/scripts/kafka.sh" cluster-kill "$topo/kafka" >/dev/null 2>&1
    "$root/scripts/pg-cluster.sh" stop "$topo/primary" immediate >/dev/null 2>&1
    "$root/scripts/pg-cluster.sh" stop "$topo/standby" immediate >/dev/null 2>&1
    "$root/scripts/topology.sh" down "$topo" >/dev/null 2>&1
  else
    "$root/scripts/kafka.sh" kill "$tmp/kafka" >/dev/null 2>&1
  fi
  "$root/scripts/pg-cluster.sh" stop "$tmp/pg" immediate >/dev/null 2>&1
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

metrics_a=$(free_port)
metrics_b=$(free_port)
if [ "$topology" = 1 ]; then
  log "scripts/topology.sh up $topo (log $tmp/topology.log)"
  "$root/scripts/topology.sh" up "$topo" --no-publisher >"$tmp/topology.log" 2>&1 ||
    { tail -20 "$tmp/topology.log" >&2; abort "scripts/topology.sh up failed"; }
  . "$topo/topology.env"
  brokers=$BROKERS topic=$TOPIC
  pg_dir=$topo/primary
  admin_db=$ADMIN_DB
  # Writers are applications: most through PgBouncer, some straight to whichever server is the
  # primary; the publishers follow the primary by themselves.
  app_db=$APP_DB app_db_direct=$APP_DB_DIRECT
  publisher_db=$PUBLISHER_DB
  log "primary 127.0.0.1:$PRIMARY_PORT, synchronous standby 127.0.0.1:$STANDBY_PORT, PgBouncer" \
    "127.0.0.1:$BOUNCER_PORT, Kafka cluster $brokers, temp $tmp"
else
  pg_port=$(free_port)
  kafka_port=$(free_port_pair) || abort "no free port for Kafka"
  brokers=127.0.0.1:$kafka_port
  pg_dir=$tmp/pg
  admin_db="host=127.0.0.1 port=$pg_port user=postgres dbname=chaos connect_timeout=5"
  # Least privilege in the run as in production: writers are applications, the publisher is the
  # publisher role (scripts/create-roles.sql).
  app_db="host=127.0.0.1 port=$pg_port user=chaos_app dbname=chaos connect_timeout=3"
  publisher_db="host=127.0.0.1 port=$pg_port user=chaos_publisher dbname=chaos connect_timeout=5"
  log "PostgreSQL on 127.0.0.1:$pg_port, Kafka on 127.0.0.1:$kafka_port, temp $tmp"
  "$root/scripts/pg-cluster.sh" start "$pg_dir" "$pg_port" --preload || abort "PostgreSQL did not start"
  psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE chaos" || abort "createdb failed"
  psql -X -q "$admin_db" -c "CREATE EXTENSION realchat_profile CASCADE" || abort "CREATE EXTENSION failed"
  psql -X -q "$admin_db" -f "$root/scripts/create-roles.sql" >/dev/null || abort "scripts/create-roles.sql failed"
  psql -X -q "$admin_db" -c "CREATE ROLE chaos_app LOGIN IN ROLE profile_app" \
    -c "CREATE ROLE chaos_publisher LOGIN IN ROLE profile_publisher" || abort "creating the logins failed"
  "$root/scripts/kafka.sh" start "$tmp/kafka" "$kafka_port" "$partitions" >/dev/null || abort "Kafka did not start"
  "$root/scripts/kafka.sh" create-topic "$kafka_port" "$topic" "$partitions" >/dev/null || abort "topic creation failed"
fi
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$admin_db" -c "$1"; }

# ---------- the faults ----------
kills=0 kafka_restarts=0 pg_restarts=0 dual_seconds=0 dual_seen=1 leader_samples=""
leader_kills=0 two_down=0 sigstops=0 stalled_waits="" bouncer_restarts=0 failovers=0 killed_at=""

start_publisher() {  # start_publisher a|b
  local name=$1 port extra=()
  [ "$name" = a ] && port=$metrics_a || port=$metrics_b
  [ "$topology" = 1 ] && extra=(--stall-timeout "$stall_timeout")
  "$publisher" --db "$publisher_db" --brokers "$brokers" --poll-interval 1s --metrics-addr "127.0.0.1:$port" \
    "${extra[@]}" >>"$tmp/publisher-$name.log" 2>&1 &
  printf -v "pid_$name" '%s' "$!"
  log "publisher $name started (pid $!)"
}
kill_publisher() {  # kill_publisher a|b: SIGKILL
  local var=pid_$1
  [ -n "${!var}" ] || return 0
  kill -9 "${!var}" 2>/dev/null
  wait "${!var}" 2>/dev/null
  kills=$((kills + 1))
  log "publisher $1 killed with SIGKILL (pid ${!var})"
  printf -v "$var" '%s' ""
}
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
leader_gauge() { curl -s -m 2 "http://127.0.0.1:$1/metrics" | awk '$1 == "profile_publisher_leader" { print $2 }'; }
kafka_bounce() {  # kafka_bounce stop|kill
  "$root/scripts/kafka.sh" "$1" "$tmp/kafka" >/dev/null 2>&1
  log "Kafka: $1"
  sleep 4
  local attempt
  for attempt in 1 2; do
    if "$root/scripts/kafka.sh" start "$tmp/kafka" "$kafka_port" "$partitions" >/dev/null 2>>"$tmp/kafka-starts.log"; then
      kafka_restarts=$((kafka_restarts + 1))
      log "Kafka started again"
      return 0
    fi
    log "Kafka did not start (attempt $attempt): $(tail -1 "$tmp/kafka-starts.log")"
  done
}
pg_bounce() {
  if "$root/scripts/pg-cluster.sh" restart "$pg_dir" immediate; then
    pg_restarts=$((pg_restarts + 1))
    log "PostgreSQL restarted after an immediate shutdown"
  else
    log "PostgreSQL restart failed"
  fi
}
pause() { sleep "$gap"; }

# ---------- the faults of --topology ----------
nodes_start() {  # nodes_start N...: start these Kafka nodes again, together
  local n ps=()
  for n in "$@"; do
    "$root/scripts/kafka.sh" node-start "$topo/kafka" "$n" >/dev/null 2>>"$tmp/kafka-starts.log" &
    ps+=($!)
  done
  for n in "${ps[@]}"; do wait "$n" || log "a Kafka node did not start: $(tail -1 "$tmp/kafka-starts.log")"; done
}
partition_leader_kill() {
  local victim
  victim=$("$root/scripts/kafka.sh" leader "$brokers" "$topic" 0 2>/dev/null) || { log "no leader for partition 0"; return; }
  [ "$victim" -ge 1 ] 2>/dev/null || { log "partition 0 has no leader ($victim)"; return; }
  "$root/scripts/kafka.sh" node-kill "$topo/kafka" "$victim"
  leader_kills=$((leader_kills + 1))
  log "Kafka node $victim, the leader of partition 0, killed with SIGKILL"
  pause
  nodes_start "$victim"
  log "Kafka node $victim started again"
}
two_nodes_down() {  # longer than --stall-timeout: the leader gives way, the standby too, in turn
  "$root/scripts/kafka.sh" node-kill "$topo/kafka" 1
  "$root/scripts/kafka.sh" node-stop "$topo/kafka" 2
  two_down=$((two_down + 1))
  log "Kafka nodes 1 (SIGKILL) and 2 (stopped) down: no acknowledgement possible"
  sleep $((2 * gap + 4))
  nodes_start 1 2
  log "Kafka nodes 1 and 2 started again"
}
leader_name() {  # a or b, whichever publisher leads now
  [ "$(leader_gauge "$metrics_a")" = 1 ] && { echo a; return; }
  [ "$(leader_gauge "$metrics_b")" = 1 ] && echo b
}
publisher_sigstop() {  # the leader stops; the standby waits; SIGKILL ends it as the watchdog would
  local name var other
  name=$(leader_name)
  [ -n "$name" ] || { log "no publisher leads: no SIGSTOP"; return; }
  var=pid_$name
  [ "$name" = a ] && other=$metrics_b || other=$metrics_a
  kill -STOP "${!var}"
  sigstops=$((sigstops + 1))
  log "publisher $name (the leader, pid ${!var}) stopped with SIGSTOP"
  pause
  stalled_waits+="$(leader_gauge "$other") "  # the standby may not lead while the stopped one holds the lock
  kill_publisher "$name"
  sleep 1
  start_publisher "$name"
}

bouncer_restart() {  # the applications' connections are cut; they connect again
  if "$root/scripts/pgbouncer.sh" restart "$topo/bouncer"; then
    bouncer_restarts=$((bouncer_restarts + 1))
    log "PgBouncer restarted"
  else
    log "PgBouncer restart failed"
  fi
}
failover() {  # as scripts/topology.sh documents it: the primary dies, the standby is promoted
  "$root/scripts/pg-cluster.sh" stop "$topo/primary" immediate || { log "stopping the primary failed"; return; }
  killed_at=$(date -u '+%F %T.%N+00')
  log "PostgreSQL primary shut down immediately"
  sleep 1
  if "$root/scripts/topology.sh" promote "$topo" >>"$tmp/topology.log" 2>&1; then
    failovers=$((failovers + 1))
    log "standby 127.0.0.1:$STANDBY_PORT promoted; PgBouncer points at it"
  else
    log "promoting the standby failed"
  fi
}

round_topology() {  # round_topology LAST: 1 in the last round (the failover)
  pause; partition_leader_kill
  pause; start_publisher b
  local dual_start=$SECONDS
  sleep 4
  if alive "$pid_a" && alive "$pid_b"; then
    leader_samples+="$(leader_gauge "$metrics_a")+$(leader_gauge "$metrics_b") "
  else
    dual_seen=0
  fi
  pause; two_nodes_down
  pause; publisher_sigstop
  pause; pg_bounce
  pause; bouncer_restart
  pause; kill_publisher b
  dual_seconds=$((dual_seconds + SECONDS - dual_start))
  pause; kill_publisher a; sleep 1; start_publisher a
  if [ "$1" = 1 ]; then pause; failover; fi
}

round() {
  pause; kill_publisher a; sleep 1; start_publisher a
  pause; kafka_bounce stop
  pause; start_publisher b
  local dual_start=$SECONDS
  sleep 4
  # Two publishers, one database: exactly one leads.
  if alive "$pid_a" && alive "$pid_b"; then
    leader_samples+="$(leader_gauge "$metrics_a")+$(leader_gauge "$metrics_b") "
  else
    dual_seen=0
  fi
  pause; kill_publisher a; sleep 1; start_publisher a
  pause; pg_bounce
  pause; kafka_bounce kill
  pause; kill_publisher b
  dual_seconds=$((dual_seconds + SECONDS - dual_start))
  pause; kill_publisher a; sleep 1; start_publisher a
}

# ---------- the run ----------
start_publisher a
start_writers() {  # start_writers NAME CONNINFO CLIENTS USERS
  log "writers ($1): $3 clients, $4 user slots"
  "$writer" --db "$2" --seconds "$writer_limit" --clients "$3" --users "$4" --out "$tmp/writers-$1.txt" \
    >"$tmp/writers-$1.log" 2>&1 &
  writer_pids+=($!)
}
if [ "$topology" = 1 ]; then
  direct_clients=$((clients < 6 ? clients / 2 : 3))
  start_writers bouncer "$app_db" $((clients - direct_clients)) $((users - users * direct_clients / clients))
  start_writers direct "$app_db_direct" "$direct_clients" $((users * direct_clients / clients))
else
  start_writers all "$app_db" "$clients" "$users"
fi
t0=$SECONDS
for ((r = 1; r <= rounds; r++)); do
  log "round $r of $rounds"
  if [ "$topology" = 1 ]; then round_topology $((r == rounds)); else round; fi
done
sleep "$gap"  # some calm writing after the last fault
log "stopping the writers"
for pid in "${writer_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
for pid in "${writer_pids[@]}"; do stop_child "$pid" TERM 30; done
writer_pids=()
write_seconds=$((SECONDS - t0))
cat "$tmp"/writers-*.log
cat "$tmp"/writers-*.txt >"$tmp/writers.txt"

# Everything must be up for the drain: the broker, the database, publisher a.
if [ "$topology" = 1 ]; then
  nodes_start 1 2 3
else
  "$root/scripts/kafka.sh" status "$tmp/kafka" >/dev/null ||
    "$root/scripts/kafka.sh" start "$tmp/kafka" "$kafka_port" "$partitions" >/dev/null
fi
alive "$pid_a" || start_publisher a
log "waiting for the outbox to drain"
drained=1 pending="?" quarantined="?"
for ((i = 0; i < 300; i++)); do
  IFS='|' read -r pending quarantined < <(sql "SELECT pending, quarantined FROM profile.outbox_stats()" 2>/dev/null)
  if [ "$pending" = 0 ]; then drained=0; break; fi
  sleep 1
done
log "outbox: $pending pending, $quarantined quarantined after $i s"
committed=$(sql "SELECT count(*) FROM profile.outbox")

# A clean stop: SIGTERM, in-flight deliveries waited for, exit 0.
sigterm_ok=0
for name in a b; do
  var=pid_$name
  alive "${!var}" || continue
  kill -TERM "${!var}"
  for ((i = 0; i < 300; i++)); do alive "${!var}" || break; sleep 0.1; done
  if alive "${!var}"; then sigterm_ok=1; kill -9 "${!var}"; fi
  wait "${!var}" 2>/dev/null || sigterm_ok=1
  printf -v "$var" '%s' ""
done

# ---------- the verdict ----------
log "event-checker against the outbox"
"$checker" --brokers "$brokers" --topic "$topic" --expect-from-db "$admin_db" --timeout 180 --max-users 10 \
  >"$tmp/checker.log" 2>&1
checker_rc=$?
cat "$tmp/checker.log"
summary=$(grep '^summary:' "$tmp/checker.log" | tail -1)
field() { sed -n "s/.* $1=\([0-9A-Z]*\).*/\1/p" <<<"$summary"; }
consumed_events=$(field events) duplicates=$(field duplicates) lost=$(field lost) reordered=$(field reordered)
missing=$(field missing) messages=$(field messages)

log "event-checker against what the writers saw committed"
"$checker" --brokers "$brokers" --topic "$topic" --expect "$tmp/writers.txt" --expect-at-least --timeout 180 \
  --max-users 10 >"$tmp/checker-writers.log" 2>&1
writers_rc=$?
grep -E '^(committed|summary|lost|user)' "$tmp/checker-writers.log" | head -20

# The figures of every writer process (writers-NAME.log), summed.
wfield() {  # wfield NAME [WRITERS]
  # shellcheck disable=SC2086 # the default * is a glob
  grep -h '^writers: confirmed_events=' "$tmp"/writers-${2:-*}.log | sed -n "s/.* $1=\([0-9]*\).*/\1/p" |
    awk '{ s += $1 } END { print s + 0 }'
}
confirmed=$(wfield confirmed_events) calls=$(wfield committed_calls) failed_calls=$(wfield failed_calls)
reconnects=$(wfield reconnects)

echo
echo "chaos: $rounds round(s), ${write_seconds}s of writes by $clients clients over $users user slots"
if [ "$topology" = 1 ]; then
  gave_way=$(cat "$tmp"/publisher-*.log | grep -c 'leader_giving_way')
  echo "chaos: topology: three Kafka nodes (RF 3, min.insync.replicas=2); $leader_kills partition-leader node kills," \
    "$two_down times two nodes down for $((2 * gap + 4))s, $sigstops leader SIGSTOPs, $gave_way leader hand-overs" \
    "after --stall-timeout $stall_timeout"
  echo "chaos: topology: primary with a synchronous standby, $failovers failover(s) (primary shut down immediately," \
    "standby promoted), $bouncer_restarts PgBouncer restarts; writers: $(wfield committed_calls bouncer) calls" \
    "through PgBouncer, $(wfield committed_calls direct) on the multi-host conninfo"
fi
kafka_faults="$kafka_restarts Kafka restarts (stop and kill), "
[ "$topology" = 1 ] && kafka_faults=""  # the Kafka nodes' faults are on the topology line
echo "chaos: faults: $kills publisher SIGKILLs, $kafka_faults$pg_restarts PostgreSQL" \
  "immediate restarts, two publishers for ${dual_seconds}s (leader gauges a+b: ${leader_samples:-none})"
echo "chaos: writers: ${calls:-?} calls committed, ${failed_calls:-?} failed while a server was down; ${confirmed:-?} events" \
  "confirmed committed by the writers"
echo "chaos: events committed ${committed:-?} (outbox rows), consumed ${consumed_events:-?} (distinct; ${messages:-?} messages)," \
  "duplicates ${duplicates:-?}, lost ${lost:-?}, reordered ${reordered:-?}, missing versions ${missing:-?}"
echo

if [ "$topology" = 1 ]; then
  check "every fault happened: >= 3 publisher SIGKILLs" "$([ "$kills" -ge 3 ]; echo $?)" "$kills"
  check "every fault happened: a partition leader's node killed" "$([ "$leader_kills" -ge 1 ]; echo $?)" "$leader_kills"
  check "every fault happened: two Kafka nodes down" "$([ "$two_down" -ge 1 ]; echo $?)" "$two_down"
  check "every fault happened: the leading publisher SIGSTOPped" "$([ "$sigstops" -ge 1 ]; echo $?)" "$sigstops"
  no_steal=0
  for s in $stalled_waits; do [ "$s" = 0 ] || no_steal=1; done
  check "no standby led while the leader was stopped (it holds the lock)" "$no_steal" "${stalled_waits:-no sample}"
  check "with two nodes down longer than --stall-timeout, a leader gave way" "$([ "$gave_way" -ge 1 ]; echo $?)" "$gave_way"
  check "every fault happened: PgBouncer restarted" "$([ "$bouncer_restarts" -ge 1 ]; echo $?)" "$bouncer_restarts"
  check "every fault happened: the primary failed over to the standby" "$([ "$failovers" = 1 ]; echo $?)" "$failovers"
  check "the promoted server does not wait for a standby (synchronous_standby_names empty)" \
    "$([ "$(sql "SELECT setting = '' FROM pg_settings WHERE name = 'synchronous_standby_names'")" = t ]; echo $?)"
  after=$(sql "SELECT count(*) FROM profile.outbox WHERE created_at > '${killed_at:-infinity}'")
  check "the writers committed on the new primary ($after events after the failover)" "$([ "${after:-0}" -ge 50 ]; echo $?)"
  check "a publisher led on the new primary (port $STANDBY_PORT)" \
    "$(cat "$tmp"/publisher-*.log | grep -q "msg=leader_acquired db=\"host=127.0.0.1 port=$STANDBY_PORT "; echo $?)"
  for w in bouncer direct; do
    check "the writers ($w) saw their server go away and came back" "$([ "$(wfield reconnects "$w")" -ge 1 ]; echo $?)" \
      "$(wfield reconnects "$w") reconnects"
  done
else
  check "every fault happened: >= 3 publisher SIGKILLs" "$([ "$kills" -ge 3 ]; echo $?)" "$kills"
  check "every fault happened: >= 2 Kafka stop/start" "$([ "$kafka_restarts" -ge 2 ]; echo $?)" "$kafka_restarts"
fi
check "every fault happened: >= 1 PostgreSQL immediate restart" "$([ "$pg_restarts" -ge 1 ]; echo $?)" "$pg_restarts"
check "two publishers ran at once" "$([ "$dual_seen" = 1 ] && [ "$dual_seconds" -gt 0 ]; echo $?)"
one_leader=0
for s in $leader_samples; do [ "$s" = "1+0" ] || [ "$s" = "0+1" ] || one_leader=1; done
check "with two publishers exactly one led" "$one_leader" "${leader_samples:-no sample}"
check "the writers committed calls (${calls:-0})" "$([ "${calls:-0}" -ge 500 ]; echo $?)"
check "the writers saw the database go away and came back" "$([ "${reconnects:-0}" -ge 1 ]; echo $?)" \
  "${reconnects:-0} reconnects"
check "the outbox drained (pending 0)" "$drained" "$pending pending"
check "nothing quarantined" "$([ "$quarantined" = 0 ]; echo $?)" "$quarantined"
check "publishers stopped cleanly on SIGTERM" "$sigterm_ok"
check "event-checker: every stream complete and in order, nothing lost (exit 0)" "$checker_rc" "exit $checker_rc"
check "0 lost" "$([ "$lost" = 0 ]; echo $?)" "${lost:-no figure}"
check "0 reordered" "$([ "$reordered" = 0 ]; echo $?)" "${reordered:-no figure}"
check "consumed every committed event" "$([ -n "$consumed_events" ] && [ "$consumed_events" -ge "${committed:-1}" ]; echo $?)" \
  "${consumed_events:-?} of ${committed:-?}"
check "every commit a writer saw confirmed was consumed" "$writers_rc" "exit $writers_rc"
finish
