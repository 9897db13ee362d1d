# Cross-shard checks on the shards themselves, sourced by tests/proxy/run.sh (which defines
# proxy, shard, all_shards, check, pass, fail and starts the shards).

# ---- routing: one rule, and every row where the rule says ----
check "route_hash is the uuid's last 32 bits (stable values)" "1|256|-1|0" \
  "$(proxy -c "SELECT concat_ws('|', profile.route_hash('d0000000-0000-4000-8000-000000000001'),
       profile.route_hash('00000000-0000-0000-0000-000000000100'), profile.route_hash('ffffffff-ffff-4fff-bfff-ffffffffffff'),
       profile.route_hash(NULL))")"
proxy -c "SELECT count(*) FROM generate_series(1, 64) n,
  LATERAL profile.create_profile(gen_random_uuid(), 'route_' || n, 'Route ' || n)" >/dev/null
misplaced=0
homes=""
for ((i = 0; i < SHARD_COUNT; i++)); do
  ids=$(shard "$i" -c "SELECT coalesce(array_agg(user_id), '{}') FROM profile.profiles
                       WHERE username LIKE 'route\_%' AND user_id NOT IN (SELECT user_id FROM shard.shadows)")
  n=$(proxy -c "SELECT count(*) FROM unnest('$ids'::uuid[]) id WHERE profile.shard_for(id) <> $i")
  misplaced=$((misplaced + n))
  homes+="$(proxy -c "SELECT cardinality('$ids'::uuid[])") "
done
check "64 users created through the proxy each live on the shard profile.shard_for names (per shard: $homes)" 0 "$misplaced"
found=$(proxy -c "SELECT count(*) FROM generate_series(1, 64) n, LATERAL profile.find_profile_by_username('route_' || n)")
check "each of the 64 is found by name through the proxy" 64 "$found"
check "the proxy's partitions are the SQL/MED server's, a power of two" "4|host=127.0.0.1 port=$PGPORT dbname=${SHARD_DB_PREFIX}2" \
  "$(proxy -c "SELECT profile.partition_count() || '|' || profile.shard_connstr(2)")"

# ---- username races: concurrent creates of one name on different shards, exactly one wins ----
race_round() { # race_round NAME: 8 sessions create 8 users (over all shards) named NAME at once
  local name=$1 k pids=()
  for ((k = 1; k <= 8; k++)); do
    psql -X -q -At -v VERBOSITY=sqlstate -d "$PROXY_DB" \
      -c "SELECT 'won' FROM profile.create_profile(gen_random_uuid(), '$name', 'Racer $k')" \
      >"$work/race-$name-$k.out" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"
  echo "$(cat "$work"/race-"$name"-*.out | grep -c '^won$') $(cat "$work"/race-"$name"-*.out | grep -c '^ERROR:  23505$')"
}
for name in racer_a Racer_B racer_c; do
  check "8 concurrent creates of '$name': 1 wins, 7 get 23505" "1 7" "$(race_round "$name")"
  check "'$name': one profile on all shards, one registry row, taken" "1|1|taken" \
    "$(all_shards "SELECT count(*) FROM profile.profiles WHERE lower(username) = lower('$name')")|$(shard 0 -c \
      "SELECT count(*) || '|' || min(state) FROM shard.usernames WHERE name_key = lower('$name')")"
done
check "no reservation is left pending after the races and the scenario" 0 \
  "$(shard 0 -c "SELECT count(*) FROM shard.usernames WHERE state = 'pending'")"
check "the registry holds exactly the names of the users on all shards" \
  "$(all_shards "SELECT count(*) FROM profile.profiles WHERE user_id NOT IN (SELECT user_id FROM shard.shadows)")" \
  "$(shard 0 -c "SELECT count(*) FROM shard.usernames WHERE state = 'taken'")"

# ---- a half-done create (the proxy died between the phases) is resolved by the sweep ----
ghost=f3000000-0000-4000-8000-000000000001   # never created
half=f3000000-0000-4000-8000-000000000002    # created on its home shard, never confirmed
shard "$(proxy -c "SELECT profile.shard_for('$half')")" -c \
  "SELECT 1 FROM profile.create_profile('$half', 'half_done', 'Half')" >/dev/null
shard 0 -c "INSERT INTO shard.usernames (name_key, user_id, state, token, reserved_at) VALUES
  ('ghost_name', '$ghost', 'pending', gen_random_uuid(), now() - interval '1 hour'),
  ('half_done', '$half', 'pending', gen_random_uuid(), now() - interval '1 hour'),
  ('young_name', '$ghost', 'pending', gen_random_uuid(), now())"
check "a reservation blocks the name while pending" "ERROR:  23505" \
  "$(psql -X -q -At -v VERBOSITY=sqlstate -d "$PROXY_DB" -c "SELECT 1 FROM profile.create_profile(gen_random_uuid(), 'Ghost_Name', 'G')" 2>&1 | grep ERROR)"
check "the sweep releases the stale reservation without a profile and confirms the one with" \
  "ghost_name|false half_done|true" "$(proxy -c "SELECT name_key || '|' || confirmed FROM proxy.resolve_stale_reservations() ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')"
check "afterwards the released name can be taken, the confirmed one cannot" "ok|23505" \
  "$(proxy -c "SELECT 'ok' FROM profile.create_profile(gen_random_uuid(), 'ghost_name', 'G')")|$(psql -X -q -At -v VERBOSITY=sqlstate \
      -d "$PROXY_DB" -c "SELECT 1 FROM profile.create_profile(gen_random_uuid(), 'HALF_DONE', 'H')" 2>&1 | sed -n 's/^ERROR:  //p')"
shard 0 -c "DELETE FROM shard.usernames WHERE name_key = 'young_name'"

# ---- delete_profile: the user leaves every list on every shard, each removal an event ----
victim=f4000000-0000-4000-8000-000000000100  # route_hash 256: shard 0
proxy -c "SELECT 1 FROM profile.create_profile('$victim', 'victim', 'Victim')" >/dev/null
owners="ARRAY(SELECT ('f4000000-0000-4000-8000-00000000000' || n)::uuid FROM generate_series(1, 8) n)"
proxy -c "SELECT count(*) FROM unnest($owners) o, LATERAL profile.create_profile(o, 'owner_' || right(o::text, 1), 'Owner'),
  LATERAL profile.add_contact(o, '$victim'), LATERAL profile.mute_user(o, '$victim')" >/dev/null
proxy -c "SELECT 1 FROM profile.block_user('f4000000-0000-4000-8000-000000000001', '$victim')" >/dev/null
check "before: 8 owners on 4 shards list and mute the victim (a shadow of them on each of the 3 other shards)" "7|8|3" \
  "$(all_shards "SELECT count(*) FROM profile.contacts WHERE contact_user_id = '$victim'")|$(all_shards \
    "SELECT count(*) FROM profile.mutes WHERE muted_user_id = '$victim'")|$(all_shards "SELECT count(*) FROM shard.shadows WHERE user_id = '$victim'")"
check "delete_profile through the proxy" t "$(proxy -c "SELECT profile.delete_profile('$victim')")"
check "after: no contact, mute or shadow of the victim on any shard; the block stays" "0|0|0|1" \
  "$(all_shards "SELECT count(*) FROM profile.contacts WHERE contact_user_id = '$victim'")|$(all_shards \
    "SELECT count(*) FROM profile.mutes WHERE muted_user_id = '$victim'")|$(all_shards \
    "SELECT count(*) FROM shard.shadows WHERE user_id = '$victim'")|$(all_shards "SELECT count(*) FROM profile.blocks WHERE blocked_user_id = '$victim'")"
check "each owner's stream on its own shard ends with the removals (ContactRemoved, UserUnmuted)" 8 \
  "$(all_shards "SELECT count(*) FROM profile.profiles p WHERE p.username LIKE 'owner\_%'
     AND (SELECT count(*) FROM profile.outbox o WHERE o.key = p.user_id::text AND o.payload->>'event_type' = 'UserUnmuted'
          AND o.payload->'data'->>'muted_user_id' = '$victim' AND o.payload->'data'->>'reason' = 'unmuted') = 1
     AND (SELECT count(*) FROM profile.outbox o WHERE o.key = p.user_id::text AND o.payload->>'event_type' = 'ContactRemoved'
          AND o.payload->'data'->>'contact_user_id' = '$victim') = 1")"
check "the victim's name is free again" ok "$(proxy -c "SELECT 'ok' FROM profile.create_profile(gen_random_uuid(), 'Victim', 'New')")"

# ---- a delete whose clean-up never ran (done on the home shard directly) ----
gone=f5000000-0000-4000-8000-000000000003  # shard 3
proxy -c "SELECT 1 FROM profile.create_profile('$gone', 'gone_user', 'Gone'),
  LATERAL profile.add_contact('f4000000-0000-4000-8000-000000000001', '$gone')" >/dev/null
shard 3 -c "SELECT profile.delete_profile('$gone')" >/dev/null
check "meanwhile list_contacts through the proxy leaves the deleted user out" 0 \
  "$(proxy -c "SELECT count(*) FROM profile.list_contacts('f4000000-0000-4000-8000-000000000001') WHERE contact_user_id = '$gone'")"
check "the repair sweep removes the entry (1 list row)" "$gone|1" "$(proxy -c "SELECT user_id || '|' || removed FROM proxy.forget_deleted_users()")"
check "with a ContactRemoved in the owner's stream" 1 "$(shard 1 -c "SELECT count(*) FROM profile.outbox
   WHERE key = 'f4000000-0000-4000-8000-000000000001' AND payload->>'event_type' = 'ContactRemoved' AND payload->'data'->>'contact_user_id' = '$gone'")"
check "its name is still reserved until finish_deletes frees it (and finds no list row left)" "23505|$gone|1|0|ok" \
  "$(psql -X -q -At -v VERBOSITY=sqlstate -d "$PROXY_DB" -c "SELECT 1 FROM profile.create_profile(gen_random_uuid(), 'gone_user', 'G')" 2>&1 |
     sed -n 's/^ERROR:  //p')|$(proxy -c "SELECT concat_ws('|', user_id, names_freed, list_rows_removed) FROM proxy.finish_deletes()
     WHERE user_id = '$gone'")|$(proxy -c "SELECT 'ok' FROM profile.create_profile(gen_random_uuid(), 'gone_user', 'G')")"

# ---- moving one user between shards (proxy/scripts/move-user.sh) ----
# No publisher runs here: marking the user's rows sent stands in for the source's publisher.
mv=f7000000-0000-4000-8000-000000000001     # shard 1
mv_ids="ARRAY(SELECT ('f7000000-0000-4000-8000-00000000000' || n)::uuid FROM generate_series(1, 7) n)"
proxy -c "SELECT count(*) FROM unnest($mv_ids) u, LATERAL profile.create_profile(u, 'mover_' || right(u::text, 1), 'Mover')" >/dev/null
# mv lists users on shards 2, 1 and 3, mutes one, blocks one; users on shards 0, 1 (5) and 2 list mv.
proxy -c "SELECT count(*) FROM profile.add_contact('$mv', 'f7000000-0000-4000-8000-000000000002', 'two', true),
  LATERAL profile.add_contact('$mv', 'f7000000-0000-4000-8000-000000000005') b,
  LATERAL profile.add_contact('$mv', 'f7000000-0000-4000-8000-000000000003') c,
  LATERAL profile.mute_user('$mv', 'f7000000-0000-4000-8000-000000000006') d,
  LATERAL profile.block_user('$mv', 'f7000000-0000-4000-8000-000000000007') e,
  LATERAL profile.add_contact('f7000000-0000-4000-8000-000000000004', '$mv') f,
  LATERAL profile.add_contact('f7000000-0000-4000-8000-000000000005', '$mv') g,
  LATERAL profile.mute_user('f7000000-0000-4000-8000-000000000002', '$mv') h,
  LATERAL profile.set_privacy('$mv', 'contacts') i" >/dev/null
mv_reads="SELECT string_agg(x, ';') FROM (
  SELECT concat_ws(',', contact_user_id, nickname, is_favorite, username, status) x FROM profile.list_contacts('$mv')
  UNION ALL SELECT concat_ws(',', other, is_contact, contact_of, blocking, muting) FROM profile.relationships('$mv', $mv_ids)
  UNION ALL SELECT concat_ws(',', contact_user_id, username) FROM profile.list_contacts('f7000000-0000-4000-8000-000000000004')
  UNION ALL SELECT concat_ws(',', contact_user_id, username) FROM profile.list_contacts('f7000000-0000-4000-8000-000000000005')
  UNION ALL SELECT concat_ws(',', username, version, presence_audience, last_seen IS NULL) FROM profile.get_profile('$mv', 'f7000000-0000-4000-8000-000000000003')
  UNION ALL SELECT concat_ws(',', username, version) FROM profile.find_profile_by_username('MOVER_1')
  UNION ALL SELECT concat_ws(',', user_id, muted_user_id) FROM profile.list_mutes('f7000000-0000-4000-8000-000000000002')
  UNION ALL SELECT concat_ws(',', profile.can_interact('$mv', 'f7000000-0000-4000-8000-000000000007'),
                               profile.is_blocked('$mv', 'f7000000-0000-4000-8000-000000000007'))) s"
