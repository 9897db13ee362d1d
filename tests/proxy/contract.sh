#!/usr/bin/env bash
# The project's pg_regress files (sql/*.sql against expected/*.out) through the PL/Proxy proxy
# with 4 shards, unchanged: `make installcheck` with --use-existing against the proxy database,
# as tests/upgrade runs the suite against an upgraded database. A file runs here when it uses
# the API, reads tables (the proxy's views of every shard's rows) and changes profiles, contacts,
# blocks or mutes by hand (each row forwarded to its owner's home shard, in replica mode too) and
# sets the extension's settings in its session (forwarded with each write); a file that needs
# what a proxy cannot be (other hand-made DML, one transaction around several calls, plans and
# catalog of one database) is listed below with its reason and not run. Every file under sql/
# must be in one of the two lists.
#
#   tests/proxy/contract.sh     ends with "N passed, N failed"; exits non-zero on any failure
#
# Then checks of the views themselves: they hold exactly the shards' rows (no shadows), the
# outbox keeps every user's order, they refuse writes (but those of profiles, contacts, blocks, mutes), and only
# profile_admin reads them; failing calls give the same message, detail and hint as on one
# database; and a hand-made UPDATE of profiles reaches the user's home shard and does there
# what it does on one database: the same events, the same refusals, nothing left by an error;
# so do hand-made INSERTs and DELETEs of profiles, contacts and blocks. (Mutes: tests/proxy/checks.sh.)
# Takes about 20 seconds. KEEP=1 keeps the work directory (and leaves its cluster running).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/harness.sh"

# Run through the proxy, in the Makefile's order.
runs=(events lists presence privacy profiles visibility)
# Not run through the proxy, and why (docs/sharding.md, "The contract tests through the proxy").
declare -A reasons=(
  [bad_input]="rolls every case back in a subtransaction, which cannot undo a call or a forwarded row a shard committed; lists every function of schema profile, where the proxy has its routing functions too. Its case table runs through the proxy in tests/proxy/bad_input.sh"
  [errors]="TRUNCATEs contacts (a view cannot be truncated: 42809 where one database says 0A000); a multi-row INSERT of contacts whose second row fails leaves the first (committed on its shard) where one database leaves none, so the checks after it differ. The rest (the settings refused as on a shard, limits set in the session) answers as one database"
  [heartbeat]="reads the table's own update statistics inside a transaction and adds triggers to profile.profiles (both live on the shards); rolls back a savepoint around a heartbeat (through the proxy the heartbeat commits on its shard at once)"
  [hardening]="INSERT ... ON CONFLICT by hand (a view has no unique index: DO NOTHING forwards a plain INSERT, ON CONFLICT (user_id) DO UPDATE fails with 42P10); rolls back a DELETE of every profile (through the proxy each row's DELETE commits on its shard at once) and an INSERT made in replica mode (committed on its shard)"
  [mutes]="declares a C function of the extension's library (the expiry's batch) and calls it on the database it is run against (the proxy's has no tables); its hand-made writes of mutes, in replica mode too, are forwarded"
  [outbox]="marks outbox rows published by hand; reads wakeup_stats (publishers talk to their shard); expects a ROLLBACK to undo a set_status"
  [plans_after_reinstall]="creates a database of its own with the extension and reinstalls it there: it never calls the database it is run against"
  [search]="inserts 10,000 profiles by hand (forwarded: three calls per row with the registry), then VACUUMs the table and EXPLAINs its indexes (they live on the shards)"
)

proxy_workdir realchat-proxy-contract


