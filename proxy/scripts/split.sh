#!/usr/bin/env bash
# Growth: doubles the partitions of a proxy/scripts/shards.sh setup, N to 2N. Partition p splits
# into p and p + N: the users whose route_hash has bit N set move to the new shard p + N, with
# their rows, versions and outbox rows (published or pending); nobody else moves.
#
#   proxy/scripts/split.sh DIR        DIR from `shards.sh up` (the single-cluster layout);
#                                     updates DIR/env (SHARD_COUNT, SHARD_PORT_i)
#
# 1. The proxy's SQL/MED server gets 2N partitions, p + N naming the same database as p: routing
#    is unchanged (PL/Proxy runs once per database, so RUN ON ALL still asks each shard once).
# 2. Then one partition at a time, while that shard takes no connections (the write stop of its
#    users only): copy the database (CREATE DATABASE ... TEMPLATE, the single-cluster stand-in for
#    a promoted streaming replica); the copy keeps its half (shard.keep_partition, triggers off:
#    no events); p + N is pointed at the copy; the old shard reopens and keeps its half.
# Stop the old shard's publisher before its step and start one for the new shard after it
# (docs/sharding.md, Growth).
set -euo pipefail

dir=${1:?usage: proxy/scripts/split.sh DIR}
. "$dir/env"
n=$SHARD_COUNT
# The copy is CREATE DATABASE ... TEMPLATE, inside one cluster; with a cluster per shard the
# copy is a promoted streaming replica, which this script does not build.
[ "${SHARD_LAYOUT:-single}" = single ] ||
  { echo "split: DIR has a cluster per shard; split.sh splits the single-cluster layout only" >&2; exit 2; }
# A user moved off their hash's partition (proxy/scripts/move-user.sh) would be split by hash.
[ "$(psql -X -q -At -d "$PROXY_DB" -c "SELECT count(*) FROM proxy.moved_users" 2>/dev/null || echo 0)" = 0 ] ||
  { echo "split: users are moved off their hash's partition (proxy.moved_users); move them home first" >&2; exit 2; }
sql() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
connstr() { echo "host=127.0.0.1 port=$PGPORT dbname=${SHARD_DB_PREFIX}$1"; }
keep() { # keep DB PARTITION
  sql "$1" -c "SELECT 'partition $2 keeps its half: ' || concat_ws(', ', users_moved || ' users moved out',
                 shadows_kept || ' kept as shadows', outbox_rows_moved || ' outbox rows moved out')
               FROM shard.keep_partition($2, $((2 * n)))"
}

opts=""
for ((p = 0; p < n; p++)); do
  opts+="${opts:+, }ADD p$((p + n)) '$(connstr "$p")'"
done
sql "$PROXY_DB" -c "ALTER SERVER profile_shards OPTIONS ($opts)"
sed -i "s/SHARD_COUNT=$n /SHARD_COUNT=$((2 * n)) /" "$dir/env"
for ((p = n; p < 2 * n; p++)); do echo "export SHARD_PORT_$p=$PGPORT" >>"$dir/env"; done

for ((p = 0; p < n; p++)); do
  old=${SHARD_DB_PREFIX}$p new=${SHARD_DB_PREFIX}$((p + n))
  sql postgres -c "ALTER DATABASE $old ALLOW_CONNECTIONS false" \
    -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$old'" >/dev/null
  for ((t = 0; t < 50; t++)); do  # terminated backends are gone within moments
    [ "$(sql postgres -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$old'")" = 0 ] && break
    sleep 0.1
  done
  sql postgres -c "CREATE DATABASE $new TEMPLATE $old"
  keep "$new" $((p + n))   # nothing routes to the copy yet
  sql "$PROXY_DB" -c "ALTER SERVER profile_shards OPTIONS (SET p$((p + n)) '$(connstr $((p + n)))')"
  # The moved users are served by the copy from here on; the old shard reopens and drops them in
  # one transaction (until it commits, RUN ON ALL reads can see a moved user twice).
  sql postgres -c "ALTER DATABASE $old ALLOW_CONNECTIONS true"
  keep "$old" "$p"
done
echo "split: $n to $((2 * n)) shards"
