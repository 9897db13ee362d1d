-- Presence (invisible, heartbeat, idleness), custom status, run_expiry and trace context.
-- Time passing is simulated by moving last_seen back by hand (a past last_seen is no activity)
-- and, for status_expires_at, with the triggers off (session_replication_role = replica).
CREATE TEMP TABLE mark AS SELECT coalesce(max(id), 0) AS start FROM profile.outbox;
CREATE TEMP VIEW ev AS
  SELECT substr(key, 35) AS who, payload->>'event_type' AS type, (payload->>'version')::int AS version,
         (payload->'data') - 'last_seen'::text - 'expires_at'::text AS data
  FROM profile.outbox WHERE id > (SELECT start FROM mark) ORDER BY id;
CREATE TEMP TABLE seen (n int PRIMARY KEY);
-- The events since the last call, once each.
CREATE FUNCTION pg_temp.new_events() RETURNS SETOF ev LANGUAGE sql AS $$
  WITH fresh AS (SELECT o.id FROM profile.outbox o
                 WHERE o.id > (SELECT start FROM mark) AND o.id NOT IN (SELECT n FROM seen)),
       kept AS (INSERT INTO seen SELECT id FROM fresh)
  SELECT substr(o.key, 35), o.payload->>'event_type', (o.payload->>'version')::int,
         (o.payload->'data') - 'last_seen'::text - 'expires_at'::text
  FROM profile.outbox o WHERE o.id IN (SELECT id FROM fresh) ORDER BY o.id $$;

SELECT 1 FROM profile.create_profile('9e000000-0000-4000-8000-000000000001', 'pia', 'Pia');
SELECT 1 FROM profile.create_profile('9e000000-0000-4000-8000-000000000002', 'quinn', 'Quinn');
SELECT 1 FROM profile.create_profile('9e000000-0000-4000-8000-000000000003', 'rosa', 'Rosa');
SELECT count(*) AS created FROM pg_temp.new_events();

-- invisible: set like any status; last_seen frozen in profile.presence_state
SELECT status FROM profile.set_status('9e000000-0000-4000-8000-000000000001', 'invisible');
SELECT * FROM pg_temp.new_events();
SELECT s.frozen_last_seen = p.last_seen AS frozen_at_going_invisible, s.idle_from
FROM profile.presence_state s JOIN profile.profiles p USING (user_id)
WHERE user_id = '9e000000-0000-4000-8000-000000000001';
-- a heartbeat moves last_seen (for the user and trusted callers), not the frozen one; no event
SELECT pg_sleep(0.01);
SELECT status FROM profile.heartbeat('9e000000-0000-4000-8000-000000000001');
SELECT s.frozen_last_seen < p.last_seen AS last_seen_moved_frozen_kept
FROM profile.presence_state s JOIN profile.profiles p USING (user_id)
WHERE user_id = '9e000000-0000-4000-8000-000000000001';
SELECT count(*) AS heartbeat_events FROM pg_temp.new_events();
-- leaving invisible forgets the frozen last_seen
SELECT status FROM profile.set_status('9e000000-0000-4000-8000-000000000001', 'online');
SELECT count(*) AS state_rows FROM profile.presence_state WHERE user_id = '9e000000-0000-4000-8000-000000000001';
SELECT * FROM pg_temp.new_events();

-- Idleness. Pia online, inactive for 10 minutes; Quinn busy, inactive as long; Rosa online, active.
SET realchat_profile.away_after = '5min';
SET realchat_profile.offline_after = '30min';
SELECT status FROM profile.set_status('9e000000-0000-4000-8000-000000000002', 'busy');
SELECT status FROM profile.set_status('9e000000-0000-4000-8000-000000000003', 'online');
UPDATE profile.profiles SET last_seen = now() - interval '10 minutes'
WHERE user_id IN ('9e000000-0000-4000-8000-000000000001', '9e000000-0000-4000-8000-000000000002');
SELECT * FROM pg_temp.new_events();
SELECT * FROM profile.run_expiry();
-- Pia away (reason idle), last_seen kept at the last activity; Quinn stays busy; Rosa untouched
SELECT * FROM pg_temp.new_events();
SELECT username, status, last_seen < now() - interval '9 minutes' AS last_seen_kept
FROM profile.profiles WHERE username IN ('pia', 'quinn', 'rosa') ORDER BY username;
SELECT idle_from FROM profile.presence_state WHERE user_id = '9e000000-0000-4000-8000-000000000001';
-- nothing more is due: a second run changes nothing
SELECT * FROM profile.run_expiry();
SELECT count(*) AS events FROM pg_temp.new_events();
-- activity returns her to the status she had (reason active)
SELECT status FROM profile.heartbeat('9e000000-0000-4000-8000-000000000001');
SELECT * FROM pg_temp.new_events();
SELECT count(*) AS state_rows FROM profile.presence_state WHERE user_id = '9e000000-0000-4000-8000-000000000001';

