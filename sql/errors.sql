-- Every SQLSTATE of the contract, with a message that names the field or user,
-- and proof that a failed call leaves no row and no outbox row behind.
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ' ' || SQLERRM;
END $$;

SELECT 1 FROM profile.create_profile('c0000000-0000-4000-8000-000000000001', 'grace', 'Grace');
SELECT 1 FROM profile.create_profile('c0000000-0000-4000-8000-000000000002', 'heidi', 'Heidi');
SELECT 1 FROM profile.block_user('c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002');
CREATE TEMP TABLE before AS
  SELECT (SELECT count(*) FROM profile.outbox) AS events, (SELECT count(*) FROM profile.profiles) AS profiles,
         (SELECT count(*) FROM profile.contacts) AS contacts, (SELECT count(*) FROM profile.blocks) AS blocks,
         (SELECT array_agg(version ORDER BY user_id) FROM profile.profiles) AS versions;

SELECT c AS call, pg_temp.try(c) AS result FROM unnest(ARRAY[
  -- 22004 null_value_not_allowed
  $$SELECT profile.create_profile(NULL, 'x_user', 'X')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', NULL, 'X')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'x_user', NULL)$$,
  $$SELECT profile.update_profile(NULL)$$,
  $$SELECT profile.set_status('c0000000-0000-4000-8000-000000000001', NULL)$$,
  $$SELECT profile.add_contact('c0000000-0000-4000-8000-000000000001', NULL)$$,
  $$SELECT profile.block_user(NULL, 'c0000000-0000-4000-8000-000000000001')$$,
  $$SELECT profile.get_profile(NULL)$$,
  $$SELECT profile.get_profiles(NULL)$$,
  $$SELECT profile.get_profiles(ARRAY[NULL]::uuid[])$$,
  $$SELECT profile.find_profile_by_username(NULL)$$,
  $$SELECT profile.list_contacts('c0000000-0000-4000-8000-000000000001', "limit" => NULL)$$,
  $$SELECT profile.is_blocked('c0000000-0000-4000-8000-000000000001', NULL)$$,
  $$SELECT profile.can_interact(NULL, 'c0000000-0000-4000-8000-000000000001')$$,
  $$SELECT profile.purge_outbox(NULL)$$,
  -- 22023 invalid_parameter_value
  $$SELECT profile.create_profile('00000000-0000-0000-0000-000000000000', 'x_user', 'X')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'xy', 'X')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', '1abc', 'X')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'ab-cd', 'X')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', repeat('a', 33), 'X')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'x_user', '   ')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'x_user', repeat(U&'\4E16', 65))$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'x_user', E'two\nlines')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'x_user', U&'evil\2066x')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'x_user', 'X', repeat('b', 501))$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'x_user', 'X', E'tab\there')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'x_user', 'X', U&'rlo\202E')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'x_user', 'X', '', 'http://a.example/x.png')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'x_user', 'X', '', 'https:///x.png')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'x_user', 'X', '', 'https://a.example/a b.png')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'x_user', 'X', '', 'https://a.example/' || repeat('p', 2031))$$,
  $$SELECT profile.update_profile('c0000000-0000-4000-8000-000000000001', display_name => '')$$,
  $$SELECT profile.add_contact('c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001')$$,
  $$SELECT profile.add_contact('c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002')$$,
  $$SELECT profile.add_contact('c0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001', nickname => repeat('n', 65))$$,
  $$SELECT profile.block_user('c0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000002')$$,
  $$SELECT profile.block_user('c0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001', repeat('r', 501))$$,
  $$SELECT profile.list_contacts('c0000000-0000-4000-8000-000000000001', "limit" => 0)$$,
  $$SELECT profile.list_blocks('c0000000-0000-4000-8000-000000000001', "limit" => 1001)$$,
  $$SELECT profile.get_profile('c0000000-0000-4000-8000-000000000001', viewer => '00000000-0000-0000-0000-000000000000')$$,
  $$SELECT profile.purge_outbox('-1 hour')$$,
  $$UPDATE profile.profiles SET user_id = 'c0000000-0000-4000-8000-000000000009' WHERE username = 'grace'$$,
  $$UPDATE profile.blocks SET blocked_user_id = 'c0000000-0000-4000-8000-000000000009' WHERE user_id = 'c0000000-0000-4000-8000-000000000001'$$,
  -- 23505 unique_violation
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000009', 'GRACE', 'X')$$,
  $$SELECT profile.create_profile('c0000000-0000-4000-8000-000000000001', 'x_user', 'X')$$,
  $$SELECT profile.update_profile('c0000000-0000-4000-8000-000000000002', username => 'Grace')$$,
  $$SELECT profile.block_user('c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002')$$,
  -- P0002 no_data_found
  $$SELECT profile.update_profile('c0000000-0000-4000-8000-000000000009', bio => 'x')$$,
  $$SELECT profile.set_status('c0000000-0000-4000-8000-000000000009', 'online')$$,
  $$SELECT profile.add_contact('c0000000-0000-4000-8000-000000000009', 'c0000000-0000-4000-8000-000000000001')$$,
  $$SELECT profile.add_contact('c0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000009')$$,
  $$SELECT profile.update_contact('c0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001', nickname => 'x')$$,
  $$SELECT profile.block_user('c0000000-0000-4000-8000-000000000009', 'c0000000-0000-4000-8000-000000000001')$$,
  $$SELECT profile.block_user('c0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000009')$$,
  -- 0A000: TRUNCATE would bypass the events
  $$TRUNCATE profile.contacts$$
]) AS c;

