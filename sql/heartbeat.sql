-- heartbeat writes last_seen in place when that is all that changes (extension/plain_heartbeat.cpp),
-- and otherwise as the UPDATE it always was. What either way must hold: the row's indexes,
-- the triggers a table owner adds, the transaction's own earlier changes, savepoints, read-only.
CREATE TEMP TABLE mark AS SELECT coalesce(max(id), 0) AS start FROM profile.outbox;
CREATE TEMP VIEW ev AS
  SELECT substr(key, 35) AS who, payload->>'event_type' AS type, (payload->>'version')::int AS version
  FROM profile.outbox WHERE id > (SELECT start FROM mark) ORDER BY id;
SELECT 1 FROM profile.create_profile('aa000000-0000-4000-8000-000000000001', 'hbone', 'Heartbeat One');
SELECT 1 FROM profile.create_profile('aa000000-0000-4000-8000-000000000002', 'hbtwo', 'Heartbeat Two');
SELECT status FROM profile.set_status('aa000000-0000-4000-8000-000000000001', 'online');
SELECT status FROM profile.set_status('aa000000-0000-4000-8000-000000000002', 'online');
SELECT count(*) AS events_before FROM ev;

-- Two hundred heartbeats of one user in one transaction: every version stays on the page until
-- the transaction ends, so the page fills and later versions go to other pages (not heap-only).
-- Each of those needs its index entries; without them the lookups below would miss the row.
BEGIN;
SELECT pg_stat_get_xact_tuples_updated('profile.profiles'::regclass) AS updated0,
       pg_stat_get_xact_tuples_hot_updated('profile.profiles'::regclass) AS hot0 \gset
SELECT count((profile.heartbeat('aa000000-0000-4000-8000-000000000001')).status) AS heartbeats
FROM generate_series(1, 200);
SELECT pg_stat_get_xact_tuples_updated('profile.profiles'::regclass) - :updated0 AS updated,
       pg_stat_get_xact_tuples_updated('profile.profiles'::regclass) - :updated0
         > pg_stat_get_xact_tuples_hot_updated('profile.profiles'::regclass) - :hot0 AS some_not_heap_only;
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT user_id FROM profile.profiles WHERE user_id = 'aa000000-0000-4000-8000-000000000001';
SELECT user_id FROM profile.profiles WHERE lower(username) = 'hbone';
SELECT user_id FROM profile.profiles WHERE lower(username) LIKE 'hbon%';
SET LOCAL enable_bitmapscan = on;
SELECT user_id FROM profile.profiles WHERE lower(display_name) LIKE '%heartbeat one%';
SELECT user_id FROM profile.find_profile_by_username('HBONE');
COMMIT;
-- Each heartbeat moved last_seen, none wrote an event.
SELECT count(*) AS events_after FROM ev;

-- The transaction's own earlier change is the row a heartbeat starts from and returns.
BEGIN;
SELECT display_name FROM profile.update_profile('aa000000-0000-4000-8000-000000000002', display_name => 'Renamed');
SELECT display_name, status FROM profile.heartbeat('aa000000-0000-4000-8000-000000000002');
COMMIT;

-- A rolled-back savepoint takes the heartbeat with it.
BEGIN;
SELECT last_seen AS before_savepoint FROM profile.profiles WHERE user_id = 'aa000000-0000-4000-8000-000000000002' \gset
SAVEPOINT s;
SELECT 1 FROM profile.heartbeat('aa000000-0000-4000-8000-000000000002');
ROLLBACK TO s;
SELECT last_seen = :'before_savepoint' AS restored
FROM profile.profiles WHERE user_id = 'aa000000-0000-4000-8000-000000000002';
COMMIT;

-- A trigger the table's owner adds fires on a heartbeat, AFTER, and BEFORE with its change kept
-- (named to fire before profiles_events, which then sees the change).
CREATE TABLE pg_temp.fired (at text, user_id uuid);
CREATE FUNCTION pg_temp.note_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pg_temp.fired VALUES ('before', NEW.user_id);
  NEW.bio := 'set by a trigger';
  RETURN NEW;
END $$;
CREATE FUNCTION pg_temp.note_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pg_temp.fired VALUES ('after', NEW.user_id);
  RETURN NULL;
END $$;
CREATE TRIGGER zz_after AFTER UPDATE ON profile.profiles FOR EACH ROW EXECUTE FUNCTION pg_temp.note_after();
SELECT 1 FROM profile.heartbeat('aa000000-0000-4000-8000-000000000002');
SELECT at FROM pg_temp.fired ORDER BY at;
DROP TRIGGER zz_after ON profile.profiles;
CREATE TRIGGER aa_before BEFORE UPDATE ON profile.profiles FOR EACH ROW EXECUTE FUNCTION pg_temp.note_before();
SELECT bio FROM profile.heartbeat('aa000000-0000-4000-8000-000000000002');
DROP TRIGGER aa_before ON profile.profiles;
SELECT at FROM pg_temp.fired ORDER BY at;
-- The rename above, and the trigger's bio, each a ProfileUpdated with the next version.
SELECT who, type, version FROM ev WHERE type <> 'PresenceChanged' AND who = '02';

-- In a read-only transaction a heartbeat is refused as the UPDATE always was.
BEGIN READ ONLY;
\set VERBOSITY sqlstate
SELECT 1 FROM profile.heartbeat('aa000000-0000-4000-8000-000000000001');
\set VERBOSITY default
ROLLBACK;

-- Declared SECURITY INVOKER by someone, heartbeat checks the caller's privileges as the UPDATE
-- would: a role that may call it but not update profiles is refused.
CREATE ROLE regress_heartbeat_caller;
GRANT USAGE ON SCHEMA profile TO regress_heartbeat_caller;
GRANT EXECUTE ON FUNCTION profile.heartbeat(uuid) TO regress_heartbeat_caller;
ALTER FUNCTION profile.heartbeat(uuid) SECURITY INVOKER;
SET ROLE regress_heartbeat_caller;
\set VERBOSITY sqlstate
SELECT 1 FROM profile.heartbeat('aa000000-0000-4000-8000-000000000001');
\set VERBOSITY default
RESET ROLE;
ALTER FUNCTION profile.heartbeat(uuid) SECURITY DEFINER;
REVOKE ALL ON FUNCTION profile.heartbeat(uuid) FROM regress_heartbeat_caller;
REVOKE ALL ON SCHEMA profile FROM regress_heartbeat_caller;
DROP ROLE regress_heartbeat_caller;

DELETE FROM profile.profiles WHERE user_id IN ('aa000000-0000-4000-8000-000000000001', 'aa000000-0000-4000-8000-000000000002');
