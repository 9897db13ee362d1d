-- Contacts and blocks: listing, keyset pagination, block enforcement on reads.
SELECT count(*) FROM generate_series(1, 6) n,
  LATERAL profile.create_profile(('d0000000-0000-4000-8000-00000000000' || n)::uuid, 'user_d' || n, 'User ' || n);
SELECT count(*) FROM generate_series(1, 6) n,
  LATERAL profile.set_status(('d0000000-0000-4000-8000-00000000000' || n)::uuid, 'online');
-- user 1 lists users 2..6, favourites 3 and 5
SELECT count(*) FROM generate_series(6, 2, -1) n,
  LATERAL profile.add_contact('d0000000-0000-4000-8000-000000000001', ('d0000000-0000-4000-8000-00000000000' || n)::uuid,
                              nickname => 'nick ' || n, is_favorite => n IN (3, 5));

SELECT contact_user_id, nickname, is_favorite, username, display_name, status, last_seen IS NOT NULL AS seen
FROM profile.list_contacts('d0000000-0000-4000-8000-000000000001');
SELECT contact_user_id FROM profile.list_contacts('d0000000-0000-4000-8000-000000000001', favorites_only => true);
-- pages of two
SELECT contact_user_id FROM profile.list_contacts('d0000000-0000-4000-8000-000000000001', "limit" => 2);
SELECT contact_user_id FROM profile.list_contacts('d0000000-0000-4000-8000-000000000001',
                                                  after => 'd0000000-0000-4000-8000-000000000003', "limit" => 2);
SELECT contact_user_id FROM profile.list_contacts('d0000000-0000-4000-8000-000000000001',
                                                  after => 'd0000000-0000-4000-8000-000000000006');
SELECT count(*) FROM profile.list_contacts('d0000000-0000-4000-8000-0000000000ff');

-- Block enforcement: user 4 blocks user 1
SELECT user_id, blocked_user_id, reason FROM profile.block_user('d0000000-0000-4000-8000-000000000004', 'd0000000-0000-4000-8000-000000000001', 'noise');
-- user 1 sees user 4 offline with no last_seen, in every read
SELECT status, last_seen FROM profile.get_profile('d0000000-0000-4000-8000-000000000004', viewer => 'd0000000-0000-4000-8000-000000000001');
SELECT username, status, last_seen IS NULL AS hidden FROM profile.get_profiles(
  ARRAY['d0000000-0000-4000-8000-000000000004', 'd0000000-0000-4000-8000-000000000005']::uuid[],
  viewer => 'd0000000-0000-4000-8000-000000000001');
SELECT contact_user_id, status, last_seen IS NULL AS hidden
FROM profile.list_contacts('d0000000-0000-4000-8000-000000000001') WHERE contact_user_id IN
  ('d0000000-0000-4000-8000-000000000004', 'd0000000-0000-4000-8000-000000000005');
-- others, and user 4 looking at user 1, still see the truth
SELECT status FROM profile.get_profile('d0000000-0000-4000-8000-000000000004', viewer => 'd0000000-0000-4000-8000-000000000002');
SELECT status FROM profile.get_profile('d0000000-0000-4000-8000-000000000004');
SELECT status FROM profile.get_profile('d0000000-0000-4000-8000-000000000001', viewer => 'd0000000-0000-4000-8000-000000000004');
-- (adding a blocked user as a contact is tested in errors.sql)
SELECT profile.is_blocked('d0000000-0000-4000-8000-000000000004', 'd0000000-0000-4000-8000-000000000001') AS four_blocks_one,
       profile.is_blocked('d0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000004') AS one_blocks_four,
       profile.can_interact('d0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000004') AS one_four,
       profile.can_interact('d0000000-0000-4000-8000-000000000004', 'd0000000-0000-4000-8000-000000000001') AS four_one,
       profile.can_interact('d0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000002') AS one_two,
       profile.can_interact('d0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-0000000000ff') AS one_unknown;

-- list_blocks pages
SELECT count(*) FROM generate_series(2, 3) n,
  LATERAL profile.block_user('d0000000-0000-4000-8000-000000000004', ('d0000000-0000-4000-8000-00000000000' || n)::uuid);
SELECT blocked_user_id, reason FROM profile.list_blocks('d0000000-0000-4000-8000-000000000004');
SELECT blocked_user_id FROM profile.list_blocks('d0000000-0000-4000-8000-000000000004',
                                                after => 'd0000000-0000-4000-8000-000000000001', "limit" => 1);

-- unblocking restores the view
SELECT profile.unblock_user('d0000000-0000-4000-8000-000000000004', 'd0000000-0000-4000-8000-000000000001');
SELECT status FROM profile.get_profile('d0000000-0000-4000-8000-000000000004', viewer => 'd0000000-0000-4000-8000-000000000001');
SELECT profile.can_interact('d0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000004');
