-- Mutes: mute_user (again = new expires_at), unmute_user, list_mutes, is_muted, expiry, the
-- events of every change (hand-made DML too), delete_profile in both directions, and errors.
SELECT count(*) FROM generate_series(1, 5) n,
  LATERAL profile.create_profile(('e8000000-0000-4000-8000-00000000000' || n)::uuid, 'mute_u' || n, 'Mute ' || n);
SELECT user_id, muted_user_id, expires_at FROM profile.mute_user('e8000000-0000-4000-8000-000000000001', 'e8000000-0000-4000-8000-000000000002');
SELECT expires_at > now() AS later FROM profile.mute_user('e8000000-0000-4000-8000-000000000001', 'e8000000-0000-4000-8000-000000000002', now() + interval '1 hour');
-- The same expires_at again changes nothing and emits nothing.
SELECT count(*) AS events_before FROM profile.outbox \gset
SELECT 1 FROM profile.mute_user('e8000000-0000-4000-8000-000000000001', 'e8000000-0000-4000-8000-000000000002',
                                (SELECT expires_at FROM profile.mutes WHERE user_id = 'e8000000-0000-4000-8000-000000000001'));
SELECT count(*) - :events_before AS new_events FROM profile.outbox;
SELECT 1 FROM profile.mute_user('e8000000-0000-4000-8000-000000000001', 'e8000000-0000-4000-8000-000000000003');
SELECT profile.is_muted('e8000000-0000-4000-8000-000000000001', 'e8000000-0000-4000-8000-000000000002') AS muted,
       profile.is_muted('e8000000-0000-4000-8000-000000000002', 'e8000000-0000-4000-8000-000000000001') AS reverse;
SELECT muted_user_id FROM profile.list_mutes('e8000000-0000-4000-8000-000000000001');
SELECT muted_user_id FROM profile.list_mutes('e8000000-0000-4000-8000-000000000001', 'e8000000-0000-4000-8000-000000000002', 1);
SELECT profile.unmute_user('e8000000-0000-4000-8000-000000000001', 'e8000000-0000-4000-8000-000000000003') AS removed,
       profile.unmute_user('e8000000-0000-4000-8000-000000000001', 'e8000000-0000-4000-8000-000000000003') AS again;

-- Expired mutes count as absent; expiry removes them with reason expired. An expiry in the
-- past can only be written with the trigger bypassed (as a restore does), or by time passing.
SET session_replication_role = replica;
INSERT INTO profile.mutes (user_id, muted_user_id, expires_at, created_at)
VALUES ('e8000000-0000-4000-8000-000000000001', 'e8000000-0000-4000-8000-000000000004', now() - interval '1 minute', now()),
       ('e8000000-0000-4000-8000-000000000005', 'e8000000-0000-4000-8000-000000000004', now() - interval '2 minutes', now());
RESET session_replication_role;
SELECT profile.is_muted('e8000000-0000-4000-8000-000000000001', 'e8000000-0000-4000-8000-000000000004') AS expired_is_muted;
SELECT count(*) AS listed FROM profile.list_mutes('e8000000-0000-4000-8000-000000000001') WHERE muted_user_id = 'e8000000-0000-4000-8000-000000000004';
SELECT muting, muted_until FROM profile.relationships('e8000000-0000-4000-8000-000000000001', ARRAY['e8000000-0000-4000-8000-000000000004'::uuid]);
CREATE FUNCTION pg_temp.expire_mutes(batch int) RETURNS bigint AS 'realchat_profile', 'rp_expire_mutes_batch' LANGUAGE C STRICT;
SELECT pg_temp.expire_mutes(1) AS first_batch, pg_temp.expire_mutes(10) AS second_batch, pg_temp.expire_mutes(10) AS nothing_left;
SELECT count(*) AS expired_rows_left FROM profile.mutes WHERE expires_at <= now();

