-- The floor (write_update_profile_raw.sql) plus a NOTIFY in the same transaction.
\set u random(:first, :users)
\set r random(1, 1000000000)
WITH u AS (
  UPDATE raw.profiles SET display_name = 'User ' || :r, bio = 'Bio ' || :r,
         version = version + 1, updated_at = clock_timestamp()
  WHERE user_id = bench.uid(:u)
  RETURNING user_id, username, display_name, bio, avatar_url, status, last_seen, version),
o AS (
  INSERT INTO raw.outbox (topic, key, payload)
  SELECT 'profile.events', u.user_id::text,
         jsonb_build_object('event_id', gen_random_uuid(), 'event_type', 'ProfileUpdated',
           'user_id', u.user_id, 'version', u.version, 'occurred_at', bench.ts(clock_timestamp()),
           'data', jsonb_build_object('username', u.username, 'display_name', u.display_name,
                     'bio', u.bio, 'avatar_url', u.avatar_url, 'status', u.status,
                     'last_seen', bench.ts(u.last_seen), 'changed', jsonb_build_array('display_name', 'bio')))
  FROM u
  RETURNING 1)
SELECT pg_notify('profile_outbox', '') FROM o;
