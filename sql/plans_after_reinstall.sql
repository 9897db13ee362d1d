-- Saved plans outlive no object they name: a session that used every
-- function, then saw DROP EXTENSION and CREATE EXTENSION, calls them all
-- again. (set_status's plan once kept the dropped profile.presence's OID and
-- failed with "cache lookup failed for type".) In a database of its own, so
-- the reinstall touches no other test's data.
CREATE DATABASE plans_after_reinstall;
\set regression_db :DBNAME
\c plans_after_reinstall
SET client_min_messages = warning;
CREATE EXTENSION realchat_profile CASCADE;
SELECT username, version FROM profile.create_profile('c1000000-0000-4000-8000-000000000001', 'carol', 'Carol');
SELECT username, version FROM profile.create_profile('c1000000-0000-4000-8000-000000000002', 'dave', 'Dave');
SELECT bio, version FROM profile.update_profile('c1000000-0000-4000-8000-000000000001', bio => 'hi');
SELECT status, version FROM profile.set_status('c1000000-0000-4000-8000-000000000001', 'online');
SELECT status, version FROM profile.set_status('c1000000-0000-4000-8000-000000000001', 'offline');
SELECT nickname FROM profile.add_contact('c1000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000002', nickname => 'D');
SELECT is_favorite FROM profile.update_contact('c1000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000002', is_favorite => true);
SELECT username, status FROM profile.list_contacts('c1000000-0000-4000-8000-000000000001');
SELECT username FROM profile.get_profile('c1000000-0000-4000-8000-000000000002', viewer => 'c1000000-0000-4000-8000-000000000001');
SELECT username FROM profile.get_profiles(ARRAY['c1000000-0000-4000-8000-000000000001']::uuid[]);
SELECT username FROM profile.find_profile_by_username('DAVE');
SELECT blocked_user_id FROM profile.block_user('c1000000-0000-4000-8000-000000000002', 'c1000000-0000-4000-8000-000000000001');
SELECT blocked_user_id FROM profile.list_blocks('c1000000-0000-4000-8000-000000000002');
SELECT profile.is_blocked('c1000000-0000-4000-8000-000000000002', 'c1000000-0000-4000-8000-000000000001'),
       profile.can_interact('c1000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000002');
SELECT profile.unblock_user('c1000000-0000-4000-8000-000000000002', 'c1000000-0000-4000-8000-000000000001');
SELECT profile.remove_contact('c1000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000002');
-- by hand: the triggers' own plans
UPDATE profile.profiles SET display_name = 'Dave D.' WHERE username = 'dave';
SELECT profile.delete_profile('c1000000-0000-4000-8000-000000000002');
SELECT pending, quarantined FROM profile.outbox_stats();
SELECT profile.purge_outbox('1 day'), profile.request_wakeup();
SELECT key, payload->>'event_type' AS type, payload->>'version' AS version FROM profile.outbox ORDER BY id;

DROP EXTENSION realchat_profile;
CREATE EXTENSION realchat_profile CASCADE;

-- the same session: every call works and the events start again at version 1
SELECT username, version FROM profile.create_profile('c1000000-0000-4000-8000-000000000001', 'carol', 'Carol');
SELECT username, version FROM profile.create_profile('c1000000-0000-4000-8000-000000000002', 'dave', 'Dave');
SELECT bio, version FROM profile.update_profile('c1000000-0000-4000-8000-000000000001', bio => 'hi');
SELECT status, version FROM profile.set_status('c1000000-0000-4000-8000-000000000001', 'online');
SELECT status, version FROM profile.set_status('c1000000-0000-4000-8000-000000000001', 'offline');
SELECT nickname FROM profile.add_contact('c1000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000002', nickname => 'D');
SELECT is_favorite FROM profile.update_contact('c1000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000002', is_favorite => true);
SELECT username, status FROM profile.list_contacts('c1000000-0000-4000-8000-000000000001');
SELECT username FROM profile.get_profile('c1000000-0000-4000-8000-000000000002', viewer => 'c1000000-0000-4000-8000-000000000001');
SELECT username FROM profile.get_profiles(ARRAY['c1000000-0000-4000-8000-000000000001']::uuid[]);
SELECT username FROM profile.find_profile_by_username('DAVE');
SELECT blocked_user_id FROM profile.block_user('c1000000-0000-4000-8000-000000000002', 'c1000000-0000-4000-8000-000000000001');
SELECT blocked_user_id FROM profile.list_blocks('c1000000-0000-4000-8000-000000000002');
SELECT profile.is_blocked('c1000000-0000-4000-8000-000000000002', 'c1000000-0000-4000-8000-000000000001'),
       profile.can_interact('c1000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000002');
SELECT profile.unblock_user('c1000000-0000-4000-8000-000000000002', 'c1000000-0000-4000-8000-000000000001');
SELECT profile.remove_contact('c1000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000002');
-- by hand: the triggers' own plans
UPDATE profile.profiles SET display_name = 'Dave D.' WHERE username = 'dave';
SELECT profile.delete_profile('c1000000-0000-4000-8000-000000000002');
SELECT pending, quarantined FROM profile.outbox_stats();
SELECT profile.purge_outbox('1 day'), profile.request_wakeup();
SELECT key, payload->>'event_type' AS type, payload->>'version' AS version FROM profile.outbox ORDER BY id;

\c :regression_db
DROP DATABASE plans_after_reinstall;