-- away set on purpose is not undone by activity
UPDATE profile.profiles SET last_seen = now() - interval '10 minutes' WHERE user_id = '9e000000-0000-4000-8000-000000000001';
SELECT kind, count FROM profile.run_expiry() WHERE kind = 'away';
SELECT status FROM profile.set_status('9e000000-0000-4000-8000-000000000001', 'away');
SELECT count(*) AS state_rows FROM profile.presence_state WHERE user_id = '9e000000-0000-4000-8000-000000000001';
SELECT status FROM profile.heartbeat('9e000000-0000-4000-8000-000000000001');
SELECT * FROM pg_temp.new_events();

-- last_seen moved forward by hand is activity too
SELECT status FROM profile.set_status('9e000000-0000-4000-8000-000000000001', 'online');
UPDATE profile.profiles SET last_seen = now() - interval '10 minutes' WHERE user_id = '9e000000-0000-4000-8000-000000000001';
SELECT kind, count FROM profile.run_expiry() WHERE kind = 'away';
UPDATE profile.profiles SET last_seen = now() WHERE user_id = '9e000000-0000-4000-8000-000000000001';
SELECT * FROM pg_temp.new_events();

-- Timeout: past offline_after every status but offline goes offline (reason timeout), last_seen
-- kept; a user past both limits goes straight to offline, without an away first. Rosa is invisible.
SELECT status FROM profile.set_status('9e000000-0000-4000-8000-000000000003', 'invisible');
UPDATE profile.profiles SET last_seen = now() - interval '2 hours'
WHERE user_id IN ('9e000000-0000-4000-8000-000000000001', '9e000000-0000-4000-8000-000000000002',
                  '9e000000-0000-4000-8000-000000000003');
SELECT count(*) FROM pg_temp.new_events();
SELECT * FROM profile.run_expiry();
SELECT * FROM pg_temp.new_events() ORDER BY who, version;  -- one batch: row order is the table's
SELECT username, status, last_seen < now() - interval '119 minutes' AS last_seen_kept
FROM profile.profiles WHERE username IN ('pia', 'quinn', 'rosa') ORDER BY username;
SELECT count(*) AS state_rows FROM profile.presence_state
WHERE user_id::text LIKE '9e000000-0000-4000-8000-00000000000_';
-- a heartbeat of an offline user records the activity and changes nothing else
SELECT status, last_seen > now() - interval '1 minute' AS seen_now FROM profile.heartbeat('9e000000-0000-4000-8000-000000000002');
SELECT count(*) AS events FROM pg_temp.new_events();

-- 0 turns a rule off
SET realchat_profile.away_after = 0;
SET realchat_profile.offline_after = 0;
SELECT status FROM profile.set_status('9e000000-0000-4000-8000-000000000002', 'online');
UPDATE profile.profiles SET last_seen = now() - interval '2 days' WHERE user_id = '9e000000-0000-4000-8000-000000000002';
SELECT * FROM profile.run_expiry();
SELECT count(*) AS events FROM pg_temp.new_events();
RESET realchat_profile.away_after;
RESET realchat_profile.offline_after;
-- the settings are superuser settings with units
SELECT name, setting, unit, context FROM pg_settings
WHERE name IN ('realchat_profile.away_after', 'realchat_profile.offline_after',
               'realchat_profile.expiry_interval', 'realchat_profile.expiry_databases',
               'realchat_profile.expiry_duty', 'realchat_profile.traceparent')
ORDER BY name;
-- the worker's pacing is server configuration: no session changes it
SET realchat_profile.expiry_duty = 1;

-- Custom status: set (trimmed, NFC), unchanged (no event), changed, cleared, cleared again (no event)
SELECT status_text, status_emoji, status_expires_at IS NULL AS no_expiry
FROM profile.set_custom_status('9e000000-0000-4000-8000-000000000003', '  In a meeting  ', U&'\+01F4C5');
SELECT 1 FROM profile.set_custom_status('9e000000-0000-4000-8000-000000000003', 'In a meeting', U&'\+01F4C5');
SELECT status_text, status_emoji, status_expires_at > now() AS expires_later
FROM profile.set_custom_status('9e000000-0000-4000-8000-000000000003', 'Lunch', expires_at => now() + interval '1 hour');
SELECT status_text, status_emoji, status_expires_at FROM profile.clear_custom_status('9e000000-0000-4000-8000-000000000003');
SELECT 1 FROM profile.clear_custom_status('9e000000-0000-4000-8000-000000000003');
-- an expiry time alone is no status: stored as cleared, so nothing changed
SELECT status_expires_at FROM profile.set_custom_status('9e000000-0000-4000-8000-000000000003', NULL, NULL, now() + interval '1 hour');
SELECT * FROM pg_temp.new_events();
-- expires_at is in the event, as RFC 3339 UTC
SELECT 1 FROM profile.set_custom_status('9e000000-0000-4000-8000-000000000003', 'Back at 3', NULL, '2999-01-01 15:00:00+00');
SELECT payload->'data'->>'expires_at' AS expires_at FROM profile.outbox ORDER BY id DESC LIMIT 1;
-- by hand: the same event as the API
UPDATE profile.profiles SET status_text = 'Walking the dog' WHERE user_id = '9e000000-0000-4000-8000-000000000003';
UPDATE profile.profiles SET status_text = NULL, status_emoji = U&'\+01F415' WHERE user_id = '9e000000-0000-4000-8000-000000000003';
SELECT * FROM pg_temp.new_events();