# ---- every pg_regress file is run or has its reason ----
unlisted=""
for f in "$root"/sql/*.sql; do
  name=$(basename "$f" .sql)
  case "$name" in realchat_profile--*) continue ;; esac
  [[ " ${runs[*]} " == *" $name "* ]] || [ -n "${reasons[$name]:-}" ] || unlisted+="$name "
done
check "every file under sql/ is run through the proxy or listed with its reason" "" "$unlisted"

proxy_up 4
all_shards() { # all_shards SQL: the sum of one number over the shards
  local i total=0 n
  for ((i = 0; i < SHARD_COUNT; i++)); do
    n=$(shard "$i" -c "$1") || return 1
    total=$((total + n))
  done
  echo "$total"
}

# ---- the pg_regress files, unchanged, against the same expected/ files ----
start=$(date +%s%N)
(cd "$root" && make -s installcheck PG_CONFIG="$(command -v pg_config)" REGRESS="${runs[*]}" \
   REGRESS_OPTS="--use-existing --dbname=$PROXY_DB --outputdir=$work/regress") >"$work/regress.log" 2>&1
took=$(( ($(date +%s%N) - start) / 1000000 ))
for name in "${runs[@]}"; do
  if grep -qE "^(test|ok [0-9]+ -) +$name +\.\.\. ok|^ok [0-9]+ +- $name " "$work/regress.log"; then
    pass "sql/$name.sql through the proxy matches expected/$name.out"
  else
    fail "sql/$name.sql through the proxy"
  fi
done
echo "    (pg_regress through the proxy: ${took} ms for ${#runs[@]} files)"
[ "$failed" -gt 0 ] && { grep -E '^(test |ok |not ok )' "$work/regress.log"; head -80 "$work/regress/regression.diffs" 2>/dev/null; }
for name in $(printf '%s\n' "${!reasons[@]}" | sort); do
  echo "skip - sql/$name.sql: ${reasons[$name]}"
done

# ---- the views: what the whole service holds ----
home_profiles="SELECT count(*) FROM profile.profiles p WHERE NOT EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = p.user_id)"
shadows=$(all_shards "SELECT count(*) FROM shard.shadows")
check "profile.profiles holds every shard's users once, and none of the $shadows shadows" \
  "$(all_shards "$home_profiles")|0|0" \
  "$(proxy -c "SELECT count(*) || '|' || count(*) FILTER (WHERE username LIKE '~%') || '|' ||
                      (SELECT count(*) - count(DISTINCT user_id) FROM profile.profiles) FROM profile.profiles")"
for t in contacts blocks mutes presence_state retired_users outbox; do
  check "profile.$t holds every shard's rows" "$(all_shards "SELECT count(*) FROM profile.$t")" \
    "$(proxy -c "SELECT count(*) FROM profile.$t")"
done
check "profile.outbox: ids 1..n, every user's versions in id order" "0|0" \
  "$(proxy -c "SELECT count(*) FILTER (WHERE id <> n) || '|' || count(*) FILTER (WHERE version <= prev)
               FROM (SELECT id, row_number() OVER (ORDER BY id) AS n, (payload->>'version')::int AS version,
                            lag((payload->>'version')::int) OVER (PARTITION BY key ORDER BY id) AS prev
                     FROM profile.outbox) s")"
state() { psql -X -q -At -v VERBOSITY=sqlstate -d "$PROXY_DB" "$@" 2>&1 | grep -oE '[0-9A-Z]{5}$' | head -1; }
check "presence_state, retired_users and outbox refuse writes: 55000, not updatable" "55000 55000 55000" \
  "$(state -c "DELETE FROM profile.presence_state WHERE false") $(state -c "UPDATE profile.retired_users SET last_version = 0") $(
     state -c "DELETE FROM profile.outbox")"
check "a hand-made INSERT of mutes is forwarded, not refused: the owner's shard answers for an unknown user (P0002)" "P0002" \
  "$(state -c "INSERT INTO profile.mutes (user_id, muted_user_id)
               VALUES ('f9000000-0000-4000-8000-000000000001', 'f9000000-0000-4000-8000-000000000002')")"
proxy -c "CREATE ROLE contract_app LOGIN IN ROLE profile_app; CREATE ROLE contract_admin LOGIN IN ROLE profile_admin"
check "profile_app reads no view (42501), as it reads no table on one database" "42501 42501" \
  "$(state -U contract_app -c "SELECT count(*) FROM profile.profiles") $(state -U contract_app -c "SELECT count(*) FROM profile.outbox")"
check "profile_admin reads them" "$(proxy -c "SELECT count(*) FROM profile.profiles")" \
  "$(psql -X -q -At -U contract_admin -d "$PROXY_DB" -c "SELECT count(*) FROM profile.profiles" 2>&1)"
check "profile_admin cannot write them either (55000)" "55000 55000" \
  "$(state -U contract_admin -c "DELETE FROM profile.presence_state WHERE false") $(
     state -U contract_admin -c "UPDATE profile.outbox SET last_error = 'x'")"

# ---- errors come through as the extension words them ----
# The same failing calls on one database and through the proxy: message, detail and hint alike
# (the proxy adds a context line, which SHOW_CONTEXT=never leaves out), and no notice from
# PL/Proxy replacing the connection an error left behind. The two users live on shards 1 and 2.
psql -X -q -d postgres -c "CREATE DATABASE profile_single" &&
  psql -X -q -d profile_single -c "SET client_min_messages = warning" -c "CREATE EXTENSION realchat_profile CASCADE"
failing_calls() { # failing_calls DB
  psql -X -q -d "$1" -v SHOW_CONTEXT=never 2>&1 <<'SQL'
SELECT 1 FROM profile.create_profile('f8000000-0000-4000-8000-000000000001', 'err_one', 'One');
SELECT 1 FROM profile.create_profile('f8000000-0000-4000-8000-000000000002', 'err_two', 'Two');
SELECT 1 FROM profile.block_user('f8000000-0000-4000-8000-000000000001', 'f8000000-0000-4000-8000-000000000002');
SELECT profile.add_contact('f8000000-0000-4000-8000-000000000001', 'f8000000-0000-4000-8000-000000000002');
SELECT profile.create_profile('f8000000-0000-4000-8000-000000000003', 'ERR_ONE', 'Three');
SELECT profile.set_status('f8000000-0000-4000-8000-0000000000ff', 'online');
SELECT profile.list_blocks('f8000000-0000-4000-8000-000000000001', "limit" => 0);
SELECT profile.get_profiles(ARRAY[NULL]::uuid[]);
SELECT profile.purge_outbox(NULL);
SELECT username FROM profile.get_profile('f8000000-0000-4000-8000-000000000002');
SQL
}
failing_calls profile_single >"$work/errors-single.out"
failing_calls "$PROXY_DB" >"$work/errors-proxy.out"
if diff -u "$work/errors-single.out" "$work/errors-proxy.out" >"$work/errors.diff"; then
  pass "$(grep -c '^ERROR' "$work/errors-proxy.out") errors through the proxy: the extension's message, detail and hint; no PL/Proxy notice"
else
  fail "errors through the proxy differ from one database"; cat "$work/errors.diff"
fi


# ---- hand-made changes of profiles, contacts and blocks through the proxy ----
# The same user and the same UPDATE on one database and through the proxy (as profile_admin,
# who may do it on one database): the same events (all but their ids and times), the same row.
hand_id=f8000000-0000-4000-8000-000000000013  # home: partition 3 (route_hash 0x13 & 3)
single() { psql -X -q -At -v ON_ERROR_STOP=1 -d profile_single "$@"; }
events_of() { # events_of DB [USER]: the user's events, but for event_id and occurred_at
  psql -X -q -At -d "$1" -c "SELECT jsonb_agg(payload - 'event_id' - 'occurred_at' ORDER BY id)
                              FROM profile.outbox WHERE key = '${2:-$hand_id}'"
}
row_of() { # row_of DB [USER]: the user's row, but for its times
  psql -X -q -At -d "$1" -c "SELECT to_jsonb(p) - 'created_at' - 'updated_at' - 'last_seen'
                              FROM profile.profiles p WHERE user_id = '${2:-$hand_id}'"
}
for db in profile_single "$PROXY_DB"; do
  psql -X -q -At -d "$db" -c "SELECT 1 FROM profile.create_profile('$hand_id', 'by_hand_ann', 'Ann')" >/dev/null
done
hand_update="UPDATE profile.profiles SET display_name = 'Ann B', status_text = 'At lunch', presence_audience = 'nobody'
             WHERE user_id = '$hand_id'"
single -c "$hand_update"
home=$(proxy -c "SELECT profile.shard_for('$hand_id')")
home_events=$(shard "$home" -c "SELECT count(*) FROM profile.outbox WHERE key = '$hand_id'")
psql -X -q -At -v ON_ERROR_STOP=1 -U contract_admin -d "$PROXY_DB" -c "$hand_update"
check "a hand-made UPDATE through the proxy writes one database's events (ProfileUpdated, CustomStatusChanged, PrivacyChanged)" \
  "ProfileCreated ProfileUpdated CustomStatusChanged PrivacyChanged|$(events_of profile_single)" \
  "$(proxy -c "SELECT string_agg(payload->>'event_type', ' ' ORDER BY id) FROM profile.outbox WHERE key = '$hand_id'")|$(
     events_of "$PROXY_DB")"
check "... into the outbox of the user's home shard (profile.shard_for: $home), and leaves the row as one database does" \
  "$((home_events + 3))|$(row_of profile_single)" \
  "$(shard "$home" -c "SELECT count(*) FROM profile.outbox WHERE key = '$hand_id'")|$(row_of "$PROXY_DB")"
check "an UPDATE that changes nothing writes no event there either" "$(events_of profile_single)" \
  "$(proxy -c "UPDATE profile.profiles SET bio = bio WHERE user_id = '$hand_id'" && events_of "$PROXY_DB")"
check "UPDATE ... RETURNING gives the row as stored on its shard" "Ann B|At lunch|nobody" \
  "$(proxy -c "UPDATE profile.profiles SET bio = bio WHERE user_id = '$hand_id' RETURNING display_name, status_text, presence_audience")"

# Refused: profile_app has no right to UPDATE a table on one database, nor the view here; and
# invalid values get the SQLSTATE one database gives, with no row change and no event.
before="$(row_of "$PROXY_DB")|$(events_of "$PROXY_DB")"
single_state() { psql -X -q -At -v VERBOSITY=sqlstate -d profile_single "$@" 2>&1 | grep -oE '[0-9A-Z]{5}$' | head -1; }
check "profile_app may not UPDATE profiles through the proxy (42501)" "42501" \
  "$(state -U contract_app -c "UPDATE profile.profiles SET bio = 'app' WHERE user_id = '$hand_id'")"
bad_updates=(
  "SET discoverable = NULL"
  "SET bio = repeat('b', 501)"
  "SET username = 'no spaces allowed'"
  "SET status_emoji = 'not an emoji'"
  "SET user_id = 'f8000000-0000-4000-8000-000000000011'"
  "SET display_name = 'Ann C', bio = repeat('b', 501)"
)
singles=""; proxied=""
for u in "${bad_updates[@]}"; do
  singles+="$(single_state -c "UPDATE profile.profiles $u WHERE user_id = '$hand_id'") "
  proxied+="$(state -U contract_admin -c "UPDATE profile.profiles $u WHERE user_id = '$hand_id'") "
done
check "${#bad_updates[@]} invalid UPDATEs through the proxy fail with one database's SQLSTATEs ($singles)" "$singles" "$proxied"
check "... and leave the row and the user's events as they were" "$before" "$(row_of "$PROXY_DB")|$(events_of "$PROXY_DB")"

# Only the columns the UPDATE changed are sent: a change of another column made on the shard
# meanwhile (committed after the proxy read the row, before its UPDATE reached the shard) stays.
shard "$home" -c "BEGIN" -c "UPDATE profile.profiles SET bio = 'set on the shard' WHERE user_id = '$hand_id'" \
  -c "SELECT pg_sleep(2)" -c "COMMIT" >/dev/null &
concurrent=$!
for ((i = 0; i < 100; i++)); do  # until the shard's transaction holds the row (at most 10 s)
  [ "$(shard "$home" -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(2)'")" = 1 ] && break
  sleep 0.1
done
proxy -c "UPDATE profile.profiles SET display_name = 'Ann D' WHERE user_id = '$hand_id'"
wait "$concurrent"
check "an UPDATE through the proxy sends only the columns it changes (a concurrent change of bio on the shard stays)" \
  "Ann D|set on the shard" "$(proxy -c "SELECT display_name || '|' || bio FROM profile.profiles WHERE user_id = '$hand_id'")"

# A username changed by hand goes through the registry, as update_profile's does: unique across
# shards, the old name freed, no reservation left behind.
bob_id=f8000000-0000-4000-8000-000000000016  # home: partition 2, another shard than Ann's
for db in profile_single "$PROXY_DB"; do
  psql -X -q -At -d "$db" -c "SELECT 1 FROM profile.create_profile('$bob_id', 'by_hand_bob', 'Bob')" >/dev/null
done
rename_taken="UPDATE profile.profiles SET username = 'BY_HAND_BOB' WHERE user_id = '$hand_id'"
before="$(row_of "$PROXY_DB")|$(events_of "$PROXY_DB")"
check "a hand-made rename to a name held on another shard fails as on one database ($(single_state -c "$rename_taken")), writing nothing" \
  "$(single_state -c "$rename_taken")|$before" "$(state -U contract_admin -c "$rename_taken")|$(row_of "$PROXY_DB")|$(events_of "$PROXY_DB")"
proxy -c "UPDATE profile.profiles SET username = 'by_hand_ann2' WHERE user_id = '$hand_id'"
check "a hand-made rename frees the old name and holds the new one across shards; no reservation left" "by_hand_ann2|1|23505|0" \
  "$(proxy -c "SELECT username FROM profile.profiles WHERE user_id = '$hand_id'")|$(
     proxy -c "SELECT count(*) FROM profile.create_profile('f8000000-0000-4000-8000-000000000021', 'by_hand_ann', 'New Ann')")|$(
     state -c "SELECT profile.create_profile('f8000000-0000-4000-8000-000000000022', 'By_Hand_Ann2', 'Other')")|$(
     shard 0 -c "SELECT count(*) FROM shard.usernames WHERE state = 'pending'")"

# INSERT and DELETE by hand, as on one database: a profile through the registry, its DELETE
# reaching every shard's lists; a contact of a user elsewhere with that user's shadow; refusals
# with one database's SQLSTATE, leaving no row, no event and no reservation.
carl_id=f8000000-0000-4000-8000-000000000031  # home: partition 1 (Bob's is 2)
both() { # both SQL: on one database, then through the proxy as profile_admin
  single -c "$1" && psql -X -q -At -v ON_ERROR_STOP=1 -U contract_admin -d "$PROXY_DB" -c "$1"
}
both "INSERT INTO profile.profiles (user_id, username, display_name) VALUES ('$carl_id', 'by_hand_carl', ' Carl ')"
both "INSERT INTO profile.contacts (user_id, contact_user_id, nickname) VALUES ('$carl_id', '$bob_id', 'B')"
check "a hand-made INSERT of a profile and of a contact on another shard: one database's events and row" \
  "$(events_of profile_single "$carl_id")|$(row_of profile_single "$carl_id")" \
  "$(events_of "$PROXY_DB" "$carl_id")|$(row_of "$PROXY_DB" "$carl_id")"
bad_inserts=(
  "INSERT INTO profile.profiles (user_id, username, display_name) VALUES ('f8000000-0000-4000-8000-000000000032', 'BY_HAND_BOB', 'Dup')"
  "INSERT INTO profile.profiles (user_id, username, display_name) VALUES ('f8000000-0000-4000-8000-000000000032', 'no spaces', 'Bad')"
  "INSERT INTO profile.profiles (user_id, username, display_name) VALUES ('$carl_id', 'by_hand_carl2', 'Again')"
  "INSERT INTO profile.contacts (user_id, contact_user_id) VALUES ('$carl_id', 'f8000000-0000-4000-8000-0000000000ee')"
  "INSERT INTO profile.contacts (user_id, contact_user_id) VALUES ('$carl_id', '$bob_id')"
  "INSERT INTO profile.blocks (user_id, blocked_user_id) VALUES ('$carl_id', '$carl_id')"
)
before="$(events_of "$PROXY_DB" "$carl_id")|$(proxy -c "SELECT count(*) FROM profile.profiles")"
singles=""; proxied=""
for u in "${bad_inserts[@]}"; do
  singles+="$(single_state -c "$u") "
  proxied+="$(state -U contract_admin -c "$u") "
done
check "${#bad_inserts[@]} invalid INSERTs through the proxy fail with one database's SQLSTATEs ($singles)" "$singles" "$proxied"
check "... and leave no row, no event and no reservation" "$before|0" \
  "$(events_of "$PROXY_DB" "$carl_id")|$(proxy -c "SELECT count(*) FROM profile.profiles")|$(
     shard 0 -c "SELECT count(*) FROM shard.usernames WHERE state = 'pending'")"
check "profile_app may not INSERT or DELETE through the proxy (42501)" "42501 42501" \
  "$(state -U contract_app -c "INSERT INTO profile.blocks (user_id, blocked_user_id) VALUES ('$carl_id', '$bob_id')") $(
     state -U contract_app -c "DELETE FROM profile.profiles WHERE user_id = '$bob_id'")"
both "DELETE FROM profile.profiles WHERE user_id = '$bob_id'"
check "a hand-made DELETE of a profile removes the user from other shards' lists, each removal an event as on one database" \
  "$(events_of profile_single "$carl_id")|0" \
  "$(events_of "$PROXY_DB" "$carl_id")|$(proxy -c "SELECT count(*) FROM profile.contacts WHERE contact_user_id = '$bob_id'")"
check "... and frees the name across shards" "1" \
  "$(proxy -c "SELECT count(*) FROM profile.create_profile('f8000000-0000-4000-8000-000000000033', 'by_hand_bob', 'New Bob')")"

# The shards' helper that applies the change: the proxy's connection role only.
check "schema shard's functions (insert_row, update_row, delete_row and the rest): no EXECUTE for PUBLIC or profile_app on any shard" "0" \
  "$(all_shards "SELECT count(*) FROM pg_proc p LEFT JOIN aclexplode(p.proacl) a ON true
                 WHERE p.pronamespace = 'shard'::regnamespace
                   AND (a.grantee = 0 OR has_function_privilege('profile_app', p.oid, 'EXECUTE'))")"
check "profile_app's call of shard.update_row on the home shard is refused (42501)" "42501" \
  "$(psql -X -q -At -v VERBOSITY=sqlstate -U contract_app -d "${SHARD_DB_PREFIX}$home" \
     -c "SELECT shard.update_row('profiles', '{\"user_id\": \"$hand_id\"}', '{\"bio\": \"app\"}')" 2>&1 | grep -oE '[0-9A-Z]{5}$' | head -1)"
check "the proxy's forwarding functions: no EXECUTE for PUBLIC or profile_app" "0" \
  "$(proxy -c "SELECT count(*) FROM pg_proc p LEFT JOIN aclexplode(p.proacl) a ON true
               WHERE p.oid IN ('proxy_remote.insert_row(uuid, text, jsonb, text[])'::regprocedure,
                               'proxy_remote.update_row(uuid, text, jsonb, jsonb, text[])'::regprocedure,
                               'proxy_remote.delete_row(uuid, text, jsonb, text[])'::regprocedure,
                               'proxy.forward_row_change()'::regprocedure)
                 AND (a.grantee = 0 OR has_function_privilege('profile_app', p.oid, 'EXECUTE'))")"

finish
