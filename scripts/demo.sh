#!/usr/bin/env bash
# Brings the whole pipeline up on this machine and shows it working:
# PostgreSQL 15 with realchat_profile preloaded, a Kafka broker, profile-publisher,
# a few API calls, and the events as a Kafka consumer sees them.
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
cmake --build build --target profile-publisher 2>&1 | tail -1

work=$(make_workdir realchat-demo)
pg_port=$(free_port)
kafka_port=$(free_port_pair)
metrics_port=$(free_port)
publisher_pid=""
stop_all() {
  [ -n "$publisher_pid" ] && kill -TERM "$publisher_pid" 2>/dev/null && wait "$publisher_pid" 2>/dev/null
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

if [ -n "$keep" ]; then
  heading "Left running"
  echo "psql:      PGHOST=127.0.0.1 PGPORT=$pg_port PGUSER=postgres psql"
  echo "kafka:     kcat -C -b 127.0.0.1:$kafka_port -t profile.events"
  echo "publisher: pid $publisher_pid, log $work/publisher.log, metrics http://127.0.0.1:$metrics_port/metrics"
  echo "stop:      kill $publisher_pid; scripts/kafka.sh stop $work/kafka; scripts/pg-cluster.sh stop $work/pg"
fi
