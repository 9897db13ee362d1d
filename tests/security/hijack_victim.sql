-- hijack_victim.sql (as app_login and as publisher_login, search_path = public, pg_catalog):
-- another role's session, with mallory's objects planted in public ahead of pg_catalog. Every
-- call the role may make runs; hijack_verify.sql then checks that nothing planted ran.
SET search_path = public, pg_catalog;
\if :is_app
SELECT format('%s/%s', (p).username, (p).version)
FROM profile.create_profile('b1000000-0000-4000-8000-000000000011', 'victim_one', 'Victim') p;
SELECT format('%s/%s', (p).bio, (p).version) FROM profile.update_profile('b1000000-0000-4000-8000-000000000011', bio => 'x') p;
SELECT (p).status FROM profile.set_status('b1000000-0000-4000-8000-000000000011', 'away') p;
SELECT string_agg(username, ',') FROM profile.find_profile_by_username('VICTIM_ONE');
SELECT (c).contact_user_id FROM profile.add_contact('b1000000-0000-4000-8000-000000000011', 'b1000000-0000-4000-8000-000000000001') c;
SELECT (b).blocked_user_id FROM profile.block_user('b1000000-0000-4000-8000-000000000011', 'b1000000-0000-4000-8000-000000000002') b;
SELECT string_agg(username, ',') FROM profile.get_profiles(ARRAY['b1000000-0000-4000-8000-000000000011']::uuid[],
                                                          viewer => 'b1000000-0000-4000-8000-000000000002');
\else
SELECT profile.request_wakeup();
SELECT pending IS NOT NULL FROM profile.outbox_stats();
SELECT profile.purge_outbox('1 day');
\endif
