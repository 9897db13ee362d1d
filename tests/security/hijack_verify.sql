-- hijack_verify.sql (as the superuser, with a clean search path): judges what the API returned
-- to mallory and its victims, and what it wrote.
\ir helpers.sql
SET search_path = pg_catalog, pg_temp;

SELECT pg_temp.check('no planted object was ever called by the API',
  NOT EXISTS (SELECT FROM mallory.hijack_log),
  'planted: ' || (SELECT string_agg(schema_name || '.' || what, ', ') FROM mallory.hijack_log));

WITH expected(label, value) AS (VALUES
  ('create_profile 1', 'Mallory_One/1'),
  ('create_profile 2', 'mallory_two/Mallory Two/1'),
  ('create_profile 3', 'mallory_three'),
  ('get_profile', 'Mallory_One//offline'),
  ('get_profiles', 'Mallory_One,mallory_two'),
  ('find_profile_by_username', 'b1000000-0000-4000-8000-000000000001'),
  ('find_profile_by_username (no match)', 'none'),
  ('update_profile', 'Renamed/hello/2'),
  ('update_profile (no change)', '2'),
  ('set_status online', 'online/t/3'),
  ('set_status online again', '3'),
  ('heartbeat', 'online/t/3'),
  ('add_contact', 'Two/f'),
  ('add_contact 3', 'b1000000-0000-4000-8000-000000000003'),
  ('update_contact', 'Two/t'),
  ('relationships', 'b1000000-0000-4000-8000-000000000002/t/t/f,b1000000-0000-4000-8000-000000000003/t/f/f'),
  ('list_contacts', 'b1000000-0000-4000-8000-000000000002:Two:mallory_two,b1000000-0000-4000-8000-000000000003::mallory_three'),
  ('list_contacts favorites', 'b1000000-0000-4000-8000-000000000002'),
  ('block_user', 'b1000000-0000-4000-8000-000000000003/why'),
  ('list_blocks', 'b1000000-0000-4000-8000-000000000003'),
  ('is_blocked', 't/f'),
  ('can_interact', 'f/t'),
  ('get_profile as a blocked viewer', 'offline/t'),
  ('unblock_user', 'true'),
  ('remove_contact', 'true'),
  ('delete_profile', 'true'),
  ('delete_profile (absent)', 'false'),
  ('taken username', 'unique_violation'),
  ('contact with a decoy-only user', 'no_data_found'))
SELECT pg_temp.check('under a hostile search path, ' || e.label || ' returned the right thing',
                     r.value IS NOT DISTINCT FROM e.value,
                     format('got %s, expected %s', coalesce(r.value, '(no row)'), e.value))
FROM expected e LEFT JOIN mallory.results r USING (label)
ORDER BY e.label;

-- The events: user 1's stream, complete and in order, on the real topic, keyed by the user.
SELECT pg_temp.check('user 1''s events are the expected ones, versions 1..N in id order',
  array_agg(payload->>'event_type' ORDER BY id) = ARRAY['ProfileCreated', 'ProfileUpdated', 'PresenceChanged',
    'ContactAdded', 'ContactAdded', 'ContactUpdated', 'UserBlocked', 'ContactRemoved', 'UserUnblocked',
    'ContactRemoved']
  AND array_agg((payload->>'version')::int ORDER BY id) = ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  AND bool_and(topic = 'profile.events' AND payload->>'user_id' = key),
  string_agg(format('%s v%s', payload->>'event_type', payload->>'version'), ', ' ORDER BY id))
FROM profile.outbox WHERE key = 'b1000000-0000-4000-8000-000000000001';
SELECT pg_temp.check('the victims'' calls wrote their events', count(*) = 5,
                     'rows: ' || count(*))
FROM profile.outbox WHERE key = 'b1000000-0000-4000-8000-000000000011';
SELECT pg_temp.check('the real profiles table holds the real rows',
  (SELECT username FROM profile.profiles WHERE user_id = 'b1000000-0000-4000-8000-000000000001') = 'Mallory_One');

-- Nothing reached the planted tables, in mallory's schema or in public.
SELECT pg_temp.check('planted table ' || t || ' is unchanged', n = 1,
                     n || ' rows')
FROM (VALUES ('mallory.profiles', (SELECT count(*) FROM mallory.profiles)),
             ('mallory.contacts', (SELECT count(*) FROM mallory.contacts)),
             ('mallory.blocks', (SELECT count(*) FROM mallory.blocks)),
             ('mallory.outbox', (SELECT count(*) FROM mallory.outbox)),
             ('mallory.profile_outbox', (SELECT count(*) FROM mallory.profile_outbox)),
             ('public.profiles', (SELECT count(*) FROM public.profiles)),
             ('public.contacts', (SELECT count(*) FROM public.contacts)),
             ('public.blocks', (SELECT count(*) FROM public.blocks)),
             ('public.outbox', (SELECT count(*) FROM public.outbox)),
             ('public.profile_outbox', (SELECT count(*) FROM public.profile_outbox))) v(t, n)
ORDER BY t;

-- settings.sql set realchat_profile.topic before the library was loaded; the row went to the
-- configured topic all the same.
SELECT pg_temp.check('a placeholder setting made before loading did not redirect the event',
  coalesce(bool_and(topic = 'profile.events'), false), 'topics: ' || coalesce(string_agg(topic, ','), 'no row'))
FROM profile.outbox WHERE key = 'b2000000-0000-4000-8000-000000000001';
