#!/usr/bin/env bash
# Least privilege and search_path hijacking, against a throwaway PostgreSQL cluster on a free
# loopback port (15; PG_MAJOR=18 for 18). The caller has built and installed the extension for
# that major (make install).
#
#   tests/security/run.sh          ends with "N passed, N failed"; exits non-zero on any failure
#
# Each SQL file runs as one role through psql and prints one line per check, "ok - ..." or
# "not ok - ...". An SQL file that stops on an unexpected error counts as one failure.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/scripts/lib.sh"

work=$(make_workdir realchat-security)
cleanup() {
  "$root/scripts/pg-cluster.sh" stop "$work/pg" immediate >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "not ok - $*"; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

port=$(free_port)
if ! "$root/scripts/pg-cluster.sh" start "$work/pg" "$port"; then
  fail "start PostgreSQL"
  finish
fi
export PGHOST=127.0.0.1 PGPORT=$port PGDATABASE=postgres
echo "security: cluster on 127.0.0.1:$port"

# run_sql ROLE FILE [psql options]: runs FILE as ROLE and counts its check lines.
run_sql() {
  local role=$1 file=$2 log
  shift 2
  log="$work/$(basename "$file" .sql).$role.log"
  psql -X -q -At -v ON_ERROR_STOP=1 -U "$role" "$@" -f "$here/$file" >"$log" 2>"$log.err"
  local rc=$?
  local ok bad
  ok=$(grep -c '^ok - ' "$log")
  bad=$(grep -c '^not ok - ' "$log")
  passed=$((passed + ok))
  failed=$((failed + bad))
  grep '^not ok - ' "$log"
  if [ "$rc" -ne 0 ]; then
    fail "$file as $role stopped with psql status $rc:"
    grep -v '^NOTICE\|^psql:.*NOTICE' "$log.err" | tail -5 | sed 's/^/    /'
  fi
  printf '  %-22s as %-16s %3d ok, %d not ok\n' "$file" "$role" "$ok" "$bad"
  return 0
}

superuser() { psql -X -q -At -v ON_ERROR_STOP=1 -U postgres "$@"; }

superuser -c "CREATE EXTENSION realchat_profile CASCADE" >/dev/null || { fail "CREATE EXTENSION"; finish; }

# The roles script refuses a database without the extension, and says why.
superuser -c "CREATE DATABASE no_extension" >/dev/null
if out=$(superuser -d no_extension -f "$root/scripts/create-roles.sql" 2>&1); then
  fail "create-roles.sql ran in a database without the extension"
elif grep -q 'realchat_profile is not installed' <<<"$out"; then
  pass
else
  fail "create-roles.sql without the extension failed unclearly: $out"
fi

# Idempotent: a second run succeeds and changes nothing.
for attempt in first second; do
  if superuser -f "$root/scripts/create-roles.sql" >"$work/roles.$attempt.log" 2>&1; then
    pass
  else
    fail "create-roles.sql ($attempt run)"
    tail -5 "$work/roles.$attempt.log"
  fi
done
# Every privilege on the schema's tables, columns and functions, in a stable order.
acl() {
  superuser -c "SELECT string_agg(x, ' ' ORDER BY x) FROM (
      SELECT format('%s %s %s', c.oid::regclass, a.grantee::regrole, a.privilege_type) x
      FROM pg_class c, aclexplode(c.relacl) a WHERE c.relnamespace = 'profile'::regnamespace
      UNION ALL
      SELECT format('%s.%s %s %s', t.attrelid::regclass, t.attname, a.grantee::regrole, a.privilege_type)
      FROM pg_attribute t JOIN pg_class c ON c.oid = t.attrelid, aclexplode(t.attacl) a
      WHERE c.relnamespace = 'profile'::regnamespace
      UNION ALL
      SELECT format('%s %s %s', p.oid::regprocedure, a.grantee::regrole, a.privilege_type)
      FROM pg_proc p, aclexplode(p.proacl) a WHERE p.pronamespace = 'profile'::regnamespace) s"
}
before=$(acl)
superuser -f "$root/scripts/create-roles.sql" >/dev/null 2>&1
[ "$(acl)" = "$before" ] && pass || fail "create-roles.sql changed the privileges on a third run"

run_sql postgres setup.sql
run_sql postgres catalog.sql
run_sql mallory settings.sql
run_sql app_login app.sql
run_sql app_login privacy.sql
run_sql app_login presence.sql
run_sql publisher_login publisher.sql

# The publisher role's LISTEN hears an application's write (no preloading: every write notifies).
if run_sql publisher_login listen.sql && grep -q 'Asynchronous notification "profile_outbox"' "$work/listen.publisher_login.log"; then
  pass
else
  fail "LISTEN profile_outbox as the publisher role got no notification from an application write"
fi

run_sql admin_login admin.sql
run_sql nobody_login nobody.sql
run_sql cache_reader_login cache_reader.sql
for login in admin_login app_login publisher_login cache_reader_login; do
  run_sql "$login" escalation.sql
done

run_sql mallory hijack_plant.sql
run_sql mallory hijack_calls.sql
run_sql app_login hijack_victim.sql -v is_app=true
run_sql publisher_login hijack_victim.sql -v is_app=false
run_sql admin_login hijack_admin_write.sql
run_sql postgres hijack_verify.sql

# Running the script again takes back a privilege granted by hand.
superuser -c "GRANT SELECT, INSERT ON profile.profiles TO profile_app; GRANT DELETE ON profile.outbox TO profile_publisher" >/dev/null
superuser -f "$root/scripts/create-roles.sql" >/dev/null 2>&1
if [ "$(superuser -c "SELECT has_table_privilege('profile_app', 'profile.profiles', 'SELECT, INSERT')
                            OR has_table_privilege('profile_publisher', 'profile.outbox', 'DELETE')")" = f ]; then
  pass
else
  fail "create-roles.sql left privileges granted by hand in place"
fi

finish
