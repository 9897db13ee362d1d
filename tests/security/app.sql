-- app.sql (as app_login, a member of profile_app): every API function works; nothing else does.
\ir helpers.sql
\set u1 '''a1000000-0000-4000-8000-000000000001'''
\set u2 '''a1000000-0000-4000-8000-000000000002'''
\set u3 '''a1000000-0000-4000-8000-000000000003'''

-- The API, each function once, in an order that makes every call meaningful.
SELECT pg_temp.expect_true('create_profile',
  format($$SELECT (profile.create_profile(user_id => %L, username => 'app_one', display_name => 'One')).version = 1$$, :u1));
SELECT pg_temp.expect_ok('create_profile (second user)',
  format($$SELECT profile.create_profile(%L, 'app_two', 'Two', bio => 'hi', avatar_url => 'https://example.org/a.png')$$, :u2));
SELECT pg_temp.expect_ok('create_profile (third user)', format($$SELECT profile.create_profile(%L, 'app_three', 'Three')$$, :u3));
SELECT pg_temp.expect_true('get_profile', format($$SELECT username = 'app_one' FROM profile.get_profile(%L)$$, :u1));
SELECT pg_temp.expect_true('get_profile with viewer', format($$SELECT count(*) = 1 FROM profile.get_profile(%L, viewer => %L)$$, :u1, :u2));
SELECT pg_temp.expect_true('get_profiles',
  format($$SELECT count(*) = 2 FROM profile.get_profiles(ARRAY[%L, %L]::uuid[])$$, :u1, :u2));
SELECT pg_temp.expect_true('find_profile_by_username',
  format($$SELECT user_id = %L FROM profile.find_profile_by_username('APP_ONE')$$, :u1));
SELECT pg_temp.expect_true('update_profile',
  format($$SELECT (profile.update_profile(%L, bio => 'new bio')).bio = 'new bio'$$, :u1));
SELECT pg_temp.expect_true('set_status',
  format($$SELECT (profile.set_status(%L, 'online')).status = 'online'$$, :u1));
SELECT pg_temp.expect_true('add_contact',
  format($$SELECT (profile.add_contact(%L, %L, nickname => 'Twosie')).nickname = 'Twosie'$$, :u1, :u2));
SELECT pg_temp.expect_true('update_contact',
  format($$SELECT (profile.update_contact(%L, %L, is_favorite => true)).is_favorite$$, :u1, :u2));
SELECT pg_temp.expect_true('list_contacts',
  format($$SELECT array_agg(contact_user_id) = ARRAY[%L]::uuid[] FROM profile.list_contacts(%L)$$, :u2, :u1));
SELECT pg_temp.expect_true('block_user',
  format($$SELECT (profile.block_user(%L, %L, reason => 'spam')).reason = 'spam'$$, :u1, :u3));
SELECT pg_temp.expect_true('list_blocks',
  format($$SELECT array_agg(blocked_user_id) = ARRAY[%L]::uuid[] FROM profile.list_blocks(%L)$$, :u3, :u1));
SELECT pg_temp.expect_true('is_blocked', format($$SELECT profile.is_blocked(%L, %L)$$, :u1, :u3));
SELECT pg_temp.expect_true('can_interact', format($$SELECT NOT profile.can_interact(%L, %L) AND profile.can_interact(%L, %L)$$, :u3, :u1, :u1, :u2));
SELECT pg_temp.expect_true('unblock_user', format($$SELECT profile.unblock_user(%L, %L)$$, :u1, :u3));
SELECT pg_temp.expect_true('remove_contact', format($$SELECT profile.remove_contact(%L, %L)$$, :u1, :u2));
SELECT pg_temp.expect_true('delete_profile', format($$SELECT profile.delete_profile(%L)$$, :u3));
-- Errors keep the contract's SQLSTATEs for this role too.
SELECT pg_temp.expect_error('a taken username is 23505',
  format($$SELECT profile.create_profile(%L, 'APP_one', 'Again')$$, :u3), '23505');
SELECT pg_temp.expect_error('an unknown user is P0002',
  $$SELECT profile.update_profile('a1000000-0000-4000-8000-0000000000ff', bio => 'x')$$, 'P0002');

