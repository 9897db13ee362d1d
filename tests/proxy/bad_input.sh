#!/usr/bin/env bash
# The bad-input table of sql/bad_input.sql through the PL/Proxy proxy with 4 shards. The file
# itself cannot run there (tests/proxy/contract.sh says why: it rolls every case back in a
# subtransaction, which cannot undo what a shard committed), so its case table is taken from
# it, unchanged, and run here one top-level statement per case, as an application would:
#
# 1. the file's own users (alice, bob, carol: a contact and a block), created through the proxy;
# 2. every case whose expected SQLSTATE is not 'ok': that SQLSTATE, and a message naming what
#    the case says (the file's verdict); then the limits set in the session (max_contacts,
#    max_blocks, max_mutes: 54000, forwarded with each write);
# 3. nothing changed: every shard's outbox (count, max id) and username registry, and the rows
#    of profiles, contacts, blocks and mutes through the proxy's views. What differs from one
#    database: a refused add_contact, block_user or mute_user naming a user who lives on another
#    shard leaves that user's shadow on the owner's shard (made before the call, as for one that
#    succeeds; no event, no version, never shown), so shadows are checked to be only of users
#    who exist, never of the unknown or nil user;
# 4. every 'ok' case (accepted at the limit) succeeds. Each commits on its shard, so what it
#    added (the unknown user created, alice's contact or block of carol, bob's mute of carol)
#    is removed before the next, to give each one the starting state the file gives it.
#
#   tests/proxy/bad_input.sh     ends with "N passed, N failed"; exits non-zero on any failure
#
# Takes about 15 seconds. KEEP=1 keeps the work directory (and leaves its cluster running).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/harness.sh"
source_file=$root/sql/bad_input.sql

proxy_workdir realchat-proxy-bad-input


# The file's pieces: its users (the setup's API calls) and its case table (the statement that
# fills `cases`, substitutions of :A, :B, :C, :U, :N included), parsed by PostgreSQL itself.
sed -n '/^SELECT 1 FROM profile\./p' "$source_file" >"$work/users.sql"
sed -n '/^CREATE TEMP TABLE cases /,/^) AS t(fn, what, call, expected, names);$/p' "$source_file" >"$work/cases.sql"
check "sql/bad_input.sql: its 5 setup calls and its case table are found" "5|1" \
  "$(grep -c . "$work/users.sql")|$(grep -c '^) AS t(fn, what, call, expected, names);$' "$work/cases.sql")"
[ "$failed" -eq 0 ] || finish

proxy_up 4

if proxy -f "$work/users.sql" >/dev/null; then
  pass "alice, bob and carol created through the proxy (alice lists bob, bob blocks carol)"
else
  fail "the file's users through the proxy"; finish
fi

# What the cases must leave as it was: each shard's own rows, and the service's through the views.
snapshot() {
  local i
  for ((i = 0; i < SHARD_COUNT; i++)); do
    shard "$i" -c "SELECT concat_ws(',', 'shard $i', (SELECT count(*) FROM profile.outbox),
                     (SELECT coalesce(max(id), 0) FROM profile.outbox),
                     (SELECT count(*) || '/' || count(*) FILTER (WHERE state = 'pending') FROM shard.usernames))"
  done
  proxy -c "SELECT concat_ws(',', 'views',
              (SELECT md5(string_agg(p::text, ',' ORDER BY user_id)) FROM profile.profiles p),
              (SELECT md5(string_agg(c::text, ',' ORDER BY user_id, contact_user_id)) FROM profile.contacts c),
              (SELECT md5(string_agg(b::text, ',' ORDER BY user_id, blocked_user_id)) FROM profile.blocks b),
              (SELECT coalesce(md5(string_agg(m::text, ',' ORDER BY user_id, muted_user_id)), 'none') FROM profile.mutes m))"
}
shadows() { # shadows SQL-CONDITION: how many shadows on all shards meet it
  local i total=0
  for ((i = 0; i < SHARD_COUNT; i++)); do
    total=$((total + $(shard "$i" -c "SELECT count(*) FROM shard.shadows s JOIN profile.profiles p USING (user_id) WHERE $1")))
  done
  echo "$total"
}
before=$(snapshot)
shadows_before=$(shadows true)

