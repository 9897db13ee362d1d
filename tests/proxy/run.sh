#!/usr/bin/env bash
# The sharded service (proxy/) against its contract: 4 shard databases and the PL/Proxy proxy
# in one throwaway cluster on a free loopback port (proxy/scripts/shards.sh).
#
#   tests/proxy/run.sh     ends with "N passed, N failed"; exits non-zero on any failure
#
# 1. sql/lists.sql, the project's pg_regress file that calls API functions only, through the
#    proxy, compared with expected/lists.out: the starting data of part 2 (tests/proxy/contract.sh
#    runs every pg_regress file that can pass through the proxy; docs/sharding.md says why the
#    others cannot).
# 2. tests/proxy/scenario.sql, cross-shard reads and writes with blocks, privacy, invisibility,
#    discoverability, mutes, renames and deletes: the same output on one database and through
#    the proxy.
# 3. tests/proxy/checks.sh, checked on the shards themselves: routing, username races, the
#    registry's repair job, deletes reaching every shard (and the repair of a cut-short one),
#    moving one user between shards (frozen writes, a cut-short move finished, one given up,
#    and back home), per-user streams, the session's realchat_profile.* settings reaching the
#    shards for one call (traceparent, an invalid one counted, away_after, a limit), the
#    application role's rights, and a split from 4 to 8 shards. (tests/proxy/publishers.sh moves users under real publishers and Kafka.)
# Takes about half a minute. KEEP=1 keeps the work directory (and leaves its cluster running).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/harness.sh"

proxy_workdir realchat-proxy

proxy_up 4
all_shards() { # all_shards SQL: the sum of one number over the 4 shards
  local i total=0 n
  for ((i = 0; i < SHARD_COUNT; i++)); do
    n=$(shard "$i" -c "$1") || return 1
    total=$((total + n))
  done
  echo "$total"
}

# What the proxy adds to an error: the context of its PL/pgSQL function (the SQLSTATE, message,
# detail and hint are the shard's, as on one database).
normalize() {
  sed -E -e '/^CONTEXT:  /d' -e '/^(PL\/pgSQL function|SQL function|SQL statement) /d' "$1"
}
# As pg_regress runs a file.
regress_psql() { # regress_psql DB FILE OUT
  PGTZ=PST8PDT PGDATESTYLE='Postgres, MDY' psql -X -a -q -d "$1" -v HIDE_TABLEAM=on \
    -v HIDE_TOAST_COMPRESSION=on <"$2" >"$3" 2>&1
}

# ---- 1. the contract's own pg_regress file ----
regress_psql "$PROXY_DB" "$root/sql/lists.sql" "$work/lists.out"
if diff -u "$root/expected/lists.out" <(normalize "$work/lists.out") >"$work/lists.diff"; then
  pass "sql/lists.sql through the proxy matches expected/lists.out"
else
  fail "sql/lists.sql through the proxy"; head -60 "$work/lists.diff"
fi

# ---- 2. one database and the proxy give the same answers ----
psql -X -q -d postgres -c "CREATE DATABASE profile_single" &&
  psql -X -q -d profile_single -c "CREATE EXTENSION realchat_profile CASCADE" >/dev/null 2>&1
# The same starting data as the proxy's: the users of lists.sql.
regress_psql profile_single "$root/sql/lists.sql" "$work/lists-single.out"
regress_psql profile_single "$here/scenario.sql" "$work/scenario-single.out"
regress_psql "$PROXY_DB" "$here/scenario.sql" "$work/scenario-proxy.out"
if grep -qE '^ERROR:  .{6,}' "$work/scenario-single.out"; then
  fail "scenario.sql on one database raised an unexpected error"; grep -B3 -E '^ERROR:  .{6,}' "$work/scenario-single.out" | head -20
elif diff -u <(normalize "$work/scenario-single.out") <(normalize "$work/scenario-proxy.out") >"$work/scenario.diff"; then
  pass "scenario.sql: the proxy over 4 shards answers as one database ($(grep -c '^SELECT' "$here/scenario.sql") statements)"
else
  fail "scenario.sql: the proxy differs from one database"; head -80 "$work/scenario.diff"
fi

. "$here/checks.sh"
finish
