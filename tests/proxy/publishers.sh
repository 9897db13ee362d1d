#!/usr/bin/env bash
# The sharded chaos run: 4 shards, each in its own PostgreSQL cluster, behind the proxy
# (proxy/scripts/shards.sh --cluster-per-shard), a Kafka broker, 4 publishers (one per shard
# database, each with its own outbox and leader lock), all into one 4-partition topic.
# Writers go through the proxy all along: 4 writers over 32 users on every shard (presence,
# profile and cross-shard contact changes), and a workload of creates, cross-shard contacts and
# mutes, renames and deletes (whose clean-up writes events on other shards). Mid-run one shard's
# cluster stops with an immediate shutdown and stays down a few seconds, and another shard's
# publisher is killed (SIGKILL) and started again. Then, with the writers still writing for
# them, proxy/scripts/move-user.sh moves one user to another shard and another one away and back.
# Checked:
# - while the shard was down, the writers' calls for users of the 3 other shards kept succeeding
#   (and none for the stopped shard's users did);
# - the moved users' streams continue on their new home (versions 1..n there, events from before
#   and after the moves), and nothing of them stays elsewhere;
# - once every outbox has drained, event-checker reads the whole topic and compares it with every
#   shard's outbox: nothing lost, nothing reordered, each user on one partition.
#
#   tests/proxy/publishers.sh     ends with "N passed, N failed" (about 1.5 minutes plus the build)
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
writer_pids=()
cleanup() {
  local p
  for p in "${writer_pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  "$root/scripts/kafka.sh" kill "$work/kafka" >/dev/null 2>&1
  "$root/proxy/scripts/shards.sh" down "$work/shards" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$root/proxy/scripts/shards.sh" up 4 "$work/shards" --cluster-per-shard >"$work/up.log" 2>&1 ||
  { cat "$work/up.log"; abort "start 4 shard clusters and the proxy"; }
. "$work/shards/env"
kafka_port=$(free_port_pair) || abort "a free port for Kafka"
"$root/scripts/kafka.sh" start "$work/kafka" "$kafka_port" "$partitions" >/dev/null 2>&1 || abort "start Kafka"
"$root/scripts/kafka.sh" create-topic "$kafka_port" "$topic" "$partitions" >/dev/null 2>&1 || abort "create the topic"
log "proxy on 127.0.0.1:$PGPORT, shards on ports $SHARD_PORT_0 $SHARD_PORT_1 $SHARD_PORT_2 $SHARD_PORT_3, Kafka on 127.0.0.1:$kafka_port"

start_publisher() { # start_publisher SHARD: pids[SHARD]
  "$publisher" --db "$(shard_conninfo "$1") connect_timeout=5" \
    --brokers "127.0.0.1:$kafka_port" --poll-interval 1s >>"$work/publisher-$1.log" 2>&1 &
  pids[$1]=$!
}
for ((i = 0; i < SHARD_COUNT; i++)); do start_publisher "$i"; done

# The workload, through the proxy: users on every shard, contacts and mutes across shards,
# status changes, renames and deletes. Statements failing while a shard is down are fine:
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

# The writers' users: d7000000-0000-4000-8000-0000000000XX, XX = 00 .. 1f; route_hash is the uuid's last 32
# bits, so user XX lives on shard XX & 3.
writer_user() { printf 'd7000000-0000-4000-8000-%012x' "$1"; }
psql -X -q -d "$PROXY_DB" -c "SELECT count(*) FROM generate_series(0, 31) n, LATERAL profile.create_profile(
  ('d7000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'writer_' || n, 'Writer ' || n)" >/dev/null 2>&1 ||
  abort "create the writers' users"
# writer W: CALLS calls through one proxy session, a few ms apart, each printing
# "ok|<epoch>|<home shard>" when it succeeded; failures (the stopped shard) go to its log.
writer() { # writer W CALLS
  local w=$1 k u v me other
  for ((k = 0; k < $2; k++)); do
    u=$(( (k * 4 + w) % 32 )); v=$(( (u + 1) % 32 ))
    me=$(writer_user "$u"); other=$(writer_user "$v")
    case $(((k / 8) % 4)) in  # each user meets every kind of call in turn
      0) echo "SELECT 'ok|' || extract(epoch FROM clock_timestamp()) || '|$((u & 3))' FROM profile.set_status('$me', '$( [ $(((k / 32) % 2)) = 0 ] && echo away || echo online)');" ;;
      1) echo "SELECT 'ok|' || extract(epoch FROM clock_timestamp()) || '|$((u & 3))' FROM profile.update_profile('$me', bio => 'w$w k$k');" ;;
      2) echo "SELECT 'ok|' || extract(epoch FROM clock_timestamp()) || '|$((u & 3))' FROM profile.remove_contact('$me', '$other');