-- Expiry: at status_expires_at the status is cleared (reason expired). Time passes with the
-- triggers off, which is how a restore writes rows too.
SET session_replication_role = replica;
UPDATE profile.profiles SET status_expires_at = now() - interval '1 second' WHERE user_id = '9e000000-0000-4000-8000-000000000003';
RESET session_replication_role;
SELECT * FROM profile.run_expiry();
-- two users' events: only each user's own order is promised (through the proxy their shards
-- run at once)
SELECT * FROM pg_temp.new_events() ORDER BY who, version;
SELECT status_text, status_emoji, status_expires_at FROM profile.profiles WHERE user_id = '9e000000-0000-4000-8000-000000000003';

-- One UPDATE changing presence and custom status: PresenceChanged, then CustomStatusChanged
UPDATE profile.profiles SET status = 'busy', status_text = 'Focus'
WHERE user_id = '9e000000-0000-4000-8000-000000000002';
SELECT * FROM pg_temp.new_events();
-- and with a profile field: ProfileUpdated (status among its changes), then CustomStatusChanged
UPDATE profile.profiles SET display_name = 'Quinn Q', status = 'online', status_text = NULL
WHERE user_id = '9e000000-0000-4000-8000-000000000002';
SELECT who, type, version, data->'changed' AS changed, data->>'reason' AS reason FROM pg_temp.new_events();

-- Invisible set by hand freezes last_seen the same way; created invisible too
UPDATE profile.profiles SET status = 'invisible' WHERE user_id = '9e000000-0000-4000-8000-000000000002';
SELECT s.frozen_last_seen = p.last_seen AS frozen
FROM profile.presence_state s JOIN profile.profiles p USING (user_id)
WHERE user_id = '9e000000-0000-4000-8000-000000000002';
INSERT INTO profile.profiles (user_id, username, display_name, status, last_seen)
VALUES ('9e000000-0000-4000-8000-000000000004', 'sam', 'Sam', 'invisible', now() - interval '1 hour');
SELECT s.frozen_last_seen = p.last_seen AND p.last_seen < now() - interval '59 minutes' AS frozen_at_creation
FROM profile.presence_state s JOIN profile.profiles p USING (user_id)
WHERE user_id = '9e000000-0000-4000-8000-000000000004';
SELECT * FROM pg_temp.new_events();

-- Trace context: a valid traceparent goes into the outbox row; an invalid one is dropped and counted
SELECT * FROM profile.trace_stats();
BEGIN;
SET LOCAL realchat_profile.traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
SELECT 1 FROM profile.set_custom_status('9e000000-0000-4000-8000-000000000001', 'Traced');
COMMIT;
SELECT traceparent FROM profile.outbox ORDER BY id DESC LIMIT 1;
BEGIN;
SET LOCAL realchat_profile.traceparent = '00-00000000000000000000000000000000-00f067aa0ba902b7-01';
SELECT 1 FROM profile.set_custom_status('9e000000-0000-4000-8000-000000000001', 'Traced badly');
COMMIT;
SELECT traceparent, payload->'data'->>'status_text' AS status_text FROM profile.outbox ORDER BY id DESC LIMIT 1;
SELECT * FROM profile.trace_stats();
-- SET LOCAL ends with the transaction
SELECT 1 FROM profile.clear_custom_status('9e000000-0000-4000-8000-000000000001');
SELECT traceparent FROM profile.outbox ORDER BY id DESC LIMIT 1;
SELECT count(*) AS events FROM pg_temp.new_events();

-- Deleting a profile deletes its presence state
SELECT profile.delete_profile('9e000000-0000-4000-8000-000000000004');
SELECT count(*) AS state_rows FROM profile.presence_state WHERE user_id = '9e000000-0000-4000-8000-000000000004';

-- Every user's versions run 1..n without a gap
SELECT who, bool_and(version = rn) AS gapless
FROM (SELECT who, version, row_number() OVER (PARTITION BY who ORDER BY version) AS rn FROM ev) v
GROUP BY who ORDER BY who;
