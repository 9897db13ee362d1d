-- hijack_calls.sql (as mallory, search_path = pg_temp, mallory, public, pg_catalog): first shows
-- that the planted objects do take over unqualified names in this session, then calls every API
-- function and keeps what it returned in mallory.results for hijack_verify.sql to judge.
\ir helpers.sql

-- Temporary tables with the extension's names come first of all for relation names.
CREATE TEMP TABLE profiles (LIKE mallory.profiles INCLUDING ALL);
INSERT INTO pg_temp.profiles SELECT * FROM mallory.profiles;
CREATE TEMP TABLE outbox (LIKE mallory.outbox INCLUDING ALL);
INSERT INTO pg_temp.outbox SELECT * FROM mallory.outbox;
CREATE TEMP TABLE contacts (LIKE mallory.contacts INCLUDING ALL);
CREATE TEMP TABLE blocks (LIKE mallory.blocks INCLUDING ALL);
CREATE TEMP TABLE profile_outbox (LIKE mallory.outbox INCLUDING ALL);

-- Control: the same unqualified names, used by this session, reach the planted objects.
SELECT lower('ABC') AS planted_lower, 'x'::text = 'x'::text AS planted_text_eq,
       'b1000000-0000-4000-8000-000000000001'::uuid = 'b1000000-0000-4000-8000-000000000001'::uuid AS planted_uuid_eq,
       now() IS NOT NULL AS planted_now, 'busy'::profile.presence <> 'online'::profile.presence AS planted_enum_ne,
       (SELECT count(*) FROM profiles) AS planted_count;
SELECT pg_temp.check('control: planted objects in schema mallory shadow the built-ins here',
  (SELECT pg_catalog.array_agg(DISTINCT what ORDER BY what) FROM mallory.hijack_log WHERE schema_name OPERATOR(pg_catalog.=) 'mallory')
    OPERATOR(pg_catalog.@>) ARRAY['lower(text)', '=(text,text)', '=(uuid,uuid)', 'now()', '<>(presence,presence)', 'count(*)'],
  format('log: %s', (SELECT pg_catalog.string_agg(what, ', ') FROM mallory.hijack_log)));
SET search_path = public, pg_catalog;
SELECT lower('ABC') AS planted_lower, 'x'::text = 'x'::text AS planted_text_eq;
RESET search_path;
SELECT pg_temp.check('control: planted objects in public shadow the built-ins here',
  (SELECT pg_catalog.array_agg(DISTINCT what ORDER BY what) FROM mallory.hijack_log WHERE schema_name OPERATOR(pg_catalog.=) 'public')
    OPERATOR(pg_catalog.@>) ARRAY['lower(text)', '=(text,text)']);
SELECT pg_temp.check('control: the temporary decoy table is the one this session sees',
  (SELECT pg_catalog.string_agg(username, ',') FROM profiles) OPERATOR(pg_catalog.=) 'decoy');
DELETE FROM mallory.hijack_log;

-- The API under this search path. Users b1..: 1 is the decoy rows' user id. The statements
-- here use only format(), casts and string_agg(), none of which is planted, so any entry in the
-- log comes from inside the API.
INSERT INTO mallory.results
SELECT 'create_profile 1', format('%s/%s', (p).username, (p).version)
FROM profile.create_profile('b1000000-0000-4000-8000-000000000001', 'Mallory_One', 'Mallory One') p;
INSERT INTO mallory.results
SELECT 'create_profile 2', format('%s/%s/%s', (p).username, (p).display_name, (p).version)
FROM profile.create_profile('b1000000-0000-4000-8000-000000000002', 'mallory_two', '  Mallory Two  ', bio => 'b') p;
INSERT INTO mallory.results
SELECT 'create_profile 3', (p).username FROM profile.create_profile('b1000000-0000-4000-8000-000000000003', 'mallory_three', 'M3') p;
INSERT INTO mallory.results
SELECT 'get_profile', format('%s/%s/%s', username, bio, status) FROM profile.get_profile('b1000000-0000-4000-8000-000000000001');
INSERT INTO mallory.results
SELECT 'get_profiles', string_agg(username, ',' ORDER BY username)
FROM profile.get_profiles(ARRAY['b1000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000002',
                                'b1000000-0000-4000-8000-0000000000ff']::uuid[]);
