#!/usr/bin/env bash
# The read cache against PostgreSQL (issue 13's read figures), on this machine, in one run:
# a throwaway PostgreSQL (fsync on, extension preloaded) and Redis (scripts/redis.sh), USERS
# users with contacts and blocks, then for 8 and 32 clients:
#   cached  the read helper, every read a Redis hit, against get_profile (same pairs)
#   miss    Redis miss, one-statement SQL read, fill, Redis read, against get_profile alone
# Reports reads/s and server CPU per read (redis-server; the postmaster and its children).
# --lag also starts Kafka, profile-publisher and profile-cache-sync and measures commit-to-Redis
# lag at LAG_RATE API calls per second (default 1000) from the daemon's histogram (bucket bounds).
#
#   bench/cache.sh [--lag] [SECONDS]     default 10 s per measurement; USERS (default 20000)
#
# Clients run on the same two cores as the servers, as in bench/run.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib.sh"
lag=""
[ "${1:-}" = --lag ] && { lag=1; shift; }
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
echo "warming the cache" >&2
bench warm 8 >/dev/null
printf '%-7s %7s %10s %10s %22s %25s\n' mode clients reads reads/s redis_cpu_us/read postgres_cpu_us/read
for clients in 8 32; do
  for mode in cached sql miss sqlone; do
    bench "$mode" "$clients" | awk '{ printf "%-7s %7s %10s %10s %22s %25s\n", $1, $2, $3, $4, $5, $6 }'
  done
done

[ -n "$lag" ] || exit 0

# ---------- commit-to-Redis lag ----------
rate=${LAG_RATE:-1000}
kafka_port=$(free_port_pair)
metrics=$(free_port)
"$root/scripts/kafka.sh" start "$work/kafka" "$kafka_port" 4 >/dev/null
"$root/scripts/kafka.sh" create-topic "$kafka_port" profile.events 4 >/dev/null
"$build/publisher/profile-publisher" --db "$db" --brokers "127.0.0.1:$kafka_port" --metrics-addr off \
  >"$work/publisher.log" 2>&1 &
pids+=($!)
"$build/cache-sync/profile-cache-sync" --brokers "127.0.0.1:$kafka_port" --redis "127.0.0.1:$redis_port" \
  --metrics-addr "127.0.0.1:$metrics" >"$work/cache-sync.log" 2>&1 &
pids+=($!)
histogram() { curl -s "http://127.0.0.1:$metrics/metrics" | grep '^profile_cache_sync_apply_lag_seconds_bucket'; }
wait_idle() {  # until the outbox is published and the daemon applied everything it read
  local last="" now
  for _ in $(seq 1 240); do
    now=$(curl -s "http://127.0.0.1:$metrics/metrics" | awk '/^profile_cache_sync_(applied|absent|duplicates|gaps|deleted)_total/ { s += $2 } END { print s }')
    [ "$(psql -X -At -c 'SELECT pending FROM profile.outbox_stats()')" = 0 ] && [ "$now" = "$last" ] && return 0
    last=$now
    sleep 0.5
  done
}
echo "lag: creating 200 users, then $rate calls/s for ${seconds}s" >&2
"$build/publisher/publisher_e2e_tool" write --db "$db" --users 200 --ops 0 --seed 7 >/dev/null
wait_idle
histogram >"$work/lag.before"
"$build/publisher/publisher_e2e_tool" write --db "$db" --users 200 --ops $((rate * seconds)) --rate "$rate" \
  --conns 4 --seed 7 >&2
wait_idle
histogram >"$work/lag.after"
# Delta histogram; a percentile is reported as the bound of the bucket it falls in.
paste "$work/lag.before" "$work/lag.after" | awk '
  { match($1, /le="[^"]*"/); le[NR] = substr($1, RSTART + 4, RLENGTH - 5); n[NR] = $4 - $2 }
  END {
    total = n[NR]
    for (i = 1; i <= NR; i++) {
      if (!p50 && n[i] >= 0.5 * total) p50 = le[i]
      if (!p99 && n[i] >= 0.99 * total) p99 = le[i]
    }
    printf "lag (commit to Redis applied): events=%d p50<=%ss p99<=%ss\n", total, p50, p99
  }'
