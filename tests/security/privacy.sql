-- privacy.sql (as app_login, a member of profile_app): the privacy and social-graph functions
-- work for applications, and none of them tells a viewer what rules 1 and 5 hide: a viewer that
-- A blocks, and a stranger looking for a user who is not discoverable, learn nothing through
-- search_profiles, find_profile_by_username, relationships, get_profile or an error message.
\ir helpers.sql
\set a '''a2000000-0000-4000-8000-00000000000a'''
\set v '''a2000000-0000-4000-8000-00000000000b'''
\set s '''a2000000-0000-4000-8000-00000000000c'''
\set h '''a2000000-0000-4000-8000-00000000000d'''
\set f '''a2000000-0000-4000-8000-00000000000e'''
\set x '''a2000000-0000-4000-8000-00000000000f'''

-- A blocks V; H is not discoverable and has F as a contact; X is a plain stranger to V.
SELECT pg_temp.expect_ok('create_profile ' || n, format($$SELECT profile.create_profile(%L, %L, %L)$$, id, n, d))
FROM (VALUES (:a::uuid, 'priv_alex', 'Alex Quill'), (:v, 'priv_viewer', 'Viewer'), (:s, 'priv_sam', 'Sam'),
             (:h, 'priv_hidden', 'Hidden Quill'), (:f, 'priv_friend', 'Friend'), (:x, 'priv_xena', 'Xena Quill')) t(id, n, d);
SELECT pg_temp.expect_ok('set_status', format($$SELECT profile.set_status(%L, 'online')$$, id))
FROM unnest(ARRAY[:a, :h, :x]::uuid[]) id;
SELECT pg_temp.expect_true('set_privacy', format($$SELECT NOT (profile.set_privacy(%L, discoverable => false)).discoverable$$, :h));
SELECT pg_temp.expect_ok('add_contact', format($$SELECT profile.add_contact(%L, %L)$$, :h, :f));
SELECT pg_temp.expect_ok('block_user', format($$SELECT profile.block_user(%L, %L)$$, :a, :v));
SELECT pg_temp.expect_true('mute_user', format($$SELECT (profile.mute_user(%L, %L)).muted_user_id = %L$$, :s, :x, :x));
SELECT pg_temp.expect_true('is_muted', format($$SELECT profile.is_muted(%L, %L)$$, :s, :x));
SELECT pg_temp.expect_true('list_mutes', format($$SELECT array_agg(muted_user_id) = ARRAY[%L]::uuid[] FROM profile.list_mutes(%L)$$, :x, :s));
SELECT pg_temp.expect_true('unmute_user', format($$SELECT profile.unmute_user(%L, %L)$$, :s, :x));

-- Rule 1: the blocked viewer sees A offline without last_seen, and never finds A by search.
SELECT pg_temp.expect_true('blocked viewer: get_profile masked',
  format($$SELECT status = 'offline' AND last_seen IS NULL AND status_text IS NULL FROM profile.get_profile(%L, %L)$$, :a, :v));
SELECT pg_temp.expect_true('blocked viewer: find_profile_by_username masked like get_profile',
  format($$SELECT status = 'offline' AND last_seen IS NULL FROM profile.find_profile_by_username('priv_alex', %L)$$, :v));
SELECT pg_temp.expect_true('blocked viewer: search by username finds nothing',
  format($$SELECT count(*) = 0 FROM profile.search_profiles('priv_alex', %L)$$, :v));
SELECT pg_temp.expect_true('blocked viewer: search by display name finds the others only',
  format($$SELECT array_agg(username ORDER BY username) = ARRAY['priv_xena'] FROM profile.search_profiles('quill', %L)$$, :v));
-- relationships shows V exactly what it shows for a stranger who does not block V.
SELECT pg_temp.expect_true('blocked viewer: relationships row equals a stranger''s',
  format($$SELECT (SELECT ROW(is_contact, is_favorite, contact_of, blocking, muting, muted_until)::text
                   FROM profile.relationships(%L, ARRAY[%L]::uuid[]))
                = (SELECT ROW(is_contact, is_favorite, contact_of, blocking, muting, muted_until)::text
                   FROM profile.relationships(%L, ARRAY[%L]::uuid[]))$$, :v, :a, :v, :x));
-- Muting or adding the blocker succeeds as it does for anyone: no error reveals the block.
SELECT pg_temp.expect_ok('blocked viewer: mute_user of the blocker succeeds', format($$SELECT profile.mute_user(%L, %L)$$, :v, :a));
SELECT pg_temp.expect_ok('blocked viewer: add_contact of the blocker succeeds', format($$SELECT profile.add_contact(%L, %L)$$, :v, :a));
SELECT pg_temp.expect_true('blocked viewer: list_contacts masks the blocker',
  format($$SELECT status = 'offline' AND last_seen IS NULL FROM profile.list_contacts(%L) WHERE contact_user_id = %L$$, :v, :a));

-- Rule 5: a stranger finds H neither by username nor by search; H's contact does.
SELECT pg_temp.expect_true('not discoverable: find_profile_by_username finds nothing for a stranger',
  format($$SELECT count(*) = 0 FROM profile.find_profile_by_username('priv_hidden', %L)$$, :v));
SELECT pg_temp.expect_true('not discoverable: the answer equals that for a user who does not exist',
  format($$SELECT (SELECT count(*) FROM profile.find_profile_by_username('priv_hidden', %L))
                = (SELECT count(*) FROM profile.find_profile_by_username('priv_nobody', %L))$$, :v, :v));
SELECT pg_temp.expect_true('not discoverable: search finds nothing for a stranger',
  format($$SELECT count(*) = 0 FROM profile.search_profiles('priv_hidden', %L)$$, :v));
SELECT pg_temp.expect_true('not discoverable: search by display name leaves H out',
  format($$SELECT NOT (%L = ANY (array_agg(user_id))) FROM profile.search_profiles('quill', %L)$$, :h, :s));
SELECT pg_temp.expect_true('not discoverable: the contact finds H',
  format($$SELECT count(*) = 1 FROM profile.find_profile_by_username('priv_hidden', %L)$$, :f));
SELECT pg_temp.expect_true('not discoverable: the contact finds H by search',
  format($$SELECT count(*) = 1 FROM profile.search_profiles('hidden quill', %L)$$, :f));

-- Errors name the argument, never another user's settings.
SELECT pg_temp.expect_error('search_profiles: a bad query is 22023', $$SELECT profile.search_profiles('')$$, '22023');
SELECT pg_temp.expect_error('relationships: 1001 ids is 54000',
  format($$SELECT profile.relationships(%L, array_fill(%L::uuid, ARRAY[1001]))$$, :v, :a), '54000');

-- No direct access to the mutes table either.
SELECT pg_temp.expect_error('no SELECT on profile.mutes', 'SELECT * FROM profile.mutes', '42501');
SELECT pg_temp.expect_error('no INSERT into profile.mutes',
  format($$INSERT INTO profile.mutes (user_id, muted_user_id) VALUES (%L, %L)$$, :s, :x), '42501');
