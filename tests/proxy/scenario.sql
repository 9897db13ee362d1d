-- Cross-shard scenario, API calls only. tests/proxy/run.sh runs it on one database and through
-- the proxy with 4 shards and compares the outputs: they must be the same. Users eN live on
-- partition N & 3 (profile.route_hash: the uuid's last 32 bits), so every pair below that
-- differs in N mod 4 spans two shards. No timestamps are printed, only whether they are null.
\set u1 '''e1000000-0000-4000-8000-000000000001'''
\set u2 '''e1000000-0000-4000-8000-000000000002'''
\set u3 '''e1000000-0000-4000-8000-000000000003'''
\set u4 '''e1000000-0000-4000-8000-000000000004'''
\set u5 '''e1000000-0000-4000-8000-000000000005'''
\set u6 '''e1000000-0000-4000-8000-000000000006'''
\set u7 '''e1000000-0000-4000-8000-000000000007'''
\set u8 '''e1000000-0000-4000-8000-000000000008'''
\set u9 '''e1000000-0000-4000-8000-000000000009'''
\set nobody '''e1000000-0000-4000-8000-0000000000ff'''

SELECT count(*) FROM generate_series(1, 8) n,
  LATERAL profile.create_profile(('e1000000-0000-4000-8000-00000000000' || n)::uuid, 'scen_' || n, 'Scen User ' || n);
SELECT count(*) FROM generate_series(1, 8) n,
  LATERAL profile.set_status(('e1000000-0000-4000-8000-00000000000' || n)::uuid, 'online');

-- usernames are unique across shards, case-insensitively; errors keep their SQLSTATE
\set VERBOSITY sqlstate
SELECT username FROM profile.create_profile(:u9, 'SCEN_1', 'Copy');
SELECT username FROM profile.create_profile(:u1, 'scen_other', 'Again');
SELECT username FROM profile.create_profile(:u9, 'scen_9', E'bad\x01name');
SELECT username FROM profile.create_profile(:u9, 'x', 'Too short');
SELECT * FROM profile.add_contact(:u1, :nobody);
SELECT * FROM profile.block_user(:u1, :nobody);
SELECT * FROM profile.mute_user(:u1, :nobody);
SELECT * FROM profile.add_contact(:u1, :u1);
SELECT * FROM profile.relationships(:u1, ARRAY[NULL]::uuid[]);
SELECT * FROM profile.search_profiles('scen', :u1, 51);
\set VERBOSITY default
-- the failed attempts left no reservation: the names are free
SELECT username FROM profile.create_profile(:u9, 'scen_9', 'Scen User 9');

-- contacts across shards: user 1 (shard 1) lists 2, 3, 4 (other shards) and 5 (its own shard)
SELECT contact_user_id, nickname, is_favorite FROM profile.add_contact(:u1, :u2, 'two');
SELECT contact_user_id, nickname, is_favorite FROM profile.add_contact(:u1, :u3, is_favorite => true);
SELECT contact_user_id, nickname FROM profile.add_contact(:u1, :u4);
SELECT contact_user_id, nickname FROM profile.add_contact(:u1, :u5);
SELECT contact_user_id FROM profile.add_contact(:u2, :u1);
\set VERBOSITY sqlstate
SELECT contact_user_id FROM profile.add_contact(:u1, :u2);
\set VERBOSITY default
SELECT contact_user_id, nickname, is_favorite, username, display_name, status, last_seen IS NULL AS hidden
FROM profile.list_contacts(:u1);
SELECT contact_user_id FROM profile.list_contacts(:u1, favorites_only => true);
SELECT contact_user_id FROM profile.list_contacts(:u1, after => :u2, "limit" => 2);
SELECT contact_user_id, nickname, is_favorite FROM profile.update_contact(:u1, :u4, nickname => 'four', is_favorite => true);

-- the home shard's current fields, never a stale copy
SELECT display_name FROM profile.update_profile(:u2, display_name => 'Two Renamed');
SELECT contact_user_id, display_name FROM profile.list_contacts(:u1) WHERE contact_user_id = :u2;

-- user 3 blocks user 1 (another shard): every read by 1 hides 3's presence and custom status
SELECT status_text FROM profile.set_custom_status(:u3, 'At work');
SELECT blocked_user_id FROM profile.block_user(:u3, :u1, 'noise');
SELECT status, last_seen IS NULL AS hidden, status_text FROM profile.get_profile(:u3, viewer => :u1);
SELECT status, last_seen IS NULL AS hidden, status_text FROM profile.get_profile(:u3, viewer => :u4);
SELECT username, status, last_seen IS NULL AS hidden, status_text
FROM profile.get_profiles(ARRAY[:u3, :u4, :u3, :nobody, :u1]::uuid[], viewer => :u1);
SELECT contact_user_id, status, last_seen IS NULL AS hidden FROM profile.list_contacts(:u1) WHERE contact_user_id = :u3;
SELECT profile.is_blocked(:u3, :u1) AS three_blocks_one, profile.is_blocked(:u1, :u3) AS one_blocks_three,
       profile.can_interact(:u1, :u3) AS one_three, profile.can_interact(:u3, :u1) AS three_one,
       profile.can_interact(:u1, :u2) AS one_two, profile.can_interact(:u1, :u5) AS one_five,
       profile.can_interact(:u1, :nobody) AS one_unknown;
\set VERBOSITY sqlstate
SELECT contact_user_id FROM profile.add_contact(:u3, :u1);
\set VERBOSITY default
SELECT contact_user_id FROM profile.list_contacts(:u1) WHERE contact_user_id = :u3;
SELECT blocked_user_id, reason FROM profile.list_blocks(:u3);

-- presence audience 'contacts': 4 lists 2 only; 1 lists 4 but is not in 4's list
SELECT presence_audience FROM profile.set_privacy(:u4, presence_audience => 'contacts');
SELECT contact_user_id FROM profile.add_contact(:u4, :u2);
SELECT status, last_seen IS NULL AS hidden FROM profile.get_profile(:u4, viewer => :u1);
SELECT status, last_seen IS NULL AS hidden FROM profile.get_profile(:u4, viewer => :u2);
SELECT contact_user_id, status, last_seen IS NULL AS hidden FROM profile.list_contacts(:u1) WHERE contact_user_id = :u4;

-- reciprocity: 2 shows nobody their presence, so 2 sees nobody's last_seen (but their own)
SELECT presence_audience FROM profile.set_privacy(:u2, presence_audience => 'nobody');
SELECT status, last_seen IS NULL AS hidden FROM profile.get_profile(:u5, viewer => :u2);
SELECT status, last_seen IS NULL AS hidden FROM profile.get_profile(:u6, viewer => :u2);
SELECT status, last_seen IS NULL AS hidden FROM profile.get_profile(:u2, viewer => :u2);
SELECT contact_user_id, status, last_seen IS NULL AS hidden FROM profile.list_contacts(:u2);
SELECT username, last_seen IS NULL AS hidden FROM profile.get_profiles(ARRAY[:u5, :u6, :u1]::uuid[], viewer => :u2);

-- invisible: others see offline with the frozen last_seen; the user and trusted callers see invisible
SELECT status FROM profile.set_status(:u6, 'invisible');
SELECT status, last_seen IS NULL AS hidden FROM profile.get_profile(:u6, viewer => :u1);
SELECT status FROM profile.get_profile(:u6, viewer => :u6);
SELECT status FROM profile.get_profile(:u6);

-- not discoverable: found by id, by name only by 7's contacts (1 lives elsewhere)
SELECT discoverable FROM profile.set_privacy(:u7, discoverable => false);
SELECT count(*) AS found FROM profile.find_profile_by_username('SCEN_7', viewer => :u1);
SELECT count(*) AS found FROM profile.search_profiles('scen_7', viewer => :u1);
SELECT contact_user_id FROM profile.add_contact(:u7, :u1);
SELECT username FROM profile.find_profile_by_username('SCEN_7', viewer => :u1);
SELECT username FROM profile.search_profiles('scen_7', viewer => :u1);
SELECT username FROM profile.find_profile_by_username('scen_7');
SELECT count(*) AS found FROM profile.find_profile_by_username('scen_7', viewer => :u2);

-- search spans shards: users who block the viewer and users the viewer blocks are left out
SELECT blocked_user_id FROM profile.block_user(:u1, :u8);
SELECT username, status, last_seen IS NULL AS hidden FROM profile.search_profiles('scen', viewer => :u1);
SELECT username FROM profile.search_profiles('scen', viewer => :u3, "limit" => 3);
SELECT username FROM profile.search_profiles('User', viewer => :u5);
SELECT username FROM profile.search_profiles('scen_1');

-- mutes across shards
SELECT muted_user_id, expires_at IS NULL AS forever FROM profile.mute_user(:u1, :u6);
SELECT muted_user_id, expires_at IS NULL AS forever FROM profile.mute_user(:u1, :u6, now() + interval '1 hour');
SELECT profile.is_muted(:u1, :u6) AS muted, profile.is_muted(:u6, :u1) AS reverse;
SELECT muted_user_id FROM profile.list_mutes(:u1);

-- relationships: one row per distinct existing user, in input order
SELECT other, is_contact, is_favorite, contact_of, blocking, muting, muted_until IS NULL AS no_until
FROM profile.relationships(:u1, ARRAY[:u7, :u2, :u3, :nobody, :u2, :u6, :u8, :u1]::uuid[]);
SELECT other, is_contact, contact_of, blocking FROM profile.relationships(:u3, ARRAY[:u1]::uuid[]);

-- renames free the old name on every shard
SELECT username FROM profile.update_profile(:u5, username => 'scen_five');
SELECT username FROM profile.update_profile(:u5, username => 'Scen_Five');
SELECT username FROM profile.create_profile('e1000000-0000-4000-8000-00000000000a', 'scen_5', 'Takes the old name');
\set VERBOSITY sqlstate
SELECT username FROM profile.update_profile(:u6, username => 'SCEN_FIVE');
\set VERBOSITY default

-- deleting user 2 removes them from lists and mutes on every shard
SELECT muted_user_id FROM profile.mute_user(:u4, :u2);
SELECT profile.delete_profile(:u2);
SELECT profile.delete_profile(:u2);
SELECT contact_user_id FROM profile.list_contacts(:u1);
SELECT contact_user_id FROM profile.list_contacts(:u4);
SELECT count(*) AS mutes_of_two FROM profile.list_mutes(:u4);
SELECT count(*) AS rows FROM profile.relationships(:u1, ARRAY[:u2]::uuid[]);
SELECT profile.can_interact(:u1, :u2);
SELECT count(*) AS found FROM profile.find_profile_by_username('scen_2');
SELECT username FROM profile.create_profile('e1000000-0000-4000-8000-00000000000b', 'scen_2', 'Name is free');
-- the same id comes back: its versions continue
SELECT username, version > 1 AS continued FROM profile.create_profile(:u2, 'scen_2_again', 'Back');

-- every event counted once, wherever it was written
SELECT pending FROM profile.outbox_stats();
SELECT kind, count FROM profile.run_expiry();

-- arguments the proxy cannot split are checked by a shard, as on one database
\set VERBOSITY sqlstate
SELECT * FROM profile.get_profiles(NULL);
SELECT * FROM profile.get_profiles('{}', viewer => '00000000-0000-0000-0000-000000000000');
SELECT * FROM profile.get_profiles(ARRAY[[:u1]]::uuid[]);
SELECT * FROM profile.get_profiles(ARRAY[:u1, NULL]::uuid[]);
SELECT * FROM profile.get_profiles(ARRAY[NULL]::uuid[]);
SELECT * FROM profile.get_profiles(ARRAY[NULL, :u3]::uuid[], viewer => :u1);
SELECT * FROM profile.relationships(:u1, NULL);
SELECT * FROM profile.relationships(:u1, ARRAY[[:u3]]::uuid[]);
SELECT * FROM profile.can_interact(:u1, '00000000-0000-0000-0000-000000000000');
SELECT * FROM profile.find_profile_by_username(NULL);
SELECT * FROM profile.search_profiles('scen', "limit" => NULL);
SELECT * FROM profile.list_contacts(:u1, "limit" => 0);
\set VERBOSITY default
SELECT count(*) FROM profile.get_profiles('{}');
