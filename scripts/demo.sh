#!/usr/bin/env bash
# Brings the whole pipeline up on this machine and shows it working:
# PostgreSQL 15 with realchat_profile preloaded, a Kafka broker, profile-publisher,
# a few API calls, and the events as a Kafka consumer sees them; then Redis and
# profile-cache-sync, and a profile read from the cache after a change.
#
#   scripts/demo.sh          run, show, stop everything
#   scripts/demo.sh --keep   leave the servers running and print how to reach them
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib.sh
keep=""
[ "${1:-}" = "--keep" ] && keep=1

heading "Installing packages and building"
bash scripts/install-deps.sh
install_extension
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target profile-publisher profile-cache-sync profile-cache-get 2>&1 | tail -1

work=$(make_workdir realchat-demo)
pg_port=$(free_port)
kafka_port=$(free_port_pair)
metrics_port=$(free_port)
redis_port=$(free_port)
cache_metrics_port=$(free_port)
publisher_pid=""
cache_sync_pid=""
stop_all() {
  [ -n "$publisher_pid" ] && kill -TERM "$publisher_pid" 2>/dev/null && wait "$publisher_pid" 2>/dev/null
  [ -n "$cache_sync_pid" ] && kill -TERM "$cache_sync_pid" 2>/dev/null && wait "$cache_sync_pid" 2>/dev/null
  scripts/redis.sh stop "$work/redis" >/dev/null 2>&1 || true
  scripts/kafka.sh stop "$work/kafka" >/dev/null 2>&1 || true
  scripts/pg-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
[ -z "$keep" ] && trap stop_all EXIT

heading "Starting PostgreSQL 15 on 127.0.0.1:$pg_port (realchat_profile preloaded)"
scripts/pg-cluster.sh start "$work/pg" "$pg_port" --preload
export PGHOST=127.0.0.1 PGPORT=$pg_port PGUSER=postgres PGDATABASE=postgres
psql -X -q -c "CREATE EXTENSION realchat_profile CASCADE"

heading "Starting Kafka (KRaft, single node) on 127.0.0.1:$kafka_port"
scripts/kafka.sh start "$work/kafka" "$kafka_port" 6 >/dev/null
scripts/kafka.sh create-topic "$kafka_port" profile.events 6 >/dev/null

heading "Starting profile-publisher"
build/publisher/profile-publisher --db "host=127.0.0.1 port=$pg_port user=postgres dbname=postgres" \
  --brokers "127.0.0.1:$kafka_port" --metrics-addr "127.0.0.1:$metrics_port" >"$work/publisher.log" 2>&1 &
publisher_pid=$!
sleep 1
head -3 "$work/publisher.log"

heading "Calling the API"
psql -X -v ON_ERROR_STOP=1 <<'SQL'
SELECT user_id, username, version FROM profile.create_profile('7d3e6f1a-0000-4000-8000-000000000001', 'alice', 'Alice');
SELECT user_id, username, version FROM profile.create_profile('7d3e6f1a-0000-4000-8000-000000000002', 'bob', 'Bob');
SELECT username, bio, version FROM profile.update_profile('7d3e6f1a-0000-4000-8000-000000000001', bio => 'Hello from the demo');
SELECT username, status, version FROM profile.set_status('7d3e6f1a-0000-4000-8000-000000000001', 'online');
SELECT contact_user_id, nickname FROM profile.add_contact('7d3e6f1a-0000-4000-8000-000000000001', '7d3e6f1a-0000-4000-8000-000000000002', 'Bobby');
SELECT blocked_user_id FROM profile.block_user('7d3e6f1a-0000-4000-8000-000000000002', '7d3e6f1a-0000-4000-8000-000000000001');
-- and a change made by hand emits its event too
UPDATE profile.profiles SET display_name = 'Bob B.' WHERE username = 'bob';
SQL

heading "Events as a Kafka consumer sees them (kcat)"
timeout 30 kcat -C -b "127.0.0.1:$kafka_port" -t profile.events -o beginning -c 7 -e -q \
  -f 'partition %p  key %k\n  headers %h\n  %s\n'

heading "Outbox after publishing"
for _ in $(seq 1 20); do
  [ "$(psql -X -At -c 'SELECT pending FROM profile.outbox_stats()')" = "0" ] && break
  sleep 0.5
done
psql -X -c "SELECT * FROM profile.outbox_stats()"
heading "Publisher metrics (excerpt)"
curl -s "http://127.0.0.1:$metrics_port/metrics" | grep -E '^profile_publisher_(published|leader|pending)' || true

heading "Starting Redis on 127.0.0.1:$redis_port and profile-cache-sync (group profile-cache)"
scripts/redis.sh start "$work/redis" "$redis_port"
build/cache-sync/profile-cache-sync --brokers "127.0.0.1:$kafka_port" --redis "127.0.0.1:$redis_port" \
  --metrics-addr "127.0.0.1:$cache_metrics_port" >"$work/cache-sync.log" 2>&1 &
cache_sync_pid=$!
alice=7d3e6f1a-0000-4000-8000-000000000001
bob=7d3e6f1a-0000-4000-8000-000000000002
cached_read() {  # USER [VIEWER]: one read through the read helper (Redis, else PostgreSQL and a fill)
  build/cache-sync/profile-cache-get --db "host=127.0.0.1 port=$pg_port user=postgres dbname=postgres" \
    --redis "127.0.0.1:$redis_port" "$@" |
    awk -F= '/^(source|username|status|last_seen|version)=/ { printf "%s%s=%s", sep, $1, $2; sep = " " } END { print "" }' |
    sed 's/^/  /'
}
cached_version() {
  scripts/redis.sh cli "$work/redis" FCALL_RO profile_version 4 "rp:{$1}:p" "rp:{$1}:c" "rp:{$1}:b" "rp:{$1}:f" | head -1
}
wait_cached_version() {  # USER VERSION
  for _ in $(seq 1 60); do [ "$(cached_version "$1")" = "$2" ] && return 0; sleep 0.5; done
  echo "the cache did not reach version $2 of $1 (log: $work/cache-sync.log)" >&2
  return 1
}
echo "alice, first read (a miss: read from PostgreSQL and filled into Redis):"
cached_read "$alice"
echo "alice, second read:"
cached_read "$alice"

heading "A change, then the same read from Redis"
psql -X -At -c "SELECT 'set_status: ' || status || ', version ' || version FROM profile.set_status('$alice', 'away')"
wait_cached_version "$alice" "$(psql -X -At -c "SELECT version FROM profile.profiles WHERE user_id = '$alice'")"
echo "alice for a trusted caller (the event applied by profile-cache-sync):"
cached_read "$alice"
echo "bob as alice sees him (bob blocks alice: offline, no last_seen), through the cache and from get_profile:"
cached_read "$bob" "$alice"
cached_read "$bob" "$alice"
psql -X -c "SELECT username, display_name, status, last_seen, version FROM profile.get_profile('$bob', viewer => '$alice')"
heading "profile-cache-sync metrics (excerpt)"
curl -s "http://127.0.0.1:$cache_metrics_port/metrics" | grep -E '^profile_cache_sync_(applied|redis_up|assigned)' || true

if [ -n "$keep" ]; then
  heading "Left running"
  echo "psql:      PGHOST=127.0.0.1 PGPORT=$pg_port PGUSER=postgres psql"
  echo "kafka:     kcat -C -b 127.0.0.1:$kafka_port -t profile.events"
  echo "publisher: pid $publisher_pid, log $work/publisher.log, metrics http://127.0.0.1:$metrics_port/metrics"
  echo "redis:     scripts/redis.sh cli $work/redis; cache-sync pid $cache_sync_pid, log $work/cache-sync.log"
  echo "stop:      kill $publisher_pid $cache_sync_pid; scripts/redis.sh stop $work/redis; scripts/kafka.sh stop $work/kafka; scripts/pg-cluster.sh stop $work/pg"
fi
