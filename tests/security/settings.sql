-- settings.sql (as mallory, in a fresh session, before anything has loaded the extension's
-- library): a setting made while realchat_profile.* is still an unknown placeholder must not
-- survive the library's loading, since the real settings are superuser-only.
\set ON_ERROR_STOP off
SET realchat_profile.topic = 'stolen.events';
SET realchat_profile.max_contacts = 1000000;
\set ON_ERROR_STOP on
SELECT 1 FROM profile.create_profile('b2000000-0000-4000-8000-000000000001', 'placeholder_user', 'P');
\ir helpers.sql
SELECT pg_temp.check('realchat_profile.topic is back to its configured value after loading',
                     current_setting('realchat_profile.topic') = 'profile.events',
                     'it is ' || current_setting('realchat_profile.topic'));
SELECT pg_temp.check('realchat_profile.max_contacts is back to its configured value after loading',
                     current_setting('realchat_profile.max_contacts') = '10000',
                     'it is ' || current_setting('realchat_profile.max_contacts'));
