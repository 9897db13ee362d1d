-- cache_reader.sql (as cache_reader_login, a member of profile_cache_reader): the read cache's
-- helper reads one user's state for a fill and calls get_profile, and nothing else.
\ir helpers.sql

SELECT pg_temp.expect_ok('the fill''s columns of profiles',
  $$SELECT user_id, username, display_name, bio, avatar_url, status, last_seen, version, status_text,
           status_emoji, status_expires_at, presence_audience, discoverable, created_at
    FROM profile.profiles LIMIT 1$$);
SELECT pg_temp.expect_ok('contacts, blocks and the frozen last_seen of one user',
  $$SELECT (SELECT count(*) FROM profile.contacts WHERE user_id = gen_random_uuid()),
           (SELECT count(*) FROM profile.blocks WHERE user_id = gen_random_uuid()),
           (SELECT count(*) FROM profile.presence_state WHERE user_id = gen_random_uuid())$$);
SELECT pg_temp.expect_ok('get_profile', $$SELECT * FROM profile.get_profile(gen_random_uuid(), gen_random_uuid())$$);
SELECT pg_temp.expect_error('no SELECT of contacts'' nicknames', 'SELECT nickname FROM profile.contacts', '42501');
SELECT pg_temp.expect_error('no SELECT on ' || t, format('SELECT * FROM profile.%I', t), '42501')
FROM unnest(ARRAY['outbox', 'mutes', 'retired_users']) t;
SELECT pg_temp.expect_error('no ' || w, w, '42501')
FROM unnest(ARRAY[
  $$UPDATE profile.profiles SET bio = 'x'$$,
  $$DELETE FROM profile.blocks$$,
  $$INSERT INTO profile.contacts (user_id, contact_user_id) VALUES (gen_random_uuid(), gen_random_uuid())$$,
  $$SELECT profile.set_status(gen_random_uuid(), 'online')$$,
  $$SELECT * FROM profile.get_profiles(ARRAY[gen_random_uuid()])$$,
  $$SELECT * FROM profile.outbox_stats()$$]) w;