mv_before=$(proxy -c "$mv_reads")
mv_version=$(proxy -c "SELECT version FROM profile.get_profile('$mv')")
sent() { shard "$1" -c "UPDATE profile.outbox SET published_at = now() WHERE key = '$mv' AND published_at IS NULL" >/dev/null; }
mv_sqlstate() { psql -X -q -At -v VERBOSITY=sqlstate -d "$PROXY_DB" -c "$1" 2>&1 | sed -n 's/^ERROR:  //p'; }
check "a move waits for the source's publisher: unsent events, so it stops (exit 1) and leaves the user frozen" "1|1|2|frozen" \
  "$(MOVE_TIMEOUT=1 "$root/proxy/scripts/move-user.sh" "$work/shards" "$mv" 2 >"$work/move.log" 2>&1; echo $?)|$(proxy -c \
     "SELECT concat_ws('|', source, target, state) FROM proxy.moved_users WHERE user_id = '$mv'")"
check "while frozen, the user's writes (set_status, update_contact) get 55006, reads are served by the source" \
  "55006|55006|$mv_before" "$(mv_sqlstate "SELECT profile.set_status('$mv', 'busy')")|$(mv_sqlstate \
     "SELECT profile.update_contact('$mv', 'f7000000-0000-4000-8000-000000000002', 'x')")|$(proxy -c "$mv_reads")"
