-- Events: envelope, payload of every type, hand-made DML, delete cascade.
CREATE TEMP TABLE mark AS SELECT coalesce(max(id), 0) AS start FROM profile.outbox;
CREATE TEMP VIEW ev AS
  SELECT substr(key, 35) AS who, payload->>'event_type' AS type, (payload->>'version')::int AS version,
         (payload->'data') - 'last_seen'::text AS data
  FROM profile.outbox WHERE id > (SELECT start FROM mark) ORDER BY id;

SELECT 1 FROM profile.create_profile('b0000000-0000-4000-8000-000000000001', 'carol', 'Carol', 'line one' || E'\n' || 'line two');
SELECT 1 FROM profile.create_profile('b0000000-0000-4000-8000-000000000002', 'dave', 'Dave');
SELECT 1 FROM profile.create_profile('b0000000-0000-4000-8000-000000000003', 'erin', 'Erin');

-- The envelope: exact members, key = user_id, topic, uuid v4 event ids, RFC 3339 UTC times
SELECT count(*) AS events,
       bool_and(key = payload->>'user_id') AS key_is_user,
       bool_and(topic = 'profile.events') AS topic,
       bool_and(payload->>'event_id' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$') AS event_id_v4,
       bool_and(payload->>'occurred_at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$') AS occurred_at_utc,
       bool_and((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(payload) k)
                = '{data,event_id,event_type,occurred_at,user_id,version}') AS members,
       count(DISTINCT payload->>'event_id') = count(*) AS unique_ids
FROM profile.outbox WHERE id > (SELECT start FROM mark);

-- Every event type through the API
SELECT 1 FROM profile.update_profile('b0000000-0000-4000-8000-000000000001', display_name => 'Carol C', avatar_url => 'https://x.example/c.jpg');
SELECT 1 FROM profile.set_status('b0000000-0000-4000-8000-000000000001', 'away');
SELECT 1 FROM profile.add_contact('b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002', nickname => ' D ');
SELECT 1 FROM profile.add_contact('b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000003', is_favorite => true);
SELECT 1 FROM profile.update_contact('b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002', nickname => 'Davey', is_favorite => true);
SELECT 1 FROM profile.update_contact('b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002', nickname => '');
-- unchanged: no event
SELECT 1 FROM profile.update_contact('b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002', is_favorite => true);
SELECT profile.remove_contact('b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002');
SELECT profile.remove_contact('b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002');
SELECT 1 FROM profile.block_user('b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000003', 'spam');
SELECT profile.unblock_user('b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000003');
SELECT profile.unblock_user('b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000003');
SELECT * FROM ev;
SELECT payload->'data'->>'last_seen' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$' AS last_seen_format
FROM profile.outbox WHERE id > (SELECT start FROM mark) AND payload->>'event_type' = 'PresenceChanged';

-- Hand-made DML emits the same events
UPDATE mark SET start = (SELECT max(id) FROM profile.outbox);
INSERT INTO profile.profiles (user_id, username, display_name) VALUES ('b0000000-0000-4000-8000-000000000004', 'frank', ' Frank ');
UPDATE profile.profiles SET bio = 'by hand', version = 99 WHERE user_id = 'b0000000-0000-4000-8000-000000000004';
UPDATE profile.profiles SET status = 'online' WHERE user_id = 'b0000000-0000-4000-8000-000000000004';
-- a hand-made version change alone is ignored
UPDATE profile.profiles SET version = 1000 WHERE user_id = 'b0000000-0000-4000-8000-000000000004';
INSERT INTO profile.contacts (user_id, contact_user_id, nickname) VALUES ('b0000000-0000-4000-8000-000000000004', 'b0000000-0000-4000-8000-000000000001', 'C');
UPDATE profile.contacts SET is_favorite = true WHERE user_id = 'b0000000-0000-4000-8000-000000000004';
INSERT INTO profile.blocks (user_id, blocked_user_id) VALUES ('b0000000-0000-4000-8000-000000000004', 'b0000000-0000-4000-8000-000000000002');
DELETE FROM profile.blocks WHERE user_id = 'b0000000-0000-4000-8000-000000000004';
DELETE FROM profile.contacts WHERE user_id = 'b0000000-0000-4000-8000-000000000004';
SELECT display_name, version FROM profile.profiles WHERE user_id = 'b0000000-0000-4000-8000-000000000004';
SELECT * FROM ev;

-- delete_profile: the user's contacts and blocks go, and every other user's contact entry for them,
-- each an event in its owner's stream; ProfileDeleted comes last
UPDATE mark SET start = (SELECT max(id) FROM profile.outbox);
SELECT 1 FROM profile.add_contact('b0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000001');
SELECT 1 FROM profile.add_contact('b0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000003');
SELECT 1 FROM profile.block_user('b0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000004');
SELECT 1 FROM profile.add_contact('b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002');
SELECT 1 FROM profile.add_contact('b0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000002');
-- a block of the deleted user by someone else stays
SELECT 1 FROM profile.block_user('b0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000002');
UPDATE mark SET start = (SELECT max(id) FROM profile.outbox);
SELECT profile.delete_profile('b0000000-0000-4000-8000-000000000002');
SELECT profile.delete_profile('b0000000-0000-4000-8000-000000000002');
SELECT * FROM ev;
SELECT count(*) AS contacts_left FROM profile.contacts
WHERE 'b0000000-0000-4000-8000-000000000002' IN (user_id, contact_user_id);
SELECT user_id, blocked_user_id FROM profile.blocks WHERE 'b0000000-0000-4000-8000-000000000002' IN (user_id, blocked_user_id);
-- by hand, the same cascade
UPDATE mark SET start = (SELECT max(id) FROM profile.outbox);
DELETE FROM profile.profiles WHERE user_id = 'b0000000-0000-4000-8000-000000000004';
SELECT * FROM ev;

-- Versions of every user in this file: 1..n in id order, no gap
SELECT key, bool_and(version = rn) AS gapless
FROM (SELECT key, (payload->>'version')::int AS version, row_number() OVER (PARTITION BY key ORDER BY id) AS rn
      FROM profile.outbox WHERE key LIKE 'b0000000-%') s
GROUP BY key ORDER BY key;