SELECT 'ok|' || extract(epoch FROM clock_timestamp()) || '|$((u & 3))' FROM profile.add_contact('$me', '$other');" ;;
      3) echo "SELECT 'ok|' || extract(epoch FROM clock_timestamp()) || '|$((u & 3))' FROM profile.set_custom_status('$me', 'k$k');" ;;
    esac
    sleep 0.04
  done | psql -X -q -At -d "$PROXY_DB" >"$work/writer-$w.out" 2>"$work/writer-$w.err"
}
for w in 0 1 2 3; do writer "$w" 500 & writer_pids+=($!); done
(for round in 1 2 3 4 5 6; do workload "$round"; sleep 2; done) & writer_pids+=($!)

down=2 killed=1
sleep 6
log "kill -9 the publisher of shard $killed"
kill -KILL "${pids[$killed]}" 2>/dev/null; wait "${pids[$killed]}" 2>/dev/null
sleep 2
log "stopping shard $down's cluster (immediate) under the writers and publishers"
"$root/scripts/pg-cluster.sh" stop "$work/shards/pg-shard-$down" immediate >/dev/null 2>&1 || abort "stop shard $down"
outage_from=$(date +%s.%N)
sleep 2
start_publisher "$killed"
sleep 3
outage_to=$(date +%s.%N)
down_port=SHARD_PORT_$down
"$root/scripts/pg-cluster.sh" start "$work/shards/pg-shard-$down" "${!down_port}" >/dev/null 2>&1 || abort "start shard $down again"
log "shard $down is back"

# Moves while the writers keep writing for the moved users: writer user 1 (shard 1) to
# partition 2, writer user 4 (shard 0) to 3 and back home (its exception goes).
moved=$(writer_user 1) moved_home=$(writer_user 4)
move_start=$(date +%s.%N)
for step in "$moved 2" "$moved_home 3" "$moved_home 0"; do
  sleep 1
  # shellcheck disable=SC2086
  if "$root/proxy/scripts/move-user.sh" "$work/shards" $step >>"$work/move.log" 2>&1; then
    log "$(tail -1 "$work/move.log")"
  else
    check "move-user.sh $step" 0 1; cat "$work/move.log"
  fi
done
move_end=$(date +%s.%N)
for p in "${writer_pids[@]}"; do wait "$p"; done
log "writers done: $(cat "$work"/writer-*.out | grep -c '^ok|') calls succeeded, $(cat "$work"/writer-*.err | grep -c '^ERROR') failed"

# Successful writer calls per home shard while shard $down was down.
during=$(cat "$work"/writer-*.out | awk -F'|' -v a="$outage_from" -v b="$outage_to" -v d="$down" '
  $1 == "ok" && $2 >= a && $2 <= b { n[$3]++ }
  END { for (s = 0; s < 4; s++) { if (s == d) down = n[s] + 0; else if (n[s] > 0) up++ } print up + 0 "|" down + 0 }')
log "during the outage ($(awk -v a="$outage_from" -v b="$outage_to" 'BEGIN { printf "%.1f", b - a }') s): $(cat "$work"/writer-*.out |
  awk -F'|' -v a="$outage_from" -v b="$outage_to" '$1 == "ok" && $2 >= a && $2 <= b { n[$3]++ } END { for (s = 0; s < 4; s++) printf "shard %d: %d ok  ", s, n[s] }')"