check "while frozen, a hand-made UPDATE of the user through the proxy's view gets 55006 too" 55006 \
  "$(mv_sqlstate "UPDATE profile.profiles SET bio = 'frozen' WHERE user_id = '$mv'")"
check "other users' writes go on (a user who lists the frozen one changes their nickname)" 1 \
  "$(proxy -c "SELECT count(*) FROM profile.update_contact('f7000000-0000-4000-8000-000000000004', '$mv', 'moving')")"
mv_before=$(proxy -c "$mv_reads")
# A run cut short on the source: what move-user.sh does there up to its PREPARE TRANSACTION
# (the lock, the export, the drop), and, with `copy`, the target's import after it.
cut_short() { # cut_short SOURCE TARGET [copy]
  shard "$1" >/dev/null <<SQL
BEGIN;
SELECT shard.lock_user_for_move('$mv');
\\o $work/mv-doc.json
SELECT shard.export_user('$mv');
\\o
SELECT shard.drop_moved_user('$mv');
PREPARE TRANSACTION 'move_user_$mv';
SQL
  if [ "${3:-}" = copy ]; then
    shard "$2" >/dev/null <<SQL
\\set doc \`cat '$work/mv-doc.json'\`
SELECT shard.import_user(:'doc'::jsonb);
SQL
  fi
}
prepared() { all_shards "SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE 'move_user_%'"; }
sent 1
cut_short 1 2   # died before the target's copy
if "$root/proxy/scripts/move-user.sh" "$work/shards" "$mv" 2 >"$work/move.log" 2>&1; then
  pass "a run cut short after the source's prepare, before the copy: run again, it rolls back and moves ($(cat "$work/move.log"))"
else
  fail "move-user.sh after a cut-short run"; cat "$work/move.log"
fi
check "the user is served by partition 2 now, by an exception to route_hash (partition 1); nothing left prepared" "2|1|2|moved|0" \
  "$(proxy -c "SELECT profile.shard_for('$mv') || '|' || (profile.route_hash('$mv') & 3)")|$(proxy -c \
     "SELECT concat_ws('|', target, state) FROM proxy.moved_users WHERE user_id = '$mv'")|$(prepared)"
check "reads through the proxy answer as before the move" "$mv_before" "$(proxy -c "$mv_reads")"
check "the target has the real row with its version and every event (sent); the source a shadow (a user there lists them), no event" \
  "mover_1|$mv_version|$mv_version|$mv_version|0|~$mv|0|0|1" \
  "$(shard 2 -c "SELECT concat_ws('|', p.username, p.version, count(o.id), count(o.published_at),
       (SELECT count(*) FROM shard.shadows s WHERE s.user_id = p.user_id))
     FROM profile.profiles p LEFT JOIN profile.outbox o ON o.key = p.user_id::text WHERE p.user_id = '$mv' GROUP BY p.user_id")|$(shard 1 -c \
     "SELECT concat_ws('|', p.username, p.version, (SELECT count(*) FROM profile.outbox o WHERE o.key = p.user_id::text),
       (SELECT count(*) FROM shard.shadows s WHERE s.user_id = p.user_id)) FROM profile.profiles p WHERE p.user_id = '$mv'")"
check "the user's next event continues the version on the target, and the target's unsent rows are only the new one" \
  "$((mv_version + 1))|1" "$(proxy -c "SELECT version FROM profile.set_status('$mv', 'busy')")|$(shard 2 -c \
     "SELECT count(*) FROM profile.outbox WHERE key = '$mv' AND published_at IS NULL")"
check "the user's lists moved with them (3 contacts, a mute, a block) and each other user has a row on the target" "3|1|1|0" \
  "$(shard 2 -c "SELECT concat_ws('|', (SELECT count(*) FROM profile.contacts WHERE user_id = '$mv'),
     (SELECT count(*) FROM profile.mutes WHERE user_id = '$mv'), (SELECT count(*) FROM profile.blocks WHERE user_id = '$mv'),
     (SELECT count(*) FROM profile.contacts c WHERE c.user_id = '$mv' AND NOT EXISTS (SELECT 1 FROM profile.profiles p WHERE p.user_id = c.contact_user_id)))")"
# Cut short after the target's copy, before the switch: the next run finishes it.
sent 2
mv_before=$(proxy -c "$mv_reads")
proxy -c "SELECT proxy.freeze_user('$mv', 3)" >/dev/null
cut_short 2 3 copy
check "while prepared on the source, reads are still served there" "$mv_before" "$(proxy -c "$mv_reads")"
check "a run cut short after the copy: run again, it switches and commits the source's prepared drop" \
  "0|3|0|0" "$("$root/proxy/scripts/move-user.sh" "$work/shards" "$mv" 3 >"$work/move.log" 2>&1; echo $?)|$(proxy -c \
     "SELECT profile.shard_for('$mv')")|$(prepared)|$(shard 2 -c "SELECT count(*) FROM profile.outbox WHERE key = '$mv'")"
check "then reads answer as before, and the version continues on partition 3" "$mv_before|$((mv_version + 2))" \
  "$(proxy -c "$mv_reads")|$(proxy -c "SELECT version FROM profile.set_status('$mv', 'online')")"
check "a hand-made UPDATE through the proxy's view goes where the user lives now (partition 3) and writes its event there" \
  "$((mv_version + 3))|on partition 3|1|0" \
  "$(proxy -c "UPDATE profile.profiles SET bio = 'on partition 3' WHERE user_id = '$mv' RETURNING version")|$(shard 3 -c \
     "SELECT bio FROM profile.profiles WHERE user_id = '$mv'")|$(shard 3 -c "SELECT count(*) FROM profile.outbox
     WHERE key = '$mv' AND published_at IS NULL AND payload->>'event_type' = 'ProfileUpdated'")|$(shard 1 -c \
     "SELECT count(*) FROM profile.profiles WHERE user_id = '$mv' AND bio = 'on partition 3'")"
# A move given up after its copy: the source keeps the user, the copy goes.
sent 3
mv_before=$(proxy -c "$mv_reads")
proxy -c "SELECT proxy.freeze_user('$mv', 0)" >/dev/null
cut_short 3 0 copy
check "move-user.sh --abort: served by partition 3 again, the copy on partition 0 gone (no real row, no event), nothing prepared" \
  "0|3|0|0|0" "$("$root/proxy/scripts/move-user.sh" "$work/shards" "$mv" --abort >"$work/move.log" 2>&1; echo $?)|$(proxy -c \
     "SELECT profile.shard_for('$mv')")|$(shard 0 -c "SELECT count(*) FROM profile.outbox WHERE key = '$mv'")|$(shard 0 -c \
     "SELECT count(*) FROM profile.profiles p WHERE p.user_id = '$mv' AND NOT EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = p.user_id)")|$(prepared)"
check "then reads answer as before, and the version continues on partition 3" "$mv_before|$((mv_version + 4))" \
  "$(proxy -c "$mv_reads")|$(proxy -c "SELECT version FROM profile.set_status('$mv', 'away')")"
check "split.sh refuses while a user lives off their hash's partition" "2|4" \
  "$("$root/proxy/scripts/split.sh" "$work/shards" >"$work/split-refused.log" 2>&1; echo $?)|$(proxy -c "SELECT profile.partition_count()")"
sent 3
mv_before=$(proxy -c "$mv_reads")
check "moved back home: no exception left, reads as before, events continue on partition 1" "0|0|$mv_before|$((mv_version + 5))" \
  "$("$root/proxy/scripts/move-user.sh" "$work/shards" "$mv" 1 >"$work/move.log" 2>&1; echo $?)|$(proxy -c \
     "SELECT count(*) FROM proxy.moved_users")|$(proxy -c "$mv_reads")|$(proxy -c "SELECT version FROM profile.set_status('$mv', 'busy')")"

# ---- events: each user's stream on exactly one shard, versions 1..n without gaps ----
check "every user's events are on one shard only" 0 \
  "$(for ((i = 0; i < SHARD_COUNT; i++)); do shard "$i" -c "SELECT DISTINCT key FROM profile.outbox"; done | sort | uniq -d | wc -l)"
check "every stream's versions are 1..n, gapless, and match profiles.version" "0|0" \
  "$(all_shards "SELECT count(*) FROM (SELECT key FROM profile.outbox GROUP BY key
     HAVING count(*) <> max((payload->>'version')::bigint) OR count(DISTINCT payload->>'version') <> count(*)) bad")|$(all_shards \
     "SELECT count(*) FROM profile.profiles p WHERE p.user_id NOT IN (SELECT user_id FROM shard.shadows)
      AND p.version <> (SELECT max((payload->>'version')::bigint) FROM profile.outbox o WHERE o.key = p.user_id::text)")" 
check "shadows wrote no events and consumed no versions" 0 \
  "$(all_shards "SELECT count(*) FROM profile.profiles p JOIN shard.shadows s USING (user_id) WHERE p.version <> 0")"

# ---- the session's realchat_profile.* settings reach the shard, for that call only ----
# The proxy loads the extension's library: its settings exist, are checked and show as on a shard
# (where the library is loaded by then).
settings_rows="SELECT string_agg(concat_ws(',', name, setting, unit, context, vartype, min_val, max_val), ';' ORDER BY name)
               FROM pg_settings WHERE name LIKE 'realchat\_profile.%'"
check "the proxy has the extension's settings as a shard has them (pg_settings), and refuses a bad value (22023)" \
  "$(shard 0 -c "LOAD 'realchat_profile'" -c "$settings_rows")|ERROR:  22023" \
  "$(proxy -c "$settings_rows")|$(psql -X -q -At -v VERBOSITY=sqlstate -d "$PROXY_DB" \
     -c "SET realchat_profile.away_after = 'soon'" 2>&1)"
tr_ann=fa000000-0000-4000-8000-000000000001  # home: partition 1
tr_bob=fa000000-0000-4000-8000-000000000002  # home: partition 2
tr_cy=fa000000-0000-4000-8000-000000000003   # home: partition 3
tp=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
proxy -c "SELECT 1 FROM profile.create_profile('$tr_ann', 'trace_ann', 'Ann')" -c "SELECT 1 FROM profile.create_profile('$tr_bob', 'trace_bob', 'Bob')" \
  -c "SELECT 1 FROM profile.create_profile('$tr_cy', 'trace_cy', 'Cy')" -c "SELECT 1 FROM profile.add_contact('$tr_bob', '$tr_ann')" >/dev/null
last_traceparents() { # last_traceparents SHARD USER N: the user's last N events as type=traceparent, oldest first
  shard "$1" -c "SELECT string_agg(type || '=' || coalesce(traceparent, '-'), ' ' ORDER BY id) FROM (
                   SELECT id, payload->>'event_type' AS type, traceparent FROM profile.outbox
                   WHERE key = '$2' ORDER BY id DESC LIMIT $3) e"
}
# One session: a traced call, then one after RESET (the same connections to the shard, which
# must not keep the first call's value), then a traced hand-made UPDATE through the view.
proxy -c "SET realchat_profile.traceparent = '$tp'" -c "SELECT 1 FROM profile.set_custom_status('$tr_ann', 'Traced')" \
  -c "RESET realchat_profile.traceparent" -c "SELECT 1 FROM profile.set_custom_status('$tr_ann', 'Not traced')" \
  -c "SET realchat_profile.traceparent = '$tp'" -c "UPDATE profile.profiles SET status = 'busy' WHERE user_id = '$tr_ann'" >/dev/null
check "realchat_profile.traceparent set on the proxy session arrives in the home shard's outbox row; a later call without it has none; a hand-made UPDATE of its presence through the view carries it" \
  "CustomStatusChanged=$tp CustomStatusChanged=- PresenceChanged=$tp" "$(last_traceparents 1 "$tr_ann" 3)"
proxy -c "SET realchat_profile.traceparent = '$tp'" -c "SELECT profile.delete_profile('$tr_ann')" >/dev/null
check "... and a delete_profile's clean-up on another shard (ContactRemoved in the contact owner's stream) carries it too" \
  "ContactRemoved $tp" \
  "$(shard 2 -c "SELECT payload->>'event_type' || ' ' || coalesce(traceparent, '-') FROM profile.outbox
                 WHERE key = '$tr_bob' ORDER BY id DESC LIMIT 1")"
# As on one database: an invalid value is dropped (the event is written without it) and counted.
check "an invalid traceparent is ignored and counted (trace_stats through the proxy: 0 0, then 1 traced, 1 invalid)" \
  "0|0 1|0 1|1 -|Counted" \
  "$(proxy -c "SELECT concat_ws('|', traced_events, invalid_traceparents) FROM profile.trace_stats()" \
     -c "SET realchat_profile.traceparent = '$tp'" -c "SELECT 1 FROM profile.set_custom_status('$tr_bob', 'Good')" \
     -c "SELECT concat_ws('|', traced_events, invalid_traceparents) FROM profile.trace_stats()" \
     -c "SET realchat_profile.traceparent = '00-00000000000000000000000000000000-00f067aa0ba902b7-01'" \
     -c "SELECT 1 FROM profile.set_custom_status('$tr_bob', 'Counted')" \
     -c "SELECT concat_ws('|', traced_events, invalid_traceparents) FROM profile.trace_stats()" | grep -v '^1$' | tr '\n' ' ')$(
     shard 2 -c "SELECT coalesce(traceparent, '-') || '|' || (payload->'data'->>'status_text') FROM profile.outbox
                 WHERE key = '$tr_bob' ORDER BY id DESC LIMIT 1")"
# away_after set in the session decides what run_expiry through the proxy does on every shard.
proxy -c "SELECT 1 FROM profile.set_status('$tr_bob', 'online')" >/dev/null
shard 2 -c "UPDATE profile.profiles SET last_seen = now() - interval '2 minutes' WHERE user_id = '$tr_bob'"
bob_status="SELECT status FROM profile.get_profile('$tr_bob')"
check "run_expiry through the proxy: with the built-in away_after (5 min) a user idle for 2 minutes stays online; with away_after = '1min' set in the session, away" \
  "online|away" \
  "$(proxy -c "SELECT count(*) FROM profile.run_expiry()" -c "$bob_status" | tail -1)|$(
     proxy -c "SET realchat_profile.away_after = '1min'" -c "SELECT count(*) FROM profile.run_expiry()" -c "$bob_status" | tail -1)"
check "a limit set in the session (max_contacts = 0) refuses add_contact as on one database (54000)" "ERROR:  54000" \
  "$(psql -X -q -At -v VERBOSITY=sqlstate -d "$PROXY_DB" -c "SET realchat_profile.max_contacts = 0" \
     -c "SELECT 1 FROM profile.add_contact('$tr_bob', '$tr_cy')" 2>&1 | grep ERROR)"
check "the shards' helper that applies them sets nothing but realchat_profile.* and session_replication_role (42501)" \
  "ERROR:  42501" "$(psql -X -q -At -v VERBOSITY=sqlstate -d "${SHARD_DB_PREFIX}0" \
     -c "SELECT shard.with_settings(ARRAY['realchat_profile.away_after=1min', 'search_path=public'], 1)" 2>&1 | grep ERROR)"

# ---- a hand-made mute through the proxy's view lands on the owner's shard, with its event ----
mu_owner=fb000000-0000-4000-8000-000000000001  # home: partition 1
mu_other=fb000000-0000-4000-8000-000000000002  # home: partition 2
proxy -c "SELECT 1 FROM profile.create_profile('$mu_owner', 'mute_owner', 'Owner')" \
  -c "SELECT 1 FROM profile.create_profile('$mu_other', 'mute_other', 'Other')" >/dev/null
mu_events() { # mu_events: the owner's events after ProfileCreated on their home shard, as type:muted user[:reason]:traceparent
  shard 1 -c "SELECT string_agg(concat_ws(':', payload->>'event_type', payload->'data'->>'muted_user_id',
                 payload->'data'->>'reason', coalesce(traceparent, '-')), ' ' ORDER BY id)
               FROM profile.outbox WHERE key = '$mu_owner' AND payload->>'event_type' <> 'ProfileCreated'"
}
proxy -c "SET realchat_profile.traceparent = '$tp'" -c "INSERT INTO profile.mutes (user_id, muted_user_id, expires_at)
  VALUES ('$mu_owner', '$mu_other', now() + interval '1 day')" >/dev/null
check "a hand-made INSERT of a mute through the proxy: the row on the owner's shard (1) only, the muted user's shadow there, UserMuted in the owner's stream with the session's traceparent" \
  "1|1|1|UserMuted:$mu_other:$tp" \
  "$(shard 1 -c "SELECT count(*) FROM profile.mutes WHERE user_id = '$mu_owner' AND muted_user_id = '$mu_other' AND expires_at > now()")|$(
     all_shards "SELECT count(*) FROM profile.mutes WHERE user_id = '$mu_owner'")|$(
     shard 1 -c "SELECT count(*) FROM shard.shadows WHERE user_id = '$mu_other'")|$(mu_events)"
proxy -c "UPDATE profile.mutes SET expires_at = NULL WHERE user_id = '$mu_owner'" \
  -c "DELETE FROM profile.mutes WHERE user_id = '$mu_owner' AND muted_user_id = '$mu_other'" >/dev/null
check "a hand-made UPDATE (muted again, until unmuted) and DELETE of it: UserMuted, then UserUnmuted (unmuted), no row left" \
  "UserMuted:$mu_other:$tp UserMuted:$mu_other:- UserUnmuted:$mu_other:unmuted:-|0" \
  "$(mu_events)|$(all_shards "SELECT count(*) FROM profile.mutes WHERE user_id = '$mu_owner'")"
mu_state() { psql -X -q -At -v VERBOSITY=sqlstate -d "$PROXY_DB" "$@" 2>&1 | sed -n 's/^ERROR:  //p'; }
mu_insert="INSERT INTO profile.mutes (user_id, muted_user_id) VALUES ('$mu_owner', '$mu_other')"
mu_before=$(mu_events)
check "bad hand-made mutes get the extension's SQLSTATEs: self 22023, past expires_at 22023, unknown user P0002, over max_mutes set in the session 54000, a second mute of the same user 23505" \
  "22023 22023 P0002 54000 23505|$mu_before UserMuted:$mu_other:-" \
  "$(mu_state -c "INSERT INTO profile.mutes (user_id, muted_user_id) VALUES ('$mu_owner', '$mu_owner')") $(
     mu_state -c "INSERT INTO profile.mutes (user_id, muted_user_id, expires_at) VALUES ('$mu_owner', '$mu_other', now() - interval '1 day')") $(
     mu_state -c "INSERT INTO profile.mutes (user_id, muted_user_id) VALUES ('$mu_owner', 'fb000000-0000-4000-8000-0000000000ee')") $(
     mu_state -c "SET realchat_profile.max_mutes = 0" -c "$mu_insert") $(
     proxy -c "$mu_insert" && mu_state -c "$mu_insert")|$(mu_events)"
proxy -c "DELETE FROM profile.mutes WHERE user_id = '$mu_owner'" >/dev/null
mu_before=$(mu_events)
check "in replica mode a hand-made mute through the proxy is stored on the owner's shard without an event, as on one database" \
  "1|$mu_before" \
  "$(proxy -c "SET session_replication_role = replica" -c "$mu_insert" -c "RESET session_replication_role" &&
     shard 1 -c "SELECT count(*) FROM profile.mutes WHERE user_id = '$mu_owner'")|$(mu_events)"

# ---- an application role needs EXECUTE on profile.* only, and reaches nothing else ----
proxy -c "CREATE ROLE proxy_app_test LOGIN IN ROLE profile_app" >/dev/null
as_app() { psql -X -q -At -v VERBOSITY=sqlstate -U proxy_app_test -d "$PROXY_DB" -c "$1" 2>&1 | grep -v '^NOTICE'; }
check "profile_app creates users on two shards and links them" "1|1|t" \
  "$(as_app "SELECT count(*) FROM profile.create_profile('f6000000-0000-4000-8000-000000000001', 'app_one', 'App One')")|$(as_app \
    "SELECT version FROM profile.create_profile('f6000000-0000-4000-8000-000000000002', 'app_two', 'App Two'),
       LATERAL profile.add_contact('f6000000-0000-4000-8000-000000000001', 'f6000000-0000-4000-8000-000000000002') c")|$(as_app \
    "SELECT profile.can_interact('f6000000-0000-4000-8000-000000000001', 'f6000000-0000-4000-8000-000000000002')")"
check "profile_app cannot call the raw shard calls or the repair jobs" "ERROR:  42501|ERROR:  42501|ERROR:  42501" \
  "$(as_app "SELECT proxy_remote.forget_user('f6000000-0000-4000-8000-000000000001')")|$(as_app \
    "SELECT proxy_remote.ensure_shadow('f6000000-0000-4000-8000-000000000001', gen_random_uuid())")|$(as_app \
    "SELECT * FROM proxy.forget_deleted_users()")"
check "profile_app cannot move users or read or change the routing exceptions" "ERROR:  42501|ERROR:  42501|ERROR:  42501" \
  "$(as_app "SELECT proxy.freeze_user('f6000000-0000-4000-8000-000000000001', 0)")|$(as_app \
    "SELECT count(*) FROM proxy.moved_users")|$(as_app "DELETE FROM proxy.moved_users")"
proxy -c "DROP OWNED BY proxy_app_test; DROP ROLE proxy_app_test" >/dev/null

# ---- growth: 4 shards become 8; every user's rows, versions and events move together ----
u1=e1000000-0000-4000-8000-000000000001
reads="SELECT string_agg(x, ';') FROM (
  SELECT concat_ws(',', contact_user_id, nickname, is_favorite, username, display_name, status, last_seen IS NULL) x
  FROM profile.list_contacts('$u1')
  UNION ALL SELECT concat_ws(',', other, is_contact, contact_of, blocking, muting) FROM profile.relationships('$u1',
    ARRAY(SELECT ('e1000000-0000-4000-8000-00000000000' || n)::uuid FROM generate_series(1, 9) n))
  UNION ALL SELECT concat_ws(',', username, status, version, last_seen IS NULL) FROM profile.get_profiles(
    ARRAY(SELECT ('e1000000-0000-4000-8000-00000000000' || n)::uuid FROM generate_series(1, 9) n), viewer => '$u1')
  UNION ALL SELECT concat_ws(',', username) FROM profile.search_profiles('route_1', \"limit\" => 50)) s"
before_reads=$(proxy -c "$reads")
before_pending=$(proxy -c "SELECT pending FROM profile.outbox_stats()")
before_names=$(shard 0 -c "SELECT count(*) FROM shard.usernames")
before_version=$(proxy -c "SELECT version FROM profile.get_profile('e1000000-0000-4000-8000-000000000004')")
if "$root/proxy/scripts/split.sh" "$work/shards" >"$work/split.log" 2>&1; then
  pass "proxy/scripts/split.sh: 4 to 8 shards"
else
  fail "proxy/scripts/split.sh"; cat "$work/split.log"
fi
. "$work/shards/env"
check "the proxy has 8 partitions, each its own database" "8|8" \
  "$(proxy -c "SELECT profile.partition_count() || '|' || count(DISTINCT profile.shard_connstr(i)) FROM generate_series(0, 7) i")"
misplaced=0
homes=""
for ((i = 0; i < SHARD_COUNT; i++)); do
  ids=$(shard "$i" -c "SELECT coalesce(array_agg(user_id), '{}') FROM profile.profiles
                       WHERE user_id NOT IN (SELECT user_id FROM shard.shadows)")
  misplaced=$((misplaced + $(proxy -c "SELECT count(*) FROM unnest('$ids'::uuid[]) id WHERE profile.shard_for(id) <> $i")))
  homes+="$(proxy -c "SELECT cardinality('$ids'::uuid[])") "
done
check "after the split every user lives where profile.shard_for says (per shard: $homes)" 0 "$misplaced"
check "reads through the proxy answer as before the split ($(tr ';' '\n' <<<"$before_reads" | grep -c .) rows)" "$before_reads" "$(proxy -c "$reads")"
check "every pending event is still pending exactly once" "$before_pending" "$(proxy -c "SELECT pending FROM profile.outbox_stats()")"
check "the registry stayed on partition 0, the other shards hold none" "$before_names|0" \
  "$(shard 0 -c "SELECT count(*) FROM shard.usernames")|$(( $(all_shards "SELECT count(*) FROM shard.usernames") - before_names ))"
check "a moved user's next event continues its version on its new shard" "$((before_version + 1))|4" \
  "$(proxy -c "SELECT version FROM profile.set_status('e1000000-0000-4000-8000-000000000004', 'busy')")|$(shard 4 -c \
    "SELECT max((payload->>'version')::int) - $before_version + 3 FROM profile.outbox WHERE key = 'e1000000-0000-4000-8000-000000000004'")"
check "after the split: every user's events on one shard, versions 1..n matching profiles.version" "0|0|0" \
  "$(for ((i = 0; i < SHARD_COUNT; i++)); do shard "$i" -c "SELECT DISTINCT key FROM profile.outbox"; done | sort | uniq -d | wc -l)|$(all_shards \
    "SELECT count(*) FROM (SELECT key FROM profile.outbox GROUP BY key
     HAVING count(*) <> max((payload->>'version')::bigint) OR count(DISTINCT payload->>'version') <> count(*)) bad")|$(all_shards \
    "SELECT count(*) FROM profile.profiles p WHERE p.user_id NOT IN (SELECT user_id FROM shard.shadows)
      AND p.version <> (SELECT max((payload->>'version')::bigint) FROM profile.outbox o WHERE o.key = p.user_id::text)")"
check "every contact and mute names a row of its shard; shadows have no events" "0|0" \
  "$(all_shards "SELECT count(*) FROM profile.contacts c WHERE NOT EXISTS (SELECT 1 FROM profile.profiles p WHERE p.user_id = c.contact_user_id)
     OR NOT EXISTS (SELECT 1 FROM profile.profiles p WHERE p.user_id = c.user_id)")|$(all_shards \
     "SELECT count(*) FROM profile.profiles p JOIN shard.shadows s USING (user_id) WHERE p.version <> 0")"
check "names stay unique across the 8 shards" "ERROR:  23505" \
  "$(psql -X -q -At -v VERBOSITY=sqlstate -d "$PROXY_DB" -c "SELECT 1 FROM profile.create_profile(gen_random_uuid(), 'SCEN_3', 'x')" 2>&1 | grep ERROR)"
