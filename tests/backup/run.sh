#!/usr/bin/env bash
# Backups: a plain pg_dump of a database with the extension carries every row, and a restore
# with session_replication_role = replica brings back the exact state and emits no event.
# Against a throwaway PostgreSQL cluster; the caller has installed the extension.
#
#   tests/backup/run.sh          ends with "N passed, N failed"
set -uo pipefail

. "$(dirname "$0")/../lib/cluster_checks.sh"
start_check_cluster backup
PGBIN=${PGBIN:-$(pg_config --bindir)}
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

sql -d postgres -c "CREATE DATABASE source" -c "CREATE DATABASE restored_custom" -c "CREATE DATABASE restored_plain"
sql -d source >/dev/null <<'SQL'
CREATE EXTENSION realchat_profile CASCADE;
SELECT profile.create_profile(('d0000000-0000-4000-8000-00000000000' || n)::uuid, 'backup' || n, 'Backup ' || n)
FROM generate_series(1, 6) n;
SELECT profile.update_profile('d0000000-0000-4000-8000-000000000001', bio => E'two\nlines', avatar_url => 'https://x.example/a.png');
SELECT profile.set_status('d0000000-0000-4000-8000-000000000002', 'online');
SELECT profile.add_contact('d0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000002', nickname => 'Two');
SELECT profile.add_contact('d0000000-0000-4000-8000-000000000002', 'd0000000-0000-4000-8000-000000000006');
SELECT profile.block_user('d0000000-0000-4000-8000-000000000003', 'd0000000-0000-4000-8000-000000000004', 'spam');
SELECT profile.delete_profile('d0000000-0000-4000-8000-000000000006');
-- Some rows published, one quarantined, the rest pending.
UPDATE profile.outbox SET published_at = now() - interval '1 hour' WHERE id <= 5;
UPDATE profile.outbox SET quarantined_at = now(), last_error = 'too large' WHERE id = 6;
SQL

# Every table's rows in a stable order, every column, and the outbox id sequence.
state() {
  sql -d "$1" -c "
    SELECT md5(string_agg(t, E'\n' ORDER BY t)) FROM (
      SELECT 'profiles ' || p::text AS t FROM profile.profiles p
      UNION ALL SELECT 'contacts ' || c::text FROM profile.contacts c
      UNION ALL SELECT 'blocks ' || b::text FROM profile.blocks b
      UNION ALL SELECT 'outbox ' || o::text FROM profile.outbox o
      UNION ALL SELECT 'retired ' || r::text FROM profile.retired_users r
      UNION ALL SELECT 'sequence ' || last_value FROM profile.outbox_id_seq) s"
}
count_rows() { sql -d "$1" -c "SELECT (SELECT count(*) FROM profile.profiles) || ' ' || (SELECT count(*) FROM profile.outbox)"; }

expected=$(state source)
rows=$(count_rows source)
echo "source: profiles and outbox rows: $rows"

# Custom format, restored with pg_restore.
"$PGBIN/pg_dump" -Fc -d source -f "$work/source.dump"
PGOPTIONS='-c session_replication_role=replica' "$PGBIN/pg_restore" -d restored_custom "$work/source.dump" 2>"$work/restore.err"
restore_clean() { [ -s "$work/source.dump" ] && ! grep -q ERROR "$work/restore.err"; }
check "pg_restore of a custom-format dump succeeds" restore_clean
check "the custom-format restore has every row of every table ($rows)" [ "$(count_rows restored_custom)" = "$rows" ]
check "the custom-format restore equals the source, column for column" [ "$(state restored_custom)" = "$expected" ]

# Plain SQL, loaded with psql.
"$PGBIN/pg_dump" -d source -f "$work/source.sql"
PGOPTIONS='-c session_replication_role=replica' sql -d restored_plain -f "$work/source.sql" >/dev/null 2>"$work/plain.err"
check "the plain dump holds the rows (COPY profile.profiles)" grep -q '^COPY profile.profiles ' "$work/source.sql"
check "the plain restore equals the source, column for column" [ "$(state restored_plain)" = "$expected" ]

# The restored database goes on where the source stopped.
before=$(sql -d restored_custom -c "SELECT version || ' ' || (SELECT max(id) FROM profile.outbox) FROM profile.profiles
                                     WHERE user_id = 'd0000000-0000-4000-8000-000000000001'")
sql -d restored_custom -c "SELECT profile.update_profile('d0000000-0000-4000-8000-000000000001', bio => 'after restore')" >/dev/null
after=$(sql -d restored_custom -c "SELECT (payload->>'version') || ' ' || id FROM profile.outbox ORDER BY id DESC LIMIT 1")
next_follows() { [ "${after% *}" -eq $((${before% *} + 1)) ] && [ "${after#* }" -gt "${before#* }" ]; }
check "after the restore the next event takes the next version and a new outbox id ($before -> $after)" next_follows
check "a user deleted before the backup comes back with the next version" \
  [ "$(sql -d restored_custom -c "SELECT version FROM profile.create_profile('d0000000-0000-4000-8000-000000000006', 'backup6b', 'Again')")" = \
    "$(sql -d source -c "SELECT last_version + 1 FROM profile.retired_users WHERE user_id = 'd0000000-0000-4000-8000-000000000006'")" ]
check "published and quarantined marks survive" \
  [ "$(sql -d restored_custom -c "SELECT count(*) FILTER (WHERE published_at IS NOT NULL) || ' ' || count(*) FILTER (WHERE quarantined_at IS NOT NULL) FROM profile.outbox")" = "5 1" ]

finish
