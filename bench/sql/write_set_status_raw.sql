-- The floor for set_status: one statement reads the old status, writes the new one with the
-- same last_seen rules, bumps the version and writes PresenceChanged only when it changed.
\set u random(:first, :users)
\set s random(1, 4)
WITH n AS (SELECT ('{online,offline,away,busy}'::profile.presence[])[:s] AS st),
old AS (SELECT user_id, status FROM raw.profiles WHERE user_id = bench.uid(:u)),
u AS (
  UPDATE raw.profiles p SET status = n.st,
         last_seen = CASE WHEN n.st <> 'offline' OR n.st <> old.status THEN clock_timestamp() ELSE p.last_seen END,
         version = p.version + (n.st <> old.status)::int,
         updated_at = CASE WHEN n.st <> old.status THEN clock_timestamp() ELSE p.updated_at END
  FROM n, old
  WHERE p.user_id = old.user_id
  RETURNING p.user_id, p.status, p.last_seen, p.version, n.st <> old.status AS changed)
INSERT INTO raw.outbox (topic, key, payload)
SELECT 'profile.events', u.user_id::text,
       jsonb_build_object('event_id', gen_random_uuid(), 'event_type', 'PresenceChanged',
         'user_id', u.user_id, 'version', u.version, 'occurred_at', bench.ts(clock_timestamp()),
         'data', jsonb_build_object('status', u.status, 'last_seen', bench.ts(u.last_seen)))
FROM u WHERE u.changed;