-- No direct access to any table.
SELECT pg_temp.expect_error('no SELECT on profile.' || t, format('SELECT * FROM profile.%I', t), '42501')
FROM unnest(ARRAY['profiles', 'contacts', 'blocks', 'outbox']) t;
SELECT pg_temp.expect_error('no DELETE on profile.' || t, format('DELETE FROM profile.%I', t), '42501')
FROM unnest(ARRAY['profiles', 'contacts', 'blocks', 'outbox']) t;
SELECT pg_temp.expect_error('no TRUNCATE on profile.' || t, format('TRUNCATE profile.%I', t), '42501')
FROM unnest(ARRAY['profiles', 'contacts', 'blocks', 'outbox']) t;
SELECT pg_temp.expect_error('no INSERT into profile.profiles',
  $$INSERT INTO profile.profiles (user_id, username, display_name) VALUES ('a1000000-0000-4000-8000-000000000009', 'sneaky', 'S')$$, '42501');
SELECT pg_temp.expect_error('no UPDATE of profile.profiles', format($$UPDATE profile.profiles SET bio = 'x' WHERE user_id = %L$$, :u1), '42501');
SELECT pg_temp.expect_error('no UPDATE of profile.profiles without a WHERE', $$UPDATE profile.profiles SET version = 0$$, '42501');
SELECT pg_temp.expect_error('no INSERT into profile.contacts',
  format($$INSERT INTO profile.contacts (user_id, contact_user_id) VALUES (%L, %L)$$, :u1, :u2), '42501');
SELECT pg_temp.expect_error('no UPDATE of profile.contacts', $$UPDATE profile.contacts SET nickname = 'x'$$, '42501');
SELECT pg_temp.expect_error('no INSERT into profile.blocks',
  format($$INSERT INTO profile.blocks (user_id, blocked_user_id) VALUES (%L, %L)$$, :u1, :u2), '42501');
SELECT pg_temp.expect_error('no UPDATE of profile.blocks', $$UPDATE profile.blocks SET reason = 'x'$$, '42501');
SELECT pg_temp.expect_error('no INSERT into profile.outbox',
  $$INSERT INTO profile.outbox (topic, key, payload) VALUES ('profile.events', 'k', '{}')$$, '42501');
SELECT pg_temp.expect_error('no UPDATE of profile.outbox', $$UPDATE profile.outbox SET published_at = now()$$, '42501');
SELECT pg_temp.expect_error('no nextval on the outbox id sequence', $$SELECT nextval('profile.outbox_id_seq')$$, '42501');

-- Not the publisher's or the operator's functions.
SELECT pg_temp.expect_error('no EXECUTE on ' || f, 'SELECT * FROM ' || f, '42501')
FROM unnest(ARRAY['profile.request_wakeup()', 'profile.outbox_stats()', $$profile.purge_outbox('1 day')$$,
                  'profile.wakeup_stats()']) f;

-- No way around it: no other role to become, no settings to change, nothing to create.
SELECT pg_temp.expect_error('cannot SET ROLE profile_publisher', 'SET ROLE profile_publisher', '42501');
SELECT pg_temp.expect_error('cannot SET ROLE profile_admin', 'SET ROLE profile_admin', '42501');
SELECT pg_temp.expect_error('cannot redirect events (realchat_profile.topic)', $$SET realchat_profile.topic = 'elsewhere'$$, '42501');
SELECT pg_temp.expect_error('cannot lift the contacts limit', 'SET realchat_profile.max_contacts = 1000000', '42501');
SELECT pg_temp.expect_error('cannot rename the NOTIFY channel', $$SET realchat_profile.notify_channel = 'x'$$, '42501');
SELECT pg_temp.expect_error('cannot create objects in schema profile', 'CREATE TABLE profile.mine (x int)', '42501');
SELECT pg_temp.expect_error('cannot replace an API function',
  $$CREATE OR REPLACE FUNCTION profile.is_blocked(user_id uuid, other uuid) RETURNS boolean LANGUAGE sql AS 'SELECT false'$$, '42501');
SELECT pg_temp.expect_error('cannot drop a table of the schema', 'DROP TABLE profile.outbox', '42501');
SELECT pg_temp.expect_error('cannot disable the event triggers', 'ALTER TABLE profile.profiles DISABLE TRIGGER ALL', '42501');
