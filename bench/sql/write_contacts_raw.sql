-- The floor for add_contact/remove_contact: each is one statement that bumps the owner's
-- version, changes the list and writes the event; no checks beyond the table's constraints.
\set n :users - :first + 1
\set u random(:first, :users)
\set c :first + (:u - :first + random(1, :n - 1)) % :n
WITH v AS (UPDATE raw.profiles SET version = version + 1 WHERE user_id = bench.uid(:u) RETURNING user_id, version),
c AS (INSERT INTO raw.contacts (user_id, contact_user_id, created_at, updated_at)
      VALUES (bench.uid(:u), bench.uid(:c), clock_timestamp(), clock_timestamp())
      RETURNING contact_user_id, nickname, is_favorite)
INSERT INTO raw.outbox (topic, key, payload)
SELECT 'profile.events', v.user_id::text,
       jsonb_build_object('event_id', gen_random_uuid(), 'event_type', 'ContactAdded',
         'user_id', v.user_id, 'version', v.version, 'occurred_at', bench.ts(clock_timestamp()),
         'data', jsonb_build_object('contact_user_id', c.contact_user_id, 'nickname', c.nickname,
                                    'is_favorite', c.is_favorite))
FROM v, c;
WITH d AS (DELETE FROM raw.contacts WHERE user_id = bench.uid(:u) AND contact_user_id = bench.uid(:c)
           RETURNING user_id, contact_user_id),
v AS (UPDATE raw.profiles p SET version = p.version + 1 FROM d WHERE p.user_id = d.user_id
      RETURNING p.user_id, p.version, d.contact_user_id)
INSERT INTO raw.outbox (topic, key, payload)
SELECT 'profile.events', v.user_id::text,
       jsonb_build_object('event_id', gen_random_uuid(), 'event_type', 'ContactRemoved',
         'user_id', v.user_id, 'version', v.version, 'occurred_at', bench.ts(clock_timestamp()),
         'data', jsonb_build_object('contact_user_id', v.contact_user_id))
FROM v;