-- By hand: the same validation and events.
INSERT INTO profile.mutes (user_id, muted_user_id) VALUES ('e8000000-0000-4000-8000-000000000002', 'e8000000-0000-4000-8000-000000000001');
UPDATE profile.mutes SET expires_at = '2999-01-01 00:00+00' WHERE user_id = 'e8000000-0000-4000-8000-000000000002';
DELETE FROM profile.mutes WHERE user_id = 'e8000000-0000-4000-8000-000000000002';

-- delete_profile removes the user's mutes and every mute of them, each an event of its owner.
SELECT 1 FROM profile.mute_user('e8000000-0000-4000-8000-000000000003', 'e8000000-0000-4000-8000-000000000001');
SELECT 1 FROM profile.mute_user('e8000000-0000-4000-8000-000000000001', 'e8000000-0000-4000-8000-000000000005');
SELECT profile.delete_profile('e8000000-0000-4000-8000-000000000001');
SELECT count(*) AS mutes_left FROM profile.mutes
WHERE 'e8000000-0000-4000-8000-000000000001' IN (user_id, muted_user_id);

SELECT key, payload->>'version' AS version, payload->>'event_type' AS event,
       payload->'data'->>'muted_user_id' AS muted_user_id, payload->'data'->>'reason' AS reason,
       payload->'data'->>'expires_at' IS NOT NULL AS expires
FROM profile.outbox WHERE key LIKE 'e8000000-%' AND payload->>'event_type' IN ('UserMuted', 'UserUnmuted', 'ProfileDeleted')
ORDER BY id;
-- Versions stay gapless per user.
SELECT key, count(*) = max((payload->>'version')::int) AS gapless
FROM profile.outbox WHERE key LIKE 'e8000000-%' GROUP BY key ORDER BY key;

-- Errors (a statement each; nothing written).
\set VERBOSITY terse
SELECT count(*) AS events_before FROM profile.outbox \gset
SELECT profile.mute_user('e8000000-0000-4000-8000-000000000002', 'e8000000-0000-4000-8000-000000000002');
SELECT profile.mute_user('e8000000-0000-4000-8000-000000000002', 'e8000000-0000-4000-8000-0000000000ff');
SELECT profile.mute_user('e8000000-0000-4000-8000-0000000000ff', 'e8000000-0000-4000-8000-000000000002');
SELECT profile.mute_user('e8000000-0000-4000-8000-000000000002', 'e8000000-0000-4000-8000-000000000003', now() - interval '1 second');
SELECT profile.mute_user('e8000000-0000-4000-8000-000000000002', 'e8000000-0000-4000-8000-000000000003', 'infinity');
SELECT profile.mute_user('e8000000-0000-4000-8000-000000000002', NULL);
INSERT INTO profile.mutes (user_id, muted_user_id) VALUES ('e8000000-0000-4000-8000-000000000005', 'e8000000-0000-4000-8000-000000000004');
INSERT INTO profile.mutes (user_id, muted_user_id) VALUES ('e8000000-0000-4000-8000-000000000005', 'e8000000-0000-4000-8000-000000000004');
DELETE FROM profile.mutes WHERE user_id = 'e8000000-0000-4000-8000-000000000005';
SELECT count(*) - :events_before AS events_of_the_one_success FROM profile.outbox;
SET realchat_profile.max_mutes = 1;
SELECT 1 FROM profile.mute_user('e8000000-0000-4000-8000-000000000002', 'e8000000-0000-4000-8000-000000000003');
SELECT profile.mute_user('e8000000-0000-4000-8000-000000000002', 'e8000000-0000-4000-8000-000000000004');
-- Muting again is not a new mute: allowed at the limit.
SELECT expires_at IS NOT NULL AS changed FROM profile.mute_user('e8000000-0000-4000-8000-000000000002', 'e8000000-0000-4000-8000-000000000003', '2999-01-01');
RESET realchat_profile.max_mutes;
SELECT profile.list_mutes('e8000000-0000-4000-8000-000000000002', "limit" => 0);
SELECT profile.is_muted(NULL, 'e8000000-0000-4000-8000-000000000002');
