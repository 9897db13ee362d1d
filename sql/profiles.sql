-- Profiles: create, read, update, presence; versions and normalisation.
CREATE TEMP TABLE mark AS SELECT coalesce(max(id), 0) AS start FROM profile.outbox;
CREATE TEMP VIEW ev AS
  SELECT key, payload->>'event_type' AS type, (payload->>'version')::int AS version,
         (payload->'data') - 'last_seen'::text AS data, payload->'data'->>'last_seen' IS NOT NULL AS seen
  FROM profile.outbox WHERE id > (SELECT start FROM mark) ORDER BY id;

SELECT user_id, username, display_name, bio, avatar_url, status, last_seen, version,
       created_at = updated_at AS fresh
FROM profile.create_profile(user_id => 'a0000000-0000-4000-8000-000000000001', username => 'Alice_1',
                            display_name => '  Alice  ', bio => 'cafe' || U&'\0301', avatar_url => 'https://cdn.example.com/a.png');
-- NFC: 'e' + combining acute is stored as one code point
SELECT bio = U&'caf\00E9' AS nfc, length(bio) FROM profile.profiles WHERE user_id = 'a0000000-0000-4000-8000-000000000001';
SELECT username, display_name, bio, avatar_url, version
FROM profile.create_profile('a0000000-0000-4000-8000-000000000002', 'bob', 'Bob');

-- Reads
SELECT username, version FROM profile.get_profile('a0000000-0000-4000-8000-000000000001');
SELECT count(*) FROM profile.get_profile('a0000000-0000-4000-8000-0000000000ff');
SELECT username FROM profile.get_profiles(ARRAY['a0000000-0000-4000-8000-000000000002',
                                                'a0000000-0000-4000-8000-0000000000ff',
                                                'a0000000-0000-4000-8000-000000000001']::uuid[]);
SELECT count(*) FROM profile.get_profiles('{}'::uuid[]);
SELECT username FROM profile.find_profile_by_username('ALICE_1');
SELECT count(*) FROM profile.find_profile_by_username('nobody');

-- Updates: null leaves a field alone, '' clears bio and avatar_url
SELECT display_name, bio, avatar_url, version
FROM profile.update_profile('a0000000-0000-4000-8000-000000000001', display_name => 'Alice A.');
SELECT display_name, bio, avatar_url, version
FROM profile.update_profile('a0000000-0000-4000-8000-000000000001', bio => '', avatar_url => '');
-- a change that changes nothing emits nothing and keeps the version
SELECT version FROM profile.update_profile('a0000000-0000-4000-8000-000000000001', display_name => ' Alice A. ');
SELECT version FROM profile.update_profile('a0000000-0000-4000-8000-000000000001');
-- a username change of case only is a change; its own old name is not "taken"
SELECT username, version FROM profile.update_profile('a0000000-0000-4000-8000-000000000001', username => 'alice_1');

-- Presence: last_seen is set when going online and when going offline
SELECT status, last_seen IS NOT NULL AS seen, last_seen <= clock_timestamp() AS not_future, version
FROM profile.set_status('a0000000-0000-4000-8000-000000000001', 'online');
SELECT last_seen AS first_seen FROM profile.profiles WHERE user_id = 'a0000000-0000-4000-8000-000000000001' \gset
-- same status again: a heartbeat that moves last_seen but emits no event
SELECT status, last_seen > :'first_seen' AS moved, version
FROM profile.set_status('a0000000-0000-4000-8000-000000000001', 'online');
SELECT status, version FROM profile.set_status('a0000000-0000-4000-8000-000000000001', 'busy');
SELECT status, last_seen IS NOT NULL AS seen, version FROM profile.set_status('a0000000-0000-4000-8000-000000000001', 'offline');
-- offline again changes nothing
SELECT version FROM profile.set_status('a0000000-0000-4000-8000-000000000001', 'offline');

-- updated_at moves only with events
SELECT updated_at > created_at AS touched FROM profile.profiles WHERE user_id = 'a0000000-0000-4000-8000-000000000001';

SELECT * FROM ev;
-- versions of each user run 1..n with no gap
SELECT key, array_agg(version ORDER BY version) FROM ev GROUP BY key ORDER BY key;
