-- set_privacy and PrivacyChanged: null leaves a field unchanged, an event only when something
-- changed, the same event for a hand-made UPDATE, and one event per category in order.
SELECT 1 FROM profile.create_profile('e7000000-0000-4000-8000-000000000001', 'priv_ann', 'Ann');
SELECT presence_audience, discoverable, version FROM profile.set_privacy('e7000000-0000-4000-8000-000000000001');
SELECT presence_audience, discoverable, version FROM profile.set_privacy('e7000000-0000-4000-8000-000000000001', 'contacts');
SELECT presence_audience, discoverable, version FROM profile.set_privacy('e7000000-0000-4000-8000-000000000001', discoverable => false);
SELECT presence_audience, discoverable, version FROM profile.set_privacy('e7000000-0000-4000-8000-000000000001', 'contacts', false);
SELECT presence_audience, discoverable, version
FROM profile.set_privacy(user_id => 'e7000000-0000-4000-8000-000000000001', presence_audience => 'nobody', discoverable => true);
-- By hand: privacy alone, then a profile field and privacy in one UPDATE (ProfileUpdated first).
UPDATE profile.profiles SET discoverable = false WHERE user_id = 'e7000000-0000-4000-8000-000000000001';
UPDATE profile.profiles SET display_name = 'Ann B', presence_audience = 'everyone'
WHERE user_id = 'e7000000-0000-4000-8000-000000000001';
UPDATE profile.profiles SET status = 'busy', presence_audience = 'contacts'
WHERE user_id = 'e7000000-0000-4000-8000-000000000001';
SELECT payload->>'version' AS version, payload->>'event_type' AS event, payload->'data'->'changed' AS changed,
       payload->'data'->>'presence_audience' AS presence_audience, payload->'data'->>'discoverable' AS discoverable
FROM profile.outbox WHERE key = 'e7000000-0000-4000-8000-000000000001' ORDER BY id;
SELECT version FROM profile.profiles WHERE user_id = 'e7000000-0000-4000-8000-000000000001';

-- Errors: unknown user, null and nil user_id, unknown audience; nothing written.
\set VERBOSITY terse
SELECT count(*) AS events_before FROM profile.outbox \gset
SELECT profile.set_privacy('e7000000-0000-4000-8000-0000000000ff', 'nobody');
SELECT profile.set_privacy(NULL, 'nobody');
SELECT profile.set_privacy('00000000-0000-0000-0000-000000000000', 'nobody');
SELECT profile.set_privacy('e7000000-0000-4000-8000-000000000001', 'friends');
UPDATE profile.profiles SET discoverable = NULL WHERE user_id = 'e7000000-0000-4000-8000-000000000001';
SELECT count(*) = :events_before AS nothing_written FROM profile.outbox;
