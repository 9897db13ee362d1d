#!/usr/bin/env bash
# One profile-publisher per shard, all into one topic: 4 shards behind the proxy
# (proxy/scripts/shards.sh), a Kafka broker, 4 publishers (one per shard database, each with its
# own outbox and leader lock). Writers go through the proxy, with cross-shard contacts, mutes and
# deletes (whose clean-up writes events on other shards); mid-run the PostgreSQL cluster holding
# the shards restarts with an immediate shutdown. Once every outbox has drained, event-checker
# reads the whole topic and compares it with every shard's outbox: nothing lost, nothing
# reordered, each user on one partition.
#
#   tests/proxy/publishers.sh     ends with "N passed, N failed" (about a minute plus the build)
#
# Needs the extension installed (make install); builds profile-publisher and event-checker in
# $BUILD_DIR (default build). Everything listens on 127.0.0.1 and is stopped on exit.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/scripts/lib.sh"
build=${BUILD_DIR:-$root/build}
[[ "$build" = /* ]] || build=$root/$build
topic=profile.events
partitions=4

log() { printf '%s publishers: %s\n' "$(date +%T)" "$*" >&2; }
passed=0
failed=0
check() { # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok - $1"; else failed=$((failed + 1)); echo "not ok - $1 (expected '$2', got '$3')"; fi
}
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }
abort() { check "$*" ok failed; finish; }

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || abort "cmake configure"
fi
cmake --build "$build" --target profile-publisher event-checker >/dev/null 2>&1 || abort "build profile-publisher and event-checker"
publisher=$build/publisher/profile-publisher
checker=$build/tools/event-checker/event-checker

work=$(make_workdir realchat-publishers)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  "$root/scripts/kafka.sh" kill "$work/kafka" >/dev/null 2>&1
  "$root/proxy/scripts/shards.sh" down "$work/shards" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$root/proxy/scripts/shards.sh" up 4 "$work/shards" >"$work/up.log" 2>&1 || abort "start 4 shards and the proxy"
. "$work/shards/env"
kafka_port=$(free_port_pair) || abort "a free port for Kafka"
"$root/scripts/kafka.sh" start "$work/kafka" "$kafka_port" "$partitions" >/dev/null 2>&1 || abort "start Kafka"
"$root/scripts/kafka.sh" create-topic "$kafka_port" "$topic" "$partitions" >/dev/null 2>&1 || abort "create the topic"
log "shards on 127.0.0.1:$PGPORT, Kafka on 127.0.0.1:$kafka_port"

for ((i = 0; i < SHARD_COUNT; i++)); do
  "$publisher" --db "host=127.0.0.1 port=$PGPORT user=postgres dbname=${SHARD_DB_PREFIX}$i connect_timeout=5" \
    --brokers "127.0.0.1:$kafka_port" --poll-interval 1s >>"$work/publisher-$i.log" 2>&1 &
  pids+=($!)
done

# The workload, through the proxy: users on every shard, contacts and mutes across shards,
# status changes, renames and deletes. Statements failing while the cluster restarts are fine:
# only what committed is expected.
workload() { # workload ROUND
  psql -X -q -d "$PROXY_DB" -v r="$1" >/dev/null 2>&1 <<'SQL'
SELECT count(*) FROM generate_series(1, 24) n, LATERAL profile.create_profile(
  ('c' || lpad(:r::text, 7, '0') || '-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'pub_' || :r || '_' || n, 'Pub ' || n);
SELECT count(*) FROM generate_series(1, 24) n, LATERAL profile.set_status(
  ('c' || lpad(:r::text, 7, '0') || '-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'online');
SELECT count(*) FROM generate_series(2, 24) n, LATERAL profile.add_contact(
  ('c' || lpad(:r::text, 7, '0') || '-0000-4000-8000-000000000001')::uuid,
  ('c' || lpad(:r::text, 7, '0') || '-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid);
SELECT count(*) FROM generate_series(2, 24) n, LATERAL profile.mute_user(
  ('c' || lpad(:r::text, 7, '0') || '-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
  ('c' || lpad(:r::text, 7, '0') || '-0000-4000-8000-000000000001')::uuid);
SELECT count(*) FROM generate_series(1, 24) n, LATERAL profile.update_profile(
  ('c' || lpad(:r::text, 7, '0') || '-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, bio => 'round ' || :r);
SELECT profile.delete_profile(('c' || lpad(:r::text, 7, '0') || '-0000-4000-8000-000000000001')::uuid);
SELECT count(*) FROM generate_series(3, 24, 3) n, LATERAL profile.set_status(
  ('c' || lpad(:r::text, 7, '0') || '-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'away');
SQL
}
for round in 1 2 3; do workload "$round"; done
log "restarting the shards' cluster (immediate) under the publishers"
"$root/scripts/pg-cluster.sh" restart "$work/shards/pg" immediate >/dev/null 2>&1 || abort "restart the shards' cluster"
for round in 4 5 6; do workload "$round"; done
# A delete whose clean-up is finished by the repair job.
psql -X -q -d "$PROXY_DB" -c "SELECT count(*) FROM proxy.forget_deleted_users()" >/dev/null 2>&1

pending=""
for ((t = 0; t < 60; t++)); do
  pending=$(psql -X -q -At -d "$PROXY_DB" -c "SELECT pending FROM profile.outbox_stats()" 2>/dev/null)
  [ "$pending" = 0 ] && break
  sleep 1
done
check "the 4 publishers drained every shard's outbox" 0 "$pending"
for ((i = 0; i < SHARD_COUNT; i++)); do
  kill -0 "${pids[$i]}" 2>/dev/null || log "publisher $i exited: $(tail -3 "$work/publisher-$i.log")"
done

# Expected: every committed event of every shard, per user.
for ((i = 0; i < SHARD_COUNT; i++)); do
  psql -X -q -At -F ' ' -d "${SHARD_DB_PREFIX}$i" -c "SELECT key, count(*) FROM profile.outbox GROUP BY key"
done >"$work/expect.txt"
events=$(awk '{ n += $2 } END { print n }' "$work/expect.txt")
log "$events events committed for $(wc -l <"$work/expect.txt") users on 4 shards"
"$checker" --brokers "127.0.0.1:$kafka_port" --topic "$topic" --expect "$work/expect.txt" >"$work/checker.out" 2>&1
rc=$?
tail -4 "$work/checker.out"
check "event-checker over the whole topic: exit 0 (nothing lost, reordered, or on two partitions)" 0 "$rc"
summary=$(grep '^summary:' "$work/checker.out")
check "every committed event consumed ($events)" "lost=0 events=$events" \
  "$(sed -E 's/.* events=([0-9]+) .* lost=([0-9]+).*/lost=\2 events=\1/' <<<"$summary")"
finish