# One session through the proxy: the case table, then each case as its own statement (\gexec),
# its SQLSTATE and message recorded by psql (SQLSTATE, LAST_ERROR_MESSAGE) into `results`.
# `resets` runs after each case of `kinds` (nothing for the failing ones).
run_cases() { # run_cases KINDS RESETS OUT: KINDS is "failing" or "accepted"
  local filter
  [ "$1" = failing ] && filter="expected <> 'ok'" || filter="expected = 'ok'"
  psql -X -q -At -d "$PROXY_DB" -v resets="$2" >"$3" 2>"$3.err" <<SQL
\\set ON_ERROR_STOP 1
\\i $work/cases.sql
CREATE TEMP TABLE results (n int PRIMARY KEY, state text, message text);
\\pset format unaligned
\\pset tuples_only on
SELECT format(E'SELECT call FROM cases WHERE n = %s \\\\gexec\\nINSERT INTO results VALUES (%s, :''SQLSTATE'', :''LAST_ERROR_MESSAGE'');\\n%s',
              n, n, :'resets')
FROM cases WHERE $filter ORDER BY n \\g $work/$1.sql
\\set ON_ERROR_STOP 0
\\o /dev/null
\\i $work/$1.sql
\\o
\\set ON_ERROR_STOP 1
-- One line per case: fn|what|expected|verdict, the verdict as the file's.
SELECT concat_ws('|', c.fn, c.what, c.expected,
       CASE WHEN r.n IS NULL THEN 'not run'
            WHEN r.state = '00000' AND c.expected = 'ok' THEN 'ok'
            WHEN r.state = '00000' THEN 'got ok'
            WHEN r.state <> c.expected THEN 'got ' || r.state || ': ' || r.message
            WHEN c.names IS NOT NULL AND position(c.names IN r.message) = 0 THEN 'message does not name ' || c.names || ': ' || r.message
            ELSE 'ok' END)
FROM cases c LEFT JOIN results r USING (n)
WHERE $filter ORDER BY c.n;
SQL
}
report() { # report FILE WHAT: one line per group of cases (fn) that all pass, one per failing case
  local file=$1 what=$2 fn other expected verdict group="" group_n=0 group_bad=0
  [ -s "$file" ] || { fail "$what: no case ran ($(head -5 "$file.err"))"; return; }
  close_group() {
    [ -n "$group" ] && [ "$group_bad" -eq 0 ] && pass "$group: $group_n $what"
    return 0
  }
  while IFS='|' read -r fn other expected verdict; do
    if [ "$fn" != "$group" ]; then close_group; group=$fn; group_n=0; group_bad=0; fi
    group_n=$((group_n + 1))
    if [ "$verdict" != ok ]; then
      group_bad=$((group_bad + 1))
      fail "$fn, $other (expected $expected): $verdict"
    fi
  done <"$file"
  close_group
}

# ---- the cases that must fail, one statement each ----
run_cases failing "" "$work/failing.out"
report "$work/failing.out" "case(s) fail with the expected SQLSTATE, the message naming what the case says"
total=$(grep -c . "$work/failing.out")

# ---- the limits set in the session, forwarded with each write: 54000 ----
limit_error() { # limit_error SETTING CALL: CALL's error with SETTING in the session, as SQLSTATE: message
  psql -X -q -At -v VERBOSITY=verbose -d "$PROXY_DB" -c "SET $1" -c "$2" 2>&1 >/dev/null | sed -n 's/^ERROR:  //p'
}
limits=(
  "realchat_profile.max_contacts = 1|SELECT profile.add_contact(:A, :C)|limit of 1 contacts"
  "realchat_profile.max_blocks = 1|SELECT profile.block_user(:B, :A)|limit of 1 blocked users"
  "realchat_profile.max_mutes = 0|SELECT profile.mute_user(:A, :B)|limit of 0 muted users"
)
for l in "${limits[@]}"; do
  IFS='|' read -r setting call text <<<"$l"
  call=${call//:A/\'f0000000-0000-4000-8000-00000000000a\'}
  call=${call//:B/\'f0000000-0000-4000-8000-00000000000b\'}
  call=${call//:C/\'f0000000-0000-4000-8000-00000000000c\'}
  error=$(limit_error "$setting" "$call")
  if [[ "$error" == "54000: "*"$text"* ]]; then
    pass "${call%%(*} over $setting set in the session: 54000, \"$text\""
  else
    fail "${call%%(*} over $setting set in the session (expected 54000 naming '$text', got '$error')"
  fi
done

# ---- nothing changed ----
after=$(snapshot)
check "after $total failing cases and the limits: no event, no outbox id used, no reservation on any shard; profiles, contacts, blocks and mutes as they were" \
  "$before" "$after"
check "shadows left by refused calls ($(( $(shadows true) - shadows_before )) new) are all of alice, bob or carol, with no version" "0" \
  "$(shadows "p.version <> 0 OR s.user_id NOT IN ('f0000000-0000-4000-8000-00000000000a',
              'f0000000-0000-4000-8000-00000000000b', 'f0000000-0000-4000-8000-00000000000c')")"

# ---- the cases accepted at the limit, each from the file's starting state ----
resets="SELECT profile.delete_profile('f0000000-0000-4000-8000-0000000000ff');
SELECT profile.remove_contact('f0000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-00000000000c');
SELECT profile.unblock_user('f0000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-00000000000c');
SELECT profile.unmute_user('f0000000-0000-4000-8000-00000000000b', 'f0000000-0000-4000-8000-00000000000c');"
run_cases accepted "$resets" "$work/accepted.out"
report "$work/accepted.out" "case(s) accepted at the limit"

check "every case of the file ran ($(grep -c . "$work/failing.out") failing, $(grep -c . "$work/accepted.out") accepted)" \
  "$(proxy -f "$work/cases.sql" -c "SELECT count(*) FROM cases")" \
  "$(( $(grep -c . "$work/failing.out") + $(grep -c . "$work/accepted.out") ))"
finish
