-- hijack_admin_write.sql (as admin_login, search_path = public, pg_catalog): an administrator's
-- own writes fire the extension's triggers under the writer's search path, here one that puts
-- the look-alikes planted in public before pg_catalog. The triggers' queries must reach none of
-- them. Rolled back, so hijack_verify.sql judges the API's writes alone.
\ir helpers.sql

SELECT count(*) AS planted_calls_before FROM mallory.hijack_log \gset
SELECT count(*) AS events_before FROM profile.outbox WHERE key = 'b1000000-0000-4000-8000-000000000001' \gset
BEGIN;
SET search_path = public, pg_catalog;
-- The statement's own operators are named fully: only the triggers' queries see the planted ones.
UPDATE profile.profiles SET display_name = 'Edited By Hand', status = 'busy'
WHERE user_id OPERATOR(pg_catalog.=) 'b1000000-0000-4000-8000-000000000001';
INSERT INTO profile.contacts (user_id, contact_user_id)
VALUES ('b1000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000011');
SET search_path = pg_catalog, pg_temp;
SELECT pg_temp.check('control: the administrator''s writes went through the triggers (events written)',
  (SELECT count(*) FROM profile.outbox WHERE key = 'b1000000-0000-4000-8000-000000000001') >= :events_before + 2,
  format('%s events before, %s after', :events_before,
         (SELECT count(*) FROM profile.outbox WHERE key = 'b1000000-0000-4000-8000-000000000001')));
SELECT pg_temp.check('an administrator''s writes under planted names call none of them from the triggers',
  (SELECT count(*) FROM mallory.hijack_log) = :planted_calls_before,
  'planted: ' || (SELECT string_agg(schema_name || '.' || what, ', ') FROM mallory.hijack_log));
ROLLBACK;
