-- presence.sql (as app_login, a member of profile_app): the 1.1 presence functions are the
-- application's; run_expiry and trace_stats are the operator's, and so are the idleness settings.
\ir helpers.sql
\set p1 '''a7000000-0000-4000-8000-000000000001'''

SELECT pg_temp.expect_ok('create_profile for the presence checks',
  format($$SELECT profile.create_profile(%L, 'app_presence', 'Presence')$$, :p1));
SELECT pg_temp.expect_true('heartbeat',
  format($$SELECT (profile.heartbeat(%L)).last_seen IS NOT NULL$$, :p1));
SELECT pg_temp.expect_true('set_custom_status',
  format($$SELECT (profile.set_custom_status(%L, 'Lunch', expires_at => now() + interval '1 hour')).status_text = 'Lunch'$$, :p1));
SELECT pg_temp.expect_true('clear_custom_status',
  format($$SELECT (profile.clear_custom_status(%L)).status_text IS NULL$$, :p1));
SELECT pg_temp.expect_true('set_status invisible',
  format($$SELECT (profile.set_status(%L, 'invisible')).status = 'invisible'$$, :p1));
-- Any role may carry its trace context.
SELECT pg_temp.expect_ok('SET realchat_profile.traceparent',
  $$SET realchat_profile.traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'$$);
SELECT pg_temp.expect_true('heartbeat with a trace context', format($$SELECT (profile.heartbeat(%L)).status = 'invisible'$$, :p1));
RESET realchat_profile.traceparent;

-- Operator functions and settings.
SELECT pg_temp.expect_error('no EXECUTE on ' || f, 'SELECT * FROM ' || f, '42501')
FROM unnest(ARRAY['profile.run_expiry()', 'profile.trace_stats()']) f;
SELECT pg_temp.expect_error('cannot change ' || s, format('SET %s = 0', s), '42501')
FROM unnest(ARRAY['realchat_profile.away_after', 'realchat_profile.offline_after']) s;
SELECT pg_temp.expect_error('no SELECT on profile.presence_state', 'SELECT * FROM profile.presence_state', '42501');

-- Who may run what, as the catalog says.
SELECT pg_temp.check(format('%s EXECUTE on %s is %s', r, f, expected),
                     has_function_privilege(r, f, 'EXECUTE') = expected)
FROM (VALUES
  ('profile_app', 'profile.heartbeat(uuid)', true),
  ('profile_app', 'profile.set_custom_status(uuid, text, text, timestamptz)', true),
  ('profile_app', 'profile.clear_custom_status(uuid)', true),
  ('profile_app', 'profile.run_expiry()', false),
  ('profile_app', 'profile.trace_stats()', false),
  ('profile_publisher', 'profile.heartbeat(uuid)', false),
  ('profile_publisher', 'profile.run_expiry()', false),
  ('profile_admin', 'profile.run_expiry()', true),
  ('profile_admin', 'profile.trace_stats()', true)
) AS t(r, f, expected);
