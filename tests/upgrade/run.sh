#!/usr/bin/env bash
# Upgrade in place: a 1.0 database with data (profiles, lists, a deleted user, published and
# pending outbox rows) goes to 1.1 with ALTER EXTENSION ... UPDATE, keeps every row, version and
# pending event, and then passes the pg_regress suite and the 1.1 behaviour checks.
# Against a throwaway PostgreSQL cluster with the library preloaded; the caller has installed
# the extension.
#
#   tests/upgrade/run.sh          ends with "N passed, N failed"
set -uo pipefail

. "$(dirname "$0")/../lib/cluster_checks.sh"
start_check_cluster upgrade --preload
export PGDATABASE=upgraded
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
sql -d postgres -c "CREATE DATABASE upgraded"

sql >/dev/null <<'SQL'
CREATE EXTENSION realchat_profile VERSION '1.0';
SELECT profile.create_profile(('a1000000-0000-4000-8000-00000000000' || n)::uuid, 'old' || n, 'Old ' || n)
FROM generate_series(1, 5) n;
SELECT profile.update_profile('a1000000-0000-4000-8000-000000000001', bio => 'from 1.0');
SELECT profile.set_status('a1000000-0000-4000-8000-000000000002', 'busy');
SELECT profile.add_contact('a1000000-0000-4000-8000-000000000001', 'a1000000-0000-4000-8000-000000000002');
SELECT profile.add_contact('a1000000-0000-4000-8000-000000000002', 'a1000000-0000-4000-8000-000000000001');
SELECT profile.add_contact('a1000000-0000-4000-8000-000000000003', 'a1000000-0000-4000-8000-000000000005');
SELECT profile.block_user('a1000000-0000-4000-8000-000000000004', 'a1000000-0000-4000-8000-000000000003');
SELECT profile.update_profile('a1000000-0000-4000-8000-000000000005', display_name => 'Leaving');
SELECT profile.delete_profile('a1000000-0000-4000-8000-000000000005');
UPDATE profile.outbox SET published_at = now() - interval '2 days' WHERE id <= 4;
SQL

state() {
  sql -c "SELECT md5(string_agg(t, E'\n' ORDER BY t)) FROM (
            SELECT 'profiles ' || (p.user_id, p.username, p.display_name, p.bio, p.avatar_url, p.status,
                                   p.last_seen, p.version, p.created_at, p.updated_at)::text AS t
            FROM profile.profiles p
            UNION ALL SELECT 'contacts ' || c::text FROM profile.contacts c
            UNION ALL SELECT 'blocks ' || b::text FROM profile.blocks b
            UNION ALL SELECT 'outbox ' || (o.id, o.topic, o.key, o.payload, o.created_at, o.published_at,
                                           o.quarantined_at, o.last_error)::text
            FROM profile.outbox o) s"
}
before=$(state)
pending_before=$(sql -c "SELECT pending FROM profile.outbox_stats()")
check "the database starts at 1.0" [ "$(sql -c "SELECT extversion FROM pg_extension WHERE extname = 'realchat_profile'")" = "1.0" ]

# 1.1 requires pg_trgm (search); without it the update refuses and changes nothing.
if sql -c "ALTER EXTENSION realchat_profile UPDATE" >/dev/null 2>"$work/update.err"; then
  check "ALTER EXTENSION UPDATE without pg_trgm is refused" false
else
  check "ALTER EXTENSION UPDATE without pg_trgm is refused" grep -q 'pg_trgm' "$work/update.err"
fi
sql -c "CREATE EXTENSION pg_trgm" -c "ALTER EXTENSION realchat_profile UPDATE" >/dev/null
check "ALTER EXTENSION UPDATE brings it to 1.1" [ "$(sql -c "SELECT extversion FROM pg_extension WHERE extname = 'realchat_profile'")" = "1.1" ]
check "every row of profiles, contacts, blocks and outbox is unchanged (1.0's columns)" [ "$(state)" = "$before" ]
check "pending events stay pending ($pending_before)" [ "$(sql -c "SELECT pending FROM profile.outbox_stats()")" = "$pending_before" ]
check "the user deleted under 1.0 has its last version (3) in retired_users" \
  [ "$(sql -c "SELECT last_version FROM profile.retired_users WHERE user_id = 'a1000000-0000-4000-8000-000000000005'")" = 3 ]
check "scripts/create-roles.sql runs on the upgraded database" sql -f "$root/scripts/create-roles.sql"

check "a user deleted under 1.0 comes back with version 4" \
  [ "$(sql -c "SELECT version FROM profile.create_profile('a1000000-0000-4000-8000-000000000005', 'old5b', 'Back')")" = 4 ]
check "find_profile_by_username takes a viewer" \
  [ "$(sql -c "SELECT status FROM profile.find_profile_by_username('old4', viewer => 'a1000000-0000-4000-8000-000000000003')")" = offline ]
check "a multi-row DELETE of users in each other's lists works" \
  sql -c "DELETE FROM profile.profiles WHERE user_id IN ('a1000000-0000-4000-8000-000000000001', 'a1000000-0000-4000-8000-000000000002')"
gapless() {
  [ "$(sql -c "SELECT count(*) FROM (SELECT key, (payload->>'version')::int AS v,
                 row_number() OVER (PARTITION BY key ORDER BY id) AS n FROM profile.outbox) s WHERE v <> n")" = 0 ]
}
check "every user's versions are 1..N in outbox order across the upgrade" gapless

# The whole pg_regress suite against the upgraded database, data and all.
if (cd "$root" && make -s installcheck REGRESS_OPTS="--use-existing --dbname=upgraded --outputdir=$work/regress" \
      >"$work/regress.log" 2>&1); then
  check "pg_regress passes on the upgraded database" true
else
  cat "$work/regress/regression.diffs" 2>/dev/null | head -60
  check "pg_regress passes on the upgraded database" false
fi
grep -E '^(test |ok |not ok )' "$work/regress.log" | sed 's/^/    /'

finish