check "while shard $down was down, writes for users of the 3 other shards kept succeeding, none for shard $down's" "3|0" "$during"
check "the writers' calls for shard $down's users failed while it was down" yes \
  "$(grep -q '^ERROR' "$work"/writer-*.err && echo yes || echo no)"

# Deletes whose clean-up missed the stopped shard are finished by the repair jobs.
psql -X -q -d "$PROXY_DB" -c "SELECT count(*) FROM proxy.finish_deletes()" -c "SELECT count(*) FROM proxy.forget_deleted_users()" >/dev/null 2>&1

pending=""
for ((t = 0; t < 60; t++)); do
  pending=$(psql -X -q -At -d "$PROXY_DB" -c "SELECT pending FROM profile.outbox_stats()" 2>/dev/null)
  [ "$pending" = 0 ] && break
  sleep 1
done
check "the 4 publishers drained every shard's outbox" 0 "$pending"
check "the routing exceptions: user 1 on partition 2, user 4 back home without one" "$moved|1|2|moved" \
  "$(psql -X -q -At -d "$PROXY_DB" -c "SELECT concat_ws('|', user_id, source, target, state) FROM proxy.moved_users")"
check "the moved users' streams: each on its new home only, versions 1..n as profiles.version, events before and after the moves" \
  "2:t|t|t 0:t|t|t" "$(for u in "$moved:2" "$moved_home:0"; do
    printf '%s:' "${u#*:}"
    psql -X -q -At "$(shard_conninfo "${u#*:}")" -c "SELECT concat_ws('|',
        count(*) = max((o.payload->>'version')::int) AND count(DISTINCT o.payload->>'version') = count(*),
        max((o.payload->>'version')::int) = (SELECT version FROM profile.profiles WHERE user_id = '${u%%:*}'),
        min(o.created_at) < to_timestamp($move_start) AND max(o.created_at) > to_timestamp($move_end))
      FROM profile.outbox o WHERE o.key = '${u%%:*}'"
  done | tr '\n' ' ' | sed 's/ $//')"
check "no other shard keeps an event or a real row of the moved users" 0 \
  "$(for ((i = 0; i < SHARD_COUNT; i++)); do
       [ "$i" = 2 ] || psql -X -q -At "$(shard_conninfo "$i")" -c "SELECT count(*) FROM profile.outbox WHERE key = '$moved'"
       [ "$i" = 0 ] || psql -X -q -At "$(shard_conninfo "$i")" -c "SELECT count(*) FROM profile.outbox WHERE key = '$moved_home'"
       psql -X -q -At "$(shard_conninfo "$i")" -c "SELECT count(*) FROM profile.profiles p WHERE user_id IN ('$moved', '$moved_home')
         AND NOT EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = p.user_id) AND ($i <> 2 OR user_id <> '$moved') AND ($i <> 0 OR user_id <> '$moved_home')"
     done | awk '{ n += $1 } END { print n + 0 }')"
log "writes refused while a user was frozen: $(cat "$work"/writer-*.err | grep -c 'is being moved')"
for ((i = 0; i < SHARD_COUNT; i++)); do
  kill -0 "${pids[$i]}" 2>/dev/null || log "publisher $i exited: $(tail -3 "$work/publisher-$i.log")"
done

# Expected: every committed event of every shard, per user.
for ((i = 0; i < SHARD_COUNT; i++)); do
  psql -X -q -At -F ' ' "$(shard_conninfo "$i")" -c "SELECT key, count(*) FROM profile.outbox GROUP BY key"
done | awk '{ n[$1] += $2 } END { for (k in n) print k, n[k] }' >"$work/expect.txt"
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
