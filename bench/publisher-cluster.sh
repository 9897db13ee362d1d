#!/usr/bin/env bash
# The publisher's drain into a three-node Kafka cluster (acks=all, replication factor 3,
# min.insync.replicas=2) against one broker (replication factor 1), in one run on one machine:
# the price of replication. Both drain the same outbox backlog with `profile-publisher --once`;
# the runs alternate (single, cluster, single, cluster, ...) so that load from elsewhere hits both.
#
#   bench/publisher-cluster.sh [ROWS] [ROUNDS]     default 200000 rows, 2 rounds
#
# Starts its own PostgreSQL (scripts/pg-cluster.sh --bench --preload: fsync on), one Kafka node and
# a three-node cluster on free ports of 127.0.0.1 under a temporary directory, and stops them on exit.
# Needs the extension installed (make install); builds build/publisher/profile-publisher.
# Prints events/s per run, the medians and the ratio cluster / single.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/lib.sh
rows=${1:-200000}
rounds=${2:-2}
[[ "$rows" =~ ^[1-9][0-9]*$ ]] && [[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { sed -n '2,12p' "$0" >&2; exit 2; }
partitions=6
publisher=$root/build/publisher/profile-publisher

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
work=$(make_workdir realchat-bench-cluster)
cleanup() {
  scripts/kafka.sh kill "$work/single" >/dev/null 2>&1 || true
  scripts/kafka.sh cluster-kill "$work/cluster" >/dev/null 2>&1 || true
  scripts/pg-cluster.sh stop "$work/pg" immediate >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

log "building profile-publisher"
cmake -S . -B build -G Ninja >/dev/null && cmake --build build --target profile-publisher >/dev/null

pg_port=$(free_port)
conninfo="host=127.0.0.1 port=$pg_port user=postgres dbname=bench"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d bench "$@"; }
scripts/pg-cluster.sh start "$work/pg" "$pg_port" --bench --preload >/dev/null
psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE bench"
q -c "CREATE EXTENSION realchat_profile CASCADE" 2>/dev/null

# Rows shaped like ProfileUpdated events of 20,000 users (about 450 bytes each), inserted directly.
log "outbox backlog of $rows rows"
q -c "
  INSERT INTO profile.outbox (topic, key, payload)
  SELECT 'profile.events', u::text,
         jsonb_build_object('event_id', gen_random_uuid(), 'event_type', 'ProfileUpdated', 'user_id', u,
           'version', 1 + i / 20000, 'occurred_at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),
           'data', jsonb_build_object('username', 'user' || (i % 20000), 'display_name', 'User ' || i,
                     'bio', 'Bio text number ' || i, 'avatar_url', 'https://cdn.example.com/a/' || (i % 20000) || '.jpg',
                     'status', 'online', 'changed', jsonb_build_array('display_name', 'bio')))
  FROM generate_series(0, $rows - 1) i, LATERAL (SELECT md5((i % 20000)::text)::uuid AS u) x" \
  -c "VACUUM ANALYZE profile.outbox" -c "CHECKPOINT"

single_port=$(free_port_pair)
ports=()
while [ "${#ports[@]}" -lt 3 ]; do
  p=$(free_port_pair)
  clash=0
  for o in "$single_port" "${ports[@]}"; do [ $((p - o)) -ge -1 ] && [ $((p - o)) -le 1 ] && clash=1; done
  [ "$clash" = 0 ] && ports+=("$p")
done
log "one Kafka node on $single_port, a cluster on ${ports[*]}"
scripts/kafka.sh start "$work/single" "$single_port" "$partitions" >/dev/null
scripts/kafka.sh create-topic "$single_port" profile.events "$partitions" >/dev/null
scripts/kafka.sh cluster-start "$work/cluster" "${ports[@]}" "$partitions" >/dev/null
scripts/kafka.sh create-topic "${ports[0]}" profile.events "$partitions" 3 2 >/dev/null
cluster_brokers=$(scripts/kafka.sh cluster-brokers "$work/cluster")

drain() {  # drain LABEL BROKERS: events/s of one --once drain of the whole backlog
  local elapsed
  q -c "UPDATE profile.outbox SET published_at = NULL" -c "VACUUM ANALYZE profile.outbox" -c "CHECKPOINT"
  sleep 2
  /usr/bin/time -o "$work/time" -f '%e' "$publisher" --db "$conninfo" --brokers "$2" --once --metrics-addr off \
    --retention 0 --log-level warn >>"$work/publisher-$1.log" 2>&1
  elapsed=$(tail -1 "$work/time")
  [ "$(q -c "SELECT count(*) FROM profile.outbox WHERE published_at IS NULL")" = 0 ] ||
    { log "$1: rows left pending"; exit 1; }
  python3 -c "print(round($rows / $elapsed))"
}

single=() cluster=()
for ((r = 1; r <= rounds; r++)); do
  s=$(drain single "127.0.0.1:$single_port"); single+=("$s")
  log "round $r: one broker $s events/s"
  c=$(drain cluster "$cluster_brokers"); cluster+=("$c")
  log "round $r: three-node cluster $c events/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ms=$(median "${single[@]}") mc=$(median "${cluster[@]}")
echo "publisher drain of $rows rows, $rounds rounds, acks=all, $partitions partitions"
echo "one broker (RF 1):                          ${single[*]} events/s, median $ms"
echo "three-node cluster (RF 3, min.insync.replicas=2): ${cluster[*]} events/s, median $mc"
echo "cluster / single: $(python3 -c "print(f'{$mc / $ms:.2f}x')")"
