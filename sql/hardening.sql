-- 1.1 hardening: versions continue after re-creation, multi-row deletes of users in each other's
-- lists, no event for an INSERT that did not happen, find_profile_by_username's viewer.
CREATE TEMP TABLE mark AS SELECT coalesce(max(id), 0) AS start FROM profile.outbox;
CREATE TEMP VIEW ev AS
  SELECT substr(key, 35) AS who, payload->>'event_type' AS type, (payload->>'version')::int AS version,
         payload->'data'->>'contact_user_id' AS contact
  FROM profile.outbox WHERE id > (SELECT start FROM mark) ORDER BY id;

-- Versions never restart: delete and create again continues the sequence.
SELECT 1 FROM profile.create_profile('c1000000-0000-4000-8000-000000000001', 'hank', 'Hank');
SELECT 1 FROM profile.update_profile('c1000000-0000-4000-8000-000000000001', bio => 'two');
SELECT profile.delete_profile('c1000000-0000-4000-8000-000000000001');
SELECT user_id, last_version FROM profile.retired_users WHERE user_id = 'c1000000-0000-4000-8000-000000000001';
SELECT version FROM profile.create_profile('c1000000-0000-4000-8000-000000000001', 'hank2', 'Hank again');
SELECT profile.delete_profile('c1000000-0000-4000-8000-000000000001');
INSERT INTO profile.profiles (user_id, username, display_name) VALUES ('c1000000-0000-4000-8000-000000000001', 'hank3', 'By hand');
SELECT * FROM ev;

-- An INSERT that ON CONFLICT skips writes nothing; one that updates writes ProfileUpdated.
UPDATE mark SET start = (SELECT max(id) FROM profile.outbox);
INSERT INTO profile.profiles (user_id, username, display_name)
  VALUES ('c1000000-0000-4000-8000-000000000001', 'hank3', 'Other') ON CONFLICT DO NOTHING;
INSERT INTO profile.profiles (user_id, username, display_name)
  VALUES ('c1000000-0000-4000-8000-000000000001', 'hank3', 'Other') ON CONFLICT (user_id) DO UPDATE SET bio = 'upserted';
SELECT * FROM ev;
-- A plain INSERT of an existing user: the primary key refuses it.
INSERT INTO profile.profiles (user_id, username, display_name) VALUES ('c1000000-0000-4000-8000-000000000001', 'hank4', 'Dup');
-- create_profile names the user.
SELECT profile.create_profile('c1000000-0000-4000-8000-000000000001', 'hank4', 'Dup');
-- A statement that creates a user and changes it (a contact of the new user) is refused: its
-- events would reach the outbox out of order.
WITH p AS (INSERT INTO profile.profiles (user_id, username, display_name)
           VALUES ('c1000000-0000-4000-8000-000000000002', 'ivy', 'Ivy') RETURNING user_id)
INSERT INTO profile.contacts (user_id, contact_user_id) SELECT user_id, 'c1000000-0000-4000-8000-000000000001' FROM p;
SELECT count(*) FROM profile.profiles WHERE user_id = 'c1000000-0000-4000-8000-000000000002';

-- Multi-row DELETE of users who are in each other's lists: every owner's stream stays gapless.
UPDATE mark SET start = (SELECT max(id) FROM profile.outbox);
SELECT count(*) FROM generate_series(1, 4) n,
  LATERAL profile.create_profile(('c2000000-0000-4000-8000-00000000000' || n)::uuid, 'mr' || n, 'Mr ' || n);
SELECT count(*) FROM (
  SELECT profile.add_contact(('c2000000-0000-4000-8000-00000000000' || a)::uuid, ('c2000000-0000-4000-8000-00000000000' || b)::uuid)
  FROM generate_series(1, 4) a, generate_series(1, 4) b WHERE a <> b) s;
SELECT 1 FROM profile.block_user('c2000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000004');
UPDATE mark SET start = (SELECT max(id) FROM profile.outbox);
DELETE FROM profile.profiles WHERE user_id IN ('c2000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000002',
                                               'c2000000-0000-4000-8000-000000000003');
-- Per owner (the order between owners follows the table's physical order).
SELECT * FROM ev ORDER BY who, version;
SELECT user_id, version FROM profile.profiles WHERE user_id::text LIKE 'c2%';
SELECT count(*) AS contacts_left FROM profile.contacts WHERE user_id::text LIKE 'c2%' OR contact_user_id::text LIKE 'c2%';
SELECT key, array_agg((payload->>'version')::int ORDER BY id) = array_agg(v::int ORDER BY v) AS gapless
FROM (SELECT key, payload, id, row_number() OVER (PARTITION BY key ORDER BY id) AS v
      FROM profile.outbox WHERE key LIKE 'c2%') s GROUP BY key ORDER BY key;

-- A DELETE of every profile works too (rolled back: later tests use the data).
BEGIN;
DELETE FROM profile.profiles;
SELECT (SELECT count(*) FROM profile.profiles) AS profiles, (SELECT count(*) FROM profile.contacts) AS contacts,
       (SELECT count(*) FROM profile.blocks) AS blocks;
SELECT count(*) = 0 AS every_stream_gapless FROM (
  SELECT key FROM (SELECT key, (payload->>'version')::int AS v,
                          row_number() OVER (PARTITION BY key ORDER BY id) AS n,
                          first_value((payload->>'version')::int) OVER (PARTITION BY key ORDER BY id) AS v0
                   FROM profile.outbox) s
  WHERE v <> v0 + n - 1) bad;
ROLLBACK;

-- find_profile_by_username masks for a viewer the user blocks, as get_profile does.
SELECT 1 FROM profile.create_profile('c3000000-0000-4000-8000-000000000001', 'jane', 'Jane');
SELECT 1 FROM profile.create_profile('c3000000-0000-4000-8000-000000000002', 'kurt', 'Kurt');
SELECT 1 FROM profile.set_status('c3000000-0000-4000-8000-000000000001', 'online');
SELECT 1 FROM profile.block_user('c3000000-0000-4000-8000-000000000001', 'c3000000-0000-4000-8000-000000000002');
SELECT username, status, last_seen IS NULL AS no_last_seen FROM profile.find_profile_by_username('JANE');
SELECT username, status, last_seen IS NULL AS no_last_seen
FROM profile.find_profile_by_username('jane', viewer => 'c3000000-0000-4000-8000-000000000002');
SELECT (f.status, f.last_seen) IS NOT DISTINCT FROM (g.status, g.last_seen) AS same_as_get_profile
FROM profile.find_profile_by_username('jane', viewer => 'c3000000-0000-4000-8000-000000000002') f,
     profile.get_profile('c3000000-0000-4000-8000-000000000001', viewer => 'c3000000-0000-4000-8000-000000000002') g;
SELECT count(*) FROM profile.find_profile_by_username('nobody_here', viewer => 'c3000000-0000-4000-8000-000000000002');
SELECT profile.find_profile_by_username('jane', viewer => '00000000-0000-0000-0000-000000000000');

-- session_replication_role = replica (restores, logical replication's apply): no trigger fires,
-- so no event and no validation.
UPDATE mark SET start = (SELECT max(id) FROM profile.outbox);
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO profile.profiles (user_id, username, display_name, version)
  VALUES ('c4000000-0000-4000-8000-000000000001', 'not valid!', E'\t', 7);
SELECT username, version FROM profile.profiles WHERE user_id = 'c4000000-0000-4000-8000-000000000001';
SELECT count(*) AS events FROM ev;
ROLLBACK;