INSERT INTO mallory.results
SELECT 'find_profile_by_username', string_agg(user_id::text, ',') FROM profile.find_profile_by_username('MALLORY_ONE');
INSERT INTO mallory.results
SELECT 'find_profile_by_username (no match)', coalesce(string_agg(user_id::text, ','), 'none')
FROM profile.find_profile_by_username('decoy');
INSERT INTO mallory.results
SELECT 'update_profile', format('%s/%s/%s', (p).display_name, (p).bio, (p).version)
FROM profile.update_profile('b1000000-0000-4000-8000-000000000001', display_name => 'Renamed', bio => 'hello') p;
INSERT INTO mallory.results
SELECT 'update_profile (no change)', (p).version::text
FROM profile.update_profile('b1000000-0000-4000-8000-000000000001', display_name => 'Renamed') p;
INSERT INTO mallory.results
SELECT 'set_status online', format('%s/%s/%s', (p).status, (p).last_seen IS NOT NULL, (p).version)
FROM profile.set_status('b1000000-0000-4000-8000-000000000001', 'online') p;
INSERT INTO mallory.results
SELECT 'set_status online again', (p).version::text FROM profile.set_status('b1000000-0000-4000-8000-000000000001', 'online') p;
INSERT INTO mallory.results
SELECT 'heartbeat', format('%s/%s/%s', (p).status, (p).last_seen IS NOT NULL, (p).version)
FROM profile.heartbeat('b1000000-0000-4000-8000-000000000001') p;
INSERT INTO mallory.results
SELECT 'add_contact', format('%s/%s', (c).nickname, (c).is_favorite)
FROM profile.add_contact('b1000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000002', nickname => 'Two') c;
INSERT INTO mallory.results
SELECT 'add_contact 3', (c).contact_user_id::text
FROM profile.add_contact('b1000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000003') c;
INSERT INTO mallory.results
SELECT 'update_contact', format('%s/%s', (c).nickname, (c).is_favorite)
FROM profile.update_contact('b1000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000002', is_favorite => true) c;
INSERT INTO mallory.results
SELECT 'relationships', string_agg(format('%s/%s/%s/%s', other, is_contact, is_favorite, contact_of), ',')
FROM profile.relationships('b1000000-0000-4000-8000-000000000001',
                           ARRAY['b1000000-0000-4000-8000-000000000002', 'b1000000-0000-4000-8000-000000000003',
                                 'b1000000-0000-4000-8000-0000000000dd']::uuid[]);
INSERT INTO mallory.results
SELECT 'list_contacts', string_agg(format('%s:%s:%s', contact_user_id, nickname, username), ',' ORDER BY contact_user_id)
FROM profile.list_contacts('b1000000-0000-4000-8000-000000000001');
INSERT INTO mallory.results
SELECT 'list_contacts favorites', string_agg(contact_user_id::text, ',')
FROM profile.list_contacts('b1000000-0000-4000-8000-000000000001', favorites_only => true);
INSERT INTO mallory.results
SELECT 'block_user', format('%s/%s', (b).blocked_user_id, (b).reason)
FROM profile.block_user('b1000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000003', reason => 'why') b;
INSERT INTO mallory.results
SELECT 'list_blocks', string_agg(blocked_user_id::text, ',') FROM profile.list_blocks('b1000000-0000-4000-8000-000000000001');
INSERT INTO mallory.results
SELECT 'is_blocked', format('%s/%s',
  profile.is_blocked('b1000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000003'),
  profile.is_blocked('b1000000-0000-4000-8000-000000000003', 'b1000000-0000-4000-8000-000000000001'));
INSERT INTO mallory.results
SELECT 'can_interact', format('%s/%s',
  profile.can_interact('b1000000-0000-4000-8000-000000000003', 'b1000000-0000-4000-8000-000000000001'),
  profile.can_interact('b1000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000002'));
INSERT INTO mallory.results
SELECT 'get_profile as a blocked viewer', format('%s/%s', status, last_seen IS NULL)
FROM profile.get_profile('b1000000-0000-4000-8000-000000000001', viewer => 'b1000000-0000-4000-8000-000000000003');
INSERT INTO mallory.results
SELECT 'unblock_user', profile.unblock_user('b1000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000003')::text;
INSERT INTO mallory.results
SELECT 'remove_contact', profile.remove_contact('b1000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000002')::text;
INSERT INTO mallory.results
SELECT 'delete_profile', profile.delete_profile('b1000000-0000-4000-8000-000000000003')::text;
INSERT INTO mallory.results
SELECT 'delete_profile (absent)', profile.delete_profile('b1000000-0000-4000-8000-000000000003')::text;
-- Errors still carry the contract's SQLSTATEs (run from here, under this search path).
DO $errors$
BEGIN
  BEGIN
    PERFORM profile.create_profile('b1000000-0000-4000-8000-000000000004', 'mallory_ONE', 'Dup');
    INSERT INTO mallory.results VALUES ('taken username', 'no error');
  EXCEPTION WHEN unique_violation THEN
    INSERT INTO mallory.results VALUES ('taken username', 'unique_violation');
  END;
  BEGIN
    PERFORM profile.add_contact('b1000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-0000000000dd');
    INSERT INTO mallory.results VALUES ('contact with a decoy-only user', 'no error');
  EXCEPTION WHEN no_data_found THEN
    INSERT INTO mallory.results VALUES ('contact with a decoy-only user', 'no_data_found');
  END;
END
$errors$;

SELECT pg_temp.check('no planted object ran during the API calls',
  NOT EXISTS (SELECT FROM mallory.hijack_log),
  format('planted: %s', (SELECT pg_catalog.string_agg(format('%s.%s', schema_name, what), ', ') FROM mallory.hijack_log)));
SELECT pg_temp.check('the temporary decoy tables are untouched',
  (SELECT pg_catalog.count(*) FROM pg_temp.profiles) OPERATOR(pg_catalog.=) 1
  AND (SELECT pg_catalog.count(*) FROM pg_temp.outbox) OPERATOR(pg_catalog.=) 1
  AND NOT EXISTS (SELECT FROM pg_temp.contacts) AND NOT EXISTS (SELECT FROM pg_temp.blocks)
  AND NOT EXISTS (SELECT FROM pg_temp.profile_outbox));
