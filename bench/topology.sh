#!/usr/bin/env bash
# bench/topology.sh: what the production topology costs and pays, as ratios from one run.
#
#   bench/topology.sh [--duration SECONDS] [--clients N] [--pool-size N]
#
# Reads: get_profile, and list_contacts (10 contacts each), by random user (pgbench -M extended,
# unnamed statements) from N client
# connections (default 1,000) through PgBouncer (transaction pooling, --pool-size server connections, default 8)
# against N direct connections (max_connections raised for them) and against 32 direct ones:
# throughput and p99 latency. Writes: update_profile with the synchronous standby against the same
# primary without it (synchronous_standby_names emptied and reloaded), one run after the other.
# Starts a primary (fsync on, extension preloaded), a standby and PgBouncer on free ports of
# 127.0.0.1 in a temporary directory; stops them on exit.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/lib.sh"
duration=10 clients=1000 pool_size=8
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --pool-size) pool_size=$2; shift 2 ;;
    *) sed -n '2,13p' "$0"; exit 2 ;;
  esac
done
users=10000

work=$(make_workdir realchat-bench-topology)
cleanup() {
  "$root/scripts/pgbouncer.sh" stop "$work/bouncer" >/dev/null 2>&1 || true
  "$root/scripts/pg-cluster.sh" stop "$work/standby" immediate >/dev/null 2>&1 || true
  "$root/scripts/pg-cluster.sh" stop "$work/primary" immediate >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
p_port=$(free_port) s_port=$(free_port) b_port=$(free_port)
psql_p() { psql -X -q -At -h 127.0.0.1 -p "$p_port" -U postgres -d "${2:-bench}" -c "$1"; }

ulimit -n 8192
"$root/scripts/pg-cluster.sh" start "$work/primary" "$p_port" --preload --bench --sync-standby standby1
psql_p "ALTER SYSTEM SET max_connections = $((clients + 100))" postgres
"$root/scripts/pg-cluster.sh" restart "$work/primary"
"$root/scripts/pg-cluster.sh" standby "$work/standby" "$s_port" "$p_port" --name standby1 --preload
psql_p "CREATE DATABASE bench" postgres
psql_p "CREATE EXTENSION realchat_profile CASCADE" 2>/dev/null
psql_p "SELECT count(*) FROM generate_series(1, $users) AS n,
        profile.create_profile(('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'user' || n, 'User ' || n)" >/dev/null
psql_p "INSERT INTO profile.contacts (user_id, contact_user_id)
        SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid,
               ('00000000-0000-4000-8000-' || lpad((1 + (n + k * 997) % $users)::text, 12, '0'))::uuid
        FROM generate_series(1, $users) AS n, generate_series(1, 10) AS k" >/dev/null
"$root/scripts/pgbouncer.sh" start "$work/bouncer" "$b_port" --pool-size "$pool_size" \
  --db "bench=host=127.0.0.1 port=$p_port dbname=bench"

cat >"$work/read.sql" <<SQL
\\set n random(1, $users)
SELECT * FROM profile.get_profile(('00000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid);
SQL
cat >"$work/contacts.sql" <<SQL
\\set n random(1, $users)
SELECT * FROM profile.list_contacts(('00000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid);
SQL
cat >"$work/write.sql" <<SQL
\\set n random(1, $users)
SELECT version FROM profile.update_profile(('00000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid, bio => 'b' || :n || random());
SQL

# run NAME PORT CLIENTS SCRIPT: prints "tps p99_ms" (p99 from the per-transaction log).
run() {
  local name=$1 port=$2 n=$3 script=$4 out tps seconds=$duration
  # 1,000 direct logins take seconds on 2 cores, and -T counts them; pgbench's tps leaves them out.
  [ "$n" -gt 100 ] && seconds=$((duration + 12))
  rm -f "$work"/pgbench_log.*
  out=$( cd "$work" && pgbench -n -M extended -h 127.0.0.1 -p "$port" -U postgres -c "$n" -j 2 -T "$seconds" \
    -l -f "$script" bench 2>&1 ) 2>/dev/null || true
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out" | tail -1)
  [ -n "$tps" ] || echo "bench: $name failed: $(tail -3 <<<"$out")" >&2
  p99=$(cat "$work"/pgbench_log.* 2>/dev/null | awk '{ print $3 }' | sort -n |
    awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", v[int(NR * 0.99)] / 1000; else print "?" }')
  tps=$(printf '%.0f' "${tps:-0}")
  echo "$tps $p99"
  echo "bench: $name: $tps tps, p99 $p99 ms" >&2
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }

read -r t_bouncer p_bouncer < <(run "reads, $clients clients through PgBouncer" "$b_port" "$clients" "$work/read.sql")
read -r t_direct p_direct < <(run "reads, $clients clients direct" "$p_port" "$clients" "$work/read.sql")
read -r t_32 p_32 < <(run "reads, 32 clients direct" "$p_port" 32 "$work/read.sql")
read -r c_bouncer cp_bouncer < <(run "list_contacts, $clients clients through PgBouncer" "$b_port" "$clients" "$work/contacts.sql")
read -r c_direct cp_direct < <(run "list_contacts, $clients clients direct" "$p_port" "$clients" "$work/contacts.sql")
read -r c_32 cp_32 < <(run "list_contacts, 32 clients direct" "$p_port" 32 "$work/contacts.sql")

read -r t_sync _ < <(run "writes, 8 clients, synchronous standby" "$p_port" 8 "$work/write.sql")
psql_p "ALTER SYSTEM SET synchronous_standby_names = ''" postgres >/dev/null
psql_p "SELECT pg_reload_conf()" postgres >/dev/null
sleep 1
read -r t_async _ < <(run "writes, 8 clients, no synchronous standby" "$p_port" 8 "$work/write.sql")

echo
echo "| comparison | ratio | figures |"
echo "| --- | --- | --- |"
echo "| reads: $clients clients through PgBouncer ($pool_size server connections) / $clients direct | $(ratio "$t_bouncer" "$t_direct")x throughput | $t_bouncer / $t_direct tps; p99 $p_bouncer / $p_direct ms |"
echo "| reads: $clients clients through PgBouncer / 32 direct | $(ratio "$t_bouncer" "$t_32")x throughput | $t_bouncer / $t_32 tps; p99 $p_bouncer / $p_32 ms |"
echo "| list_contacts: $clients clients through PgBouncer ($pool_size server connections) / $clients direct | $(ratio "$c_bouncer" "$c_direct")x throughput | $c_bouncer / $c_direct tps; p99 $cp_bouncer / $cp_direct ms |"
echo "| list_contacts: $clients clients through PgBouncer / 32 direct | $(ratio "$c_bouncer" "$c_32")x throughput | $c_bouncer / $c_32 tps; p99 $cp_bouncer / $cp_32 ms |"
echo "| writes: synchronous standby / none | $(ratio "$t_sync" "$t_async")x throughput | $t_sync / $t_async tps (update_profile, 8 clients) |"
