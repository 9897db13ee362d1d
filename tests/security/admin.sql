-- admin.sql (as admin_login, a member of profile_admin): every object of the schema, and a change
-- made by hand still goes through the event triggers.
\ir helpers.sql

SELECT pg_temp.expect_ok('hand-made INSERT into profiles',
  $$INSERT INTO profile.profiles (user_id, username, display_name) VALUES ('a3000000-0000-4000-8000-000000000001', 'admin_made', 'A')$$);
SELECT pg_temp.expect_true('it wrote ProfileCreated version 1',
  $$SELECT payload->>'event_type' = 'ProfileCreated' AND (payload->>'version')::int = 1
    FROM profile.outbox WHERE key = 'a3000000-0000-4000-8000-000000000001'$$);
SELECT pg_temp.expect_ok('hand-made UPDATE of profiles',
  $$UPDATE profile.profiles SET bio = 'by hand' WHERE user_id = 'a3000000-0000-4000-8000-000000000001'$$);
SELECT pg_temp.expect_error('hand-made rows are validated too',
  $$UPDATE profile.profiles SET username = 'no spaces allowed' WHERE user_id = 'a3000000-0000-4000-8000-000000000001'$$, '22023');
SELECT pg_temp.expect_true('SELECT from every table',
  $$SELECT (SELECT count(*) FROM profile.profiles) > 0 AND (SELECT count(*) FROM profile.outbox) > 0
       AND (SELECT count(*) FROM profile.contacts) >= 0 AND (SELECT count(*) FROM profile.blocks) >= 0$$);
SELECT pg_temp.expect_ok('every function: outbox_stats', 'SELECT * FROM profile.outbox_stats()');
SELECT pg_temp.expect_ok('every function: wakeup_stats', 'SELECT * FROM profile.wakeup_stats()');
SELECT pg_temp.expect_ok('every function: purge_outbox', $$SELECT profile.purge_outbox('1 day')$$);
SELECT pg_temp.expect_ok('every function: request_wakeup', 'SELECT profile.request_wakeup()');
SELECT pg_temp.expect_ok('every function: set_status',
  $$SELECT profile.set_status('a3000000-0000-4000-8000-000000000001', 'busy')$$);
SELECT pg_temp.expect_ok('hand-made DELETE from profiles',
  $$DELETE FROM profile.profiles WHERE user_id = 'a3000000-0000-4000-8000-000000000001'$$);
SELECT pg_temp.expect_true('the hand-made changes wrote versions 1..4',
  $$SELECT array_agg((payload->>'version')::int ORDER BY id) = ARRAY[1, 2, 3, 4]
    FROM profile.outbox WHERE key = 'a3000000-0000-4000-8000-000000000001'$$);
SELECT pg_temp.expect_error('TRUNCATE is not granted (it would skip the events)', 'TRUNCATE profile.contacts', '42501');