-- Settings keep sane bounds
SELECT pg_temp.try($$SET realchat_profile.topic = 'bad topic'$$);
SELECT pg_temp.try($$SET realchat_profile.max_contacts = -1$$);
SELECT pg_temp.try($$SET realchat_profile.notify_channel = ''$$);

-- Failed statements at top level, outside any savepoint, leave nothing either
\set VERBOSITY terse
SELECT profile.block_user('c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002');
INSERT INTO profile.contacts (user_id, contact_user_id) VALUES
  ('c0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001'),
  ('c0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000002');
\set VERBOSITY default

SELECT b.events = (SELECT count(*) FROM profile.outbox) AS no_event,
       b.profiles = (SELECT count(*) FROM profile.profiles) AS no_profile,
       b.contacts = (SELECT count(*) FROM profile.contacts) AS no_contact,
       b.blocks = (SELECT count(*) FROM profile.blocks) AS no_block,
       b.versions = (SELECT array_agg(version ORDER BY user_id) FROM profile.profiles) AS versions_kept
FROM before b;

-- 23505 for a duplicate contact, 54000 for the limits
SELECT 1 FROM profile.add_contact('c0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001');
SELECT pg_temp.try($$SELECT profile.add_contact('c0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001')$$);
SELECT 1 FROM profile.create_profile('c0000000-0000-4000-8000-000000000003', 'ivan', 'Ivan');
SET realchat_profile.max_contacts = 1;
SET realchat_profile.max_blocks = 1;
SELECT pg_temp.try($$SELECT profile.add_contact('c0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000003')$$);
SELECT pg_temp.try($$SELECT profile.block_user('c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000003')$$);
RESET realchat_profile.max_contacts;
RESET realchat_profile.max_blocks;

-- the limit holds within one multi-row statement too
SET realchat_profile.max_contacts = 1;
SELECT pg_temp.try($$INSERT INTO profile.contacts (user_id, contact_user_id) VALUES
  ('c0000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000001'),
  ('c0000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000002')$$);
RESET realchat_profile.max_contacts;
-- last_seen set by hand must be a finite time
SELECT pg_temp.try($$UPDATE profile.profiles SET last_seen = '-infinity' WHERE username = 'grace'$$);
