#!/usr/bin/env bash
# bench/proxy.sh: what the PL/Proxy tier costs per call (issue 15), as ratios in one run.
#
#   bench/proxy.sh [--duration SECONDS] [--clients N]     defaults: 4 s, 1 client
#
# 4 shards and the proxy in one throwaway cluster (proxy/scripts/shards.sh), 400 users, and a
# one-database copy with the same users. Each call is timed through the proxy and directly:
#   get_profile, update_profile   the user's home shard directly vs the proxy
#   get_profiles(100)             100 users of all 4 shards: one database directly vs the proxy
#   get_profile(viewer)           a viewer on another shard (one more round trip for rule 4)
# Prints average latency per call (pgbench, prepared statements), proxy/direct ratios, and the
# server CPU per call (every process of the cluster, from /proc): direct is what a shard spends,
# proxy minus direct what the proxy tier adds (its backend, PL/Proxy, the shards' share of the
# remote protocol). docs/sharding.md turns the CPU figures into a throughput model.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/lib.sh"
duration=4
clients=1
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift ;;
    --clients) clients=$2; shift ;;
    *) sed -n '2,13p' "$0" >&2; exit 2 ;;
  esac
  shift
done

work=$(make_workdir realchat-bench-proxy)
[ -n "${KEEP:-}" ] || trap '"$root/proxy/scripts/shards.sh" down "$work/shards" >/dev/null 2>&1; rm -rf "$work"' EXIT
"$root/proxy/scripts/shards.sh" up 4 "$work/shards" >/dev/null 2>&1
. "$work/shards/env"
psql -X -q -d postgres -c "CREATE DATABASE profile_single"
psql -X -q -d profile_single -c "CREATE EXTENSION realchat_profile CASCADE" 2>/dev/null
# User n: b0000000-0000-4000-8000-<n in hex>, on partition n % 4.
for db in "$PROXY_DB" profile_single; do
  psql -X -q -d "$db" -c "SELECT count(*) FROM generate_series(1, 400) n, LATERAL profile.create_profile(
    ('b0000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'bench_' || n, 'Bench ' || n)" >/dev/null
done

id='(('"'"'b0000000-0000-4000-8000-'"'"' || lpad(to_hex(:n::int), 12, '"'"'0'"'"'))::uuid)'
cat >"$work/get.sql" <<SQL
\set n random(1, 100) * 4
SELECT user_id FROM profile.get_profile($id);
SQL
cat >"$work/update.sql" <<SQL
\set n random(1, 100) * 4
\set b random(1, 1000000)
SELECT version FROM profile.update_profile($id, bio => 'bio ' || :b);
SQL
cat >"$work/get100.sql" <<SQL
SELECT count(*) FROM profile.get_profiles(ARRAY(SELECT ('b0000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid
                                                FROM generate_series(1, 100) n));
SQL
cat >"$work/viewer.sql" <<SQL
\set n random(1, 100) * 4
SELECT user_id FROM profile.get_profile($id, viewer => 'b0000000-0000-4000-8000-000000000001');
SQL

# CPU the cluster (proxy and shards: one postmaster) has used so far, in clock ticks: the
# postmaster's own and its reaped children's, plus every live child's.
pm_pid=$(head -1 "$work/shards/pg/postmaster.pid")
cluster_ticks() {
  python3 - "$pm_pid" <<'PY'
import os, sys
pm = sys.argv[1]
def fields(pid):
    s = open(f'/proc/{pid}/stat').read()
    return s[s.rindex(')') + 2:].split()
f = fields(pm)
total = sum(int(x) for x in f[11:15])
for pid in os.listdir('/proc'):
    if pid.isdigit():
        try:
            g = fields(pid)
        except OSError:
            continue
        if g[1] == pm:
            total += int(g[11]) + int(g[12])
print(total)
PY
}
hz=$(getconf CLK_TCK)
measure() { # measure DB SCRIPT: "average-ms server-CPU-us-per-call"
  local t0 t1 out calls
  t0=$(cluster_ticks)
  out=$(pgbench -n -M prepared -c "$clients" -j 1 -T "$duration" -f "$2" "$1" 2>"$work/pgbench.err")
  sleep 0.3  # the run's backend exits and is reaped
  t1=$(cluster_ticks)
  calls=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
  echo "$(sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' <<<"$out") $(echo "($t1 - $t0) * 1000000 / $hz / $calls" | bc)"
}
row() { # row NAME DIRECT_DB SCRIPT
  local d p
  read -r -a d <<<"$(measure "$2" "$3")"
  read -r -a p <<<"$(measure "$PROXY_DB" "$3")"
  printf '| %-32s | %8s | %8s | %5.2fx | %6s | %6s | %6s |\n' "$1" "${d[0]}" "${p[0]}" \
    "$(echo "${p[0]} / ${d[0]}" | bc -l)" "${d[1]}" "${p[1]}" "$((p[1] - d[1]))"
}
echo "| call ($clients client(s), ${duration}s each)     | direct ms | proxy ms | ratio | direct CPU µs | proxy CPU µs | proxy tier µs |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
row "get_profile (home shard)" "${SHARD_DB_PREFIX}0" "$work/get.sql"
row "update_profile (home shard)" "${SHARD_DB_PREFIX}0" "$work/update.sql"
row "get_profiles(100) over 4 shards" profile_single "$work/get100.sql"
row "get_profile, viewer elsewhere" "${SHARD_DB_PREFIX}0" "$work/viewer.sql"
