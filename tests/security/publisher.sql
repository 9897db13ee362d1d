-- publisher.sql (as publisher_login, a member of profile_publisher): read and mark the outbox,
-- the wake-up handshake, housekeeping; nothing else. Runs after app.sql wrote some events.
\ir helpers.sql

SELECT pg_temp.expect_true('SELECT from profile.outbox', 'SELECT count(*) > 0 FROM profile.outbox');
-- The publisher's own fetch query, as it runs it.
SELECT pg_temp.expect_true('the relay''s fetch query',
  $$SELECT count(*) > 0 FROM (SELECT id, key, topic, payload::text, payload->>'event_id', payload->>'event_type'
                               FROM profile.outbox WHERE published_at IS NULL AND quarantined_at IS NULL
                               ORDER BY id LIMIT 100) s$$);
SELECT pg_temp.expect_ok('mark rows published',
  $$UPDATE profile.outbox SET published_at = now()
    WHERE id IN (SELECT id FROM profile.outbox ORDER BY id LIMIT 2) AND published_at IS NULL$$);
SELECT pg_temp.expect_ok('quarantine a row',
  $$UPDATE profile.outbox SET quarantined_at = now(), last_error = 'test'
    WHERE id = (SELECT max(id) FROM profile.outbox) AND published_at IS NULL$$);
SELECT pg_temp.expect_ok('re-drive a quarantined row',
  $$UPDATE profile.outbox SET quarantined_at = NULL, last_error = NULL WHERE quarantined_at IS NOT NULL$$);
SELECT pg_temp.expect_ok('lock rows it marks (FOR UPDATE)',
  'SELECT id FROM profile.outbox WHERE published_at IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED');
SELECT pg_temp.expect_ok('request_wakeup', 'SELECT profile.request_wakeup()');
SELECT pg_temp.expect_ok('next_xid (the read window''s horizon)', 'SELECT profile.next_xid()');
SELECT pg_temp.expect_true('outbox_stats', 'SELECT published >= 2 FROM profile.outbox_stats()');
SELECT pg_temp.expect_ok('purge_outbox', $$SELECT profile.purge_outbox('1 day')$$);
SELECT pg_temp.expect_ok('leader election (advisory lock)', 'SELECT pg_try_advisory_lock(4242)');
SELECT pg_temp.expect_ok('LISTEN', 'LISTEN profile_outbox');
SELECT pg_temp.check('LISTEN registered', 'profile_outbox' = ANY (ARRAY(SELECT pg_listening_channels())));

-- It can neither forge, alter nor drop events.
SELECT pg_temp.expect_error('cannot change outbox.' || c, format('UPDATE profile.outbox SET %I = %I', c, c), '42501')
FROM unnest(ARRAY['topic', 'key', 'payload', 'created_at']) c;
SELECT pg_temp.expect_error('cannot INSERT into the outbox',
  $$INSERT INTO profile.outbox (topic, key, payload) VALUES ('profile.events', 'k', '{}')$$, '42501');
SELECT pg_temp.expect_error('cannot DELETE from the outbox', 'DELETE FROM profile.outbox', '42501');
SELECT pg_temp.expect_error('cannot TRUNCATE the outbox', 'TRUNCATE profile.outbox', '42501');

-- No access to the profile data, directly or through the API.
SELECT pg_temp.expect_error('no SELECT on profile.' || t, format('SELECT * FROM profile.%I', t), '42501')
FROM unnest(ARRAY['profiles', 'contacts', 'blocks']) t;
SELECT pg_temp.expect_error('no UPDATE of profile.profiles', $$UPDATE profile.profiles SET bio = ''$$, '42501');
SELECT pg_temp.expect_error('no DELETE from profile.contacts', 'DELETE FROM profile.contacts', '42501');
SELECT pg_temp.expect_error('no EXECUTE on create_profile',
  $$SELECT profile.create_profile('a2000000-0000-4000-8000-000000000001', 'pub_user', 'P')$$, '42501');
SELECT pg_temp.expect_error('no EXECUTE on get_profile',
  $$SELECT * FROM profile.get_profile('a1000000-0000-4000-8000-000000000001')$$, '42501');
SELECT pg_temp.expect_error('no EXECUTE on delete_profile',
  $$SELECT profile.delete_profile('a1000000-0000-4000-8000-000000000001')$$, '42501');
SELECT pg_temp.expect_error('no EXECUTE on wakeup_stats', 'SELECT * FROM profile.wakeup_stats()', '42501');
SELECT pg_temp.expect_error('cannot SET ROLE profile_app', 'SET ROLE profile_app', '42501');
SELECT pg_temp.expect_error('cannot redirect events (realchat_profile.topic)', $$SET realchat_profile.topic = 'x'$$, '42501');
