#!/usr/bin/env bash
# Failover under load: the topology of scripts/topology.sh (primary, synchronous standby, PgBouncer,
# three Kafka nodes, profile-publisher on a multi-host read-write conninfo); writer clients commit
# through a multi-host conninfo and through PgBouncer; the primary is killed (immediate shutdown)
# and the standby promoted. The publisher must find the new primary by itself and lead there, the
# writers reconnect, and event-checker must find every event whose commit a writer saw acknowledged
# in Kafka: 0 lost, 0 reordered (duplicates counted).
#
#   tests/topology/failover.sh      about 2 minutes; ends with "N passed, N failed"
#
# Needs the extension installed (make install); builds profile-publisher, event-checker and
# chaos_writer in $BUILD_DIR (default build). Env: KEEP_TMP=1 keeps the directory.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_targets profile-publisher event-checker chaos_writer
checker=$build/tools/event-checker/event-checker
writer=$build/tests/chaos/chaos_writer
export KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-180}

tmp=$(make_workdir realchat-failover)
topo=$tmp/t
writer_pids=()
cleanup() {
  local pid
  for pid in "${writer_pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
  "$root/scripts/topology.sh" down "$topo" >/dev/null 2>&1
  "$root/scripts/pg-cluster.sh" stop "$topo/primary" immediate >/dev/null 2>&1
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PUBLISHER_BIN=$build/publisher/profile-publisher "$root/scripts/topology.sh" up "$topo" 2>&1 | sed 's/^/  /' >&2
[ -f "$topo/topology.env" ] || abort "scripts/topology.sh up failed"
. "$topo/topology.env"
publisher_pid=$(cat "$topo/publisher.pid")
sql() { psql -X -q -At "$ADMIN_DB" -c "$1"; }

# ---------- writers, then the failover ----------
"$writer" --db "$APP_DB_DIRECT" --seconds 300 --clients 3 --users 120 --out "$tmp/writers-direct.txt" \
  >"$tmp/writers-direct.log" 2>&1 &
writer_pids+=($!)
"$writer" --db "$APP_DB" --seconds 300 --clients 2 --users 80 --out "$tmp/writers-bouncer.txt" \
  >"$tmp/writers-bouncer.log" 2>&1 &
writer_pids+=($!)
sleep 10
before=$(sql "SELECT count(*) FROM profile.outbox")
log "killing the primary (immediate shutdown) after $before events"
"$root/scripts/pg-cluster.sh" stop "$topo/primary" immediate || abort "stopping the primary failed"
killed_at=$(date -u '+%F %T.%N')
sleep 1
"$root/scripts/topology.sh" promote "$topo" 2>&1 | sed 's/^/  /' >&2
promoted=$SECONDS
led_on_new() { grep -q "msg=leader_acquired db=\"host=127.0.0.1 port=$STANDBY_PORT " "$topo/publisher.log"; }
wait_for 30 led_on_new
lead_seconds=$((SECONDS - promoted))
sleep $((lead_seconds < 12 ? 12 - lead_seconds : 0))
log "stopping the writers"
for pid in "${writer_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
for pid in "${writer_pids[@]}"; do
  for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
done
writer_pids=()
cat "$tmp/writers-direct.log" "$tmp/writers-bouncer.log" | grep '^writers:' >&2

# ---------- drain ----------
drained=1 pending="?"
for ((i = 0; i < 120; i++)); do
  pending=$(sql "SELECT pending FROM profile.outbox_stats()" 2>/dev/null)
  if [ "$pending" = 0 ]; then drained=0; break; fi
  sleep 1
done
committed=$(sql "SELECT count(*) FROM profile.outbox")
after=$(sql "SELECT count(*) FROM profile.outbox WHERE created_at > '$killed_at'")

# ---------- checks ----------
check "the publisher is still running (it did not give up on the database)" "$(kill -0 "$publisher_pid"; echo $?)"
check "the publisher led on the new primary (port $STANDBY_PORT) within 30 s ($lead_seconds s after the promotion)" \
  "$(led_on_new; echo $?)" \
  "$(grep -E 'leader|db_' "$topo/publisher.log" | tail -3)"
check "the writers committed on the new primary ($after events after the kill)" "$([ "${after:-0}" -ge 50 ]; echo $?)"
for w in direct bouncer; do
  line=$(grep '^writers:' "$tmp/writers-$w.log")
  reconnects=$(sed -n 's/.* reconnects=\([0-9]*\).*/\1/p' <<<"$line")
  check "the writers ($w) reconnected after the failover" "$([ "${reconnects:-0}" -ge 1 ]; echo $?)" "$line"
done
check "the outbox drained on the new primary (pending 0)" "$drained" "$pending pending"

cat "$tmp/writers-direct.txt" "$tmp/writers-bouncer.txt" >"$tmp/writers.txt"
"$checker" --brokers "$BROKERS" --topic "$TOPIC" --expect "$tmp/writers.txt" --expect-at-least --timeout 120 \
  --max-users 10 >"$tmp/checker-writers.log" 2>&1
writers_rc=$?
"$checker" --brokers "$BROKERS" --topic "$TOPIC" --expect-from-db "$ADMIN_DB" --timeout 120 --max-users 10 \
  >"$tmp/checker-db.log" 2>&1
db_rc=$?
grep -E '^(summary|lost|user)' "$tmp/checker-writers.log" "$tmp/checker-db.log" | head -20
summary=$(grep '^summary:' "$tmp/checker-writers.log" | tail -1)
field() { sed -n "s/.* $1=\([0-9A-Z]*\).*/\1/p" <<<"$summary"; }
lost=$(field lost) reordered=$(field reordered) duplicates=$(field duplicates) events=$(field events)
confirmed=$(awk '{ s += $2 } END { print s + 0 }' "$tmp/writers.txt")
echo "failover: $committed events committed ($before before the kill, $after after), $confirmed acknowledged to the" \
  "writers (highest versions), consumed ${events:-?} distinct, duplicates ${duplicates:-?}, lost ${lost:-?}," \
  "reordered ${reordered:-?}"
check "event-checker: every event a writer saw acknowledged reached Kafka, in order (exit 0)" "$writers_rc" "exit $writers_rc"
check "0 lost" "$([ "$lost" = 0 ]; echo $?)" "${lost:-no figure}"
check "0 reordered" "$([ "$reordered" = 0 ]; echo $?)" "${reordered:-no figure}"
check "event-checker against the new primary's outbox: every committed event in Kafka (exit 0)" "$db_rc" "exit $db_rc"
finish
