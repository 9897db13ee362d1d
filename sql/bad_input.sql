-- Bad input, table-driven: every function and the hand-made DML get nulls, nil uuids,
-- text at and over its limits (multi-byte, combining), control, line-break, bidi and
-- zero-width characters, malformed URLs, unknown users, self-references, exceeded limits
-- and wrong enum values. Each case states the SQLSTATE it must give and the text its
-- message must contain (the field, or the user). Every call runs in a subtransaction
-- that is rolled back even when it succeeds, and at the end nothing may have changed.
CREATE FUNCTION pg_temp.attempt(call text, OUT state text, OUT message text) LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE call;
  RAISE SQLSTATE 'RPOK0';  -- undo a call that succeeded: cases never change the data
EXCEPTION WHEN OTHERS THEN
  state := CASE WHEN SQLSTATE = 'RPOK0' THEN 'ok' ELSE SQLSTATE END;
  message := CASE WHEN SQLSTATE = 'RPOK0' THEN '' ELSE SQLERRM END;
END $$;

-- alice has contact bob; bob blocks carol.
SELECT 1 FROM profile.create_profile('f0000000-0000-4000-8000-00000000000a', 'alice_bi', 'Alice');
SELECT 1 FROM profile.create_profile('f0000000-0000-4000-8000-00000000000b', 'bob_bi', 'Bob');
SELECT 1 FROM profile.create_profile('f0000000-0000-4000-8000-00000000000c', 'carol_bi', 'Carol');
SELECT 1 FROM profile.add_contact('f0000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-00000000000b');
SELECT 1 FROM profile.block_user('f0000000-0000-4000-8000-00000000000b', 'f0000000-0000-4000-8000-00000000000c');

CREATE TEMP TABLE snapshot AS
  SELECT (SELECT count(*) FROM profile.outbox) AS events,
         (SELECT coalesce(max(id), 0) FROM profile.outbox) AS last_event,
         (SELECT md5(string_agg(p::text, ',' ORDER BY user_id)) FROM profile.profiles p) AS profiles,
         (SELECT md5(string_agg(c::text, ',' ORDER BY user_id, contact_user_id)) FROM profile.contacts c) AS contacts,
         (SELECT md5(string_agg(b::text, ',' ORDER BY user_id, blocked_user_id)) FROM profile.blocks b) AS blocks;

-- A = alice, B = bob, C = carol, U = a user that does not exist, N = the nil uuid.
CREATE TEMP TABLE cases (n serial, fn text, what text, call text, expected text, names text);
INSERT INTO cases (fn, what, call, expected, names)
SELECT fn, what,
       replace(replace(replace(replace(replace(call,
         ':A', '''f0000000-0000-4000-8000-00000000000a'''),
         ':B', '''f0000000-0000-4000-8000-00000000000b'''),
         ':C', '''f0000000-0000-4000-8000-00000000000c'''),
         ':U', '''f0000000-0000-4000-8000-0000000000ff'''),
         ':N', '''00000000-0000-0000-0000-000000000000'''),
       expected, names
FROM (VALUES
  -- create_profile
  ('create_profile', 'null user_id',            $$SELECT profile.create_profile(NULL, 'dave_bi', 'Dave')$$, '22004', 'user_id'),
  ('create_profile', 'nil user_id',             $$SELECT profile.create_profile(:N, 'dave_bi', 'Dave')$$, '22023', 'user_id'),
  ('create_profile', 'existing user',           $$SELECT profile.create_profile(:A, 'dave_bi', 'Dave')$$, '23505', 'f0000000-0000-4000-8000-00000000000a'),
  ('create_profile', 'null username',           $$SELECT profile.create_profile(:U, NULL, 'Dave')$$, '22004', 'username'),
  ('create_profile', 'username 2 characters',   $$SELECT profile.create_profile(:U, 'da', 'Dave')$$, '22023', 'username'),
  ('create_profile', 'username 3 characters',   $$SELECT profile.create_profile(:U, 'dav', 'Dave')$$, 'ok', NULL),
  ('create_profile', 'username 32 characters',  $$SELECT profile.create_profile(:U, 'd' || repeat('a', 31), 'Dave')$$, 'ok', NULL),
  ('create_profile', 'username 33 characters',  $$SELECT profile.create_profile(:U, 'd' || repeat('a', 32), 'Dave')$$, '22023', 'username'),
  ('create_profile', 'username starts with digit', $$SELECT profile.create_profile(:U, '1dave', 'Dave')$$, '22023', 'username'),
  ('create_profile', 'username starts with _',  $$SELECT profile.create_profile(:U, '_dave', 'Dave')$$, '22023', 'username'),
  ('create_profile', 'username with -',         $$SELECT profile.create_profile(:U, 'da-ve', 'Dave')$$, '22023', 'username'),
  ('create_profile', 'username with space',     $$SELECT profile.create_profile(:U, 'da ve', 'Dave')$$, '22023', 'username'),
  ('create_profile', 'username non-ASCII',      $$SELECT profile.create_profile(:U, 'jos' || U&'\00E9', 'Dave')$$, '22023', 'username'),
  ('create_profile', 'username zero-width',     $$SELECT profile.create_profile(:U, 'da' || U&'\200B' || 've', 'Dave')$$, '22023', 'username'),
  ('create_profile', 'username taken, other case', $$SELECT profile.create_profile(:U, 'ALICE_BI', 'Dave')$$, '23505', 'username'),
  ('create_profile', 'null display_name',       $$SELECT profile.create_profile(:U, 'dave_bi', NULL)$$, '22004', 'display_name'),
  ('create_profile', 'empty display_name',      $$SELECT profile.create_profile(:U, 'dave_bi', '')$$, '22023', 'display_name'),
  ('create_profile', 'blank display_name',      $$SELECT profile.create_profile(:U, 'dave_bi', U&' \3000\00A0 ')$$, '22023', 'display_name'),
  ('create_profile', 'display_name 64 CJK',     $$SELECT profile.create_profile(:U, 'dave_bi', repeat(U&'\4E16', 64))$$, 'ok', NULL),
  ('create_profile', 'display_name 65 CJK',     $$SELECT profile.create_profile(:U, 'dave_bi', repeat(U&'\4E16', 65))$$, '22023', 'display_name'),
  ('create_profile', 'display_name 64 emoji (4 bytes each)', $$SELECT profile.create_profile(:U, 'dave_bi', repeat(U&'\+01F600', 64))$$, 'ok', NULL),
  ('create_profile', 'display_name 65 emoji',   $$SELECT profile.create_profile(:U, 'dave_bi', repeat(U&'\+01F600', 65))$$, '22023', 'display_name'),
  ('create_profile', 'display_name 64 e+U+0301 (NFC: 64)', $$SELECT profile.create_profile(:U, 'dave_bi', repeat(U&'e\0301', 64))$$, 'ok', NULL),
  ('create_profile', 'display_name 65 e+U+0301 (NFC: 65)', $$SELECT profile.create_profile(:U, 'dave_bi', repeat(U&'e\0301', 65))$$, '22023', 'display_name'),
  ('create_profile', 'display_name 64 + surrounding spaces', $$SELECT profile.create_profile(:U, 'dave_bi', '  ' || repeat('d', 64) || '  ')$$, 'ok', NULL),
  ('create_profile', 'display_name line feed',  $$SELECT profile.create_profile(:U, 'dave_bi', E'Da\nve')$$, '22023', 'display_name'),
  ('create_profile', 'display_name U+2028',     $$SELECT profile.create_profile(:U, 'dave_bi', U&'Da\2028ve')$$, '22023', 'display_name'),
  ('create_profile', 'display_name tab',        $$SELECT profile.create_profile(:U, 'dave_bi', E'Da\tve')$$, '22023', 'display_name'),
  ('create_profile', 'display_name U+0007 bell', $$SELECT profile.create_profile(:U, 'dave_bi', U&'Da\0007ve')$$, '22023', 'display_name'),
  ('create_profile', 'display_name U+009B C1',  $$SELECT profile.create_profile(:U, 'dave_bi', U&'Da\009Bve')$$, '22023', 'display_name'),
  ('create_profile', 'display_name U+202E override', $$SELECT profile.create_profile(:U, 'dave_bi', U&'Da\202Eve')$$, '22023', 'display_name'),
  ('create_profile', 'display_name U+2067 isolate', $$SELECT profile.create_profile(:U, 'dave_bi', U&'Da\2067ve')$$, '22023', 'display_name'),
  ('create_profile', 'display_name only U+200B', $$SELECT profile.create_profile(:U, 'dave_bi', U&'\200B')$$, '22023', 'display_name'),
  ('create_profile', 'display_name only U+FEFF U+2060', $$SELECT profile.create_profile(:U, 'dave_bi', U&' \FEFF\2060 ')$$, '22023', 'display_name'),
  ('create_profile', 'display_name ZWJ emoji sequence', $$SELECT profile.create_profile(:U, 'dave_bi', U&'\+01F468\200D\+01F469\200D\+01F467')$$, 'ok', NULL),
  ('create_profile', 'null bio (optional: as its default, empty)', $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', NULL)$$, 'ok', NULL),
  ('create_profile', 'bio 500 multi-byte',      $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', repeat(U&'\00E9', 500))$$, 'ok', NULL),
  ('create_profile', 'bio 501',                 $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', repeat(U&'\00E9', 501))$$, '22023', 'bio'),
  ('create_profile', 'bio line feeds',          $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', E'one\ntwo\n')$$, 'ok', NULL),
  ('create_profile', 'bio carriage return',     $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', E'one\r\ntwo')$$, '22023', 'bio'),
  ('create_profile', 'bio tab',                 $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', E'one\ttwo')$$, '22023', 'bio'),
  ('create_profile', 'bio U+202D override',     $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', U&'one\202Dtwo')$$, '22023', 'bio'),
  ('create_profile', 'avatar_url http',         $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', '', 'http://img.example/a.png')$$, '22023', 'avatar_url'),
  ('create_profile', 'avatar_url relative',     $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', '', '/a.png')$$, '22023', 'avatar_url'),
  ('create_profile', 'avatar_url no host',      $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', '', 'https:///a.png')$$, '22023', 'avatar_url'),
  ('create_profile', 'avatar_url javascript:',  $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', '', 'javascript:alert(1)')$$, '22023', 'avatar_url'),
  ('create_profile', 'avatar_url space',        $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', '', 'https://img.example/a b.png')$$, '22023', 'avatar_url'),
  ('create_profile', 'avatar_url zero-width in host', $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', '', U&'https://img\200B.example/a.png')$$, '22023', 'avatar_url'),
  ('create_profile', 'avatar_url userinfo',     $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', '', 'https://me@img.example/a.png')$$, '22023', 'avatar_url'),
  ('create_profile', 'avatar_url port 65536',   $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', '', 'https://img.example:65536/a.png')$$, '22023', 'avatar_url'),
  ('create_profile', 'avatar_url 2048',         $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', '', 'https://img.example/' || repeat('p', 2028))$$, 'ok', NULL),
  ('create_profile', 'avatar_url 2049',         $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', '', 'https://img.example/' || repeat('p', 2029))$$, '22023', 'avatar_url'),
  ('create_profile', 'avatar_url IPv6 host',    $$SELECT profile.create_profile(:U, 'dave_bi', 'Dave', '', 'https://[2001:db8::1]:8443/a.png')$$, 'ok', NULL),
  -- get_profile, get_profiles, find_profile_by_username
  ('get_profile', 'null user_id',               $$SELECT profile.get_profile(NULL)$$, '22004', 'user_id'),
  ('get_profile', 'nil user_id',                $$SELECT profile.get_profile(:N)$$, '22023', 'user_id'),
  ('get_profile', 'nil viewer',                 $$SELECT profile.get_profile(:A, viewer => :N)$$, '22023', 'viewer'),
  ('get_profile', 'unknown user (no row)',      $$SELECT profile.get_profile(:U)$$, 'ok', NULL),
  ('get_profiles', 'null user_ids',             $$SELECT profile.get_profiles(NULL)$$, '22004', 'user_ids'),
  ('get_profiles', 'null element',              $$SELECT profile.get_profiles(ARRAY[:A, NULL]::uuid[])$$, '22004', 'user_ids'),
  ('get_profiles', 'nil element',               $$SELECT profile.get_profiles(ARRAY[:A, :N]::uuid[])$$, '22023', 'user_ids'),
  ('get_profiles', 'nil viewer',                $$SELECT profile.get_profiles(ARRAY[:A]::uuid[], viewer => :N)$$, '22023', 'viewer'),
  ('find_profile_by_username', 'null username', $$SELECT profile.find_profile_by_username(NULL)$$, '22004', 'username'),
  ('find_profile_by_username', 'nil viewer',  $$SELECT profile.find_profile_by_username('alice_bi', viewer => :N)$$, '22023', 'viewer'),
  ('find_profile_by_username', 'unknown viewer (no mask)', $$SELECT profile.find_profile_by_username('alice_bi', viewer => :U)$$, 'ok', NULL),
  -- update_profile
  ('update_profile', 'null user_id',            $$SELECT profile.update_profile(NULL, bio => 'x')$$, '22004', 'user_id'),
  ('update_profile', 'nil user_id',             $$SELECT profile.update_profile(:N, bio => 'x')$$, '22023', 'user_id'),
  ('update_profile', 'unknown user',            $$SELECT profile.update_profile(:U, bio => 'x')$$, 'P0002', 'f0000000-0000-4000-8000-0000000000ff'),
  ('update_profile', 'username taken',          $$SELECT profile.update_profile(:A, username => 'Bob_BI')$$, '23505', 'username'),
  ('update_profile', 'username invalid',        $$SELECT profile.update_profile(:A, username => 'a!')$$, '22023', 'username'),
  ('update_profile', 'empty display_name',      $$SELECT profile.update_profile(:A, display_name => '')$$, '22023', 'display_name'),
  ('update_profile', 'display_name only U+200D', $$SELECT profile.update_profile(:A, display_name => U&'\200D')$$, '22023', 'display_name'),
  ('update_profile', 'display_name 65 CJK',     $$SELECT profile.update_profile(:A, display_name => repeat(U&'\4E16', 65))$$, '22023', 'display_name'),
  ('update_profile', 'bio 501',                 $$SELECT profile.update_profile(:A, bio => repeat('b', 501))$$, '22023', 'bio'),
  ('update_profile', 'bio U+2066 isolate',      $$SELECT profile.update_profile(:A, bio => U&'x\2066y')$$, '22023', 'bio'),
  ('update_profile', 'avatar_url ftp',          $$SELECT profile.update_profile(:A, avatar_url => 'ftp://img.example/a.png')$$, '22023', 'avatar_url'),
  ('update_profile', 'empty bio and avatar_url clear', $$SELECT profile.update_profile(:A, bio => '', avatar_url => '')$$, 'ok', NULL),
  -- set_status
  ('set_status', 'null user_id',                $$SELECT profile.set_status(NULL, 'online')$$, '22004', 'user_id'),
  ('set_status', 'nil user_id',                 $$SELECT profile.set_status(:N, 'online')$$, '22023', 'user_id'),
  ('set_status', 'unknown user',                $$SELECT profile.set_status(:U, 'online')$$, 'P0002', 'f0000000-0000-4000-8000-0000000000ff'),
  ('set_status', 'null status',                 $$SELECT profile.set_status(:A, NULL)$$, '22004', 'status'),
  ('set_status', 'wrong enum value (refused by PostgreSQL)', $$SELECT profile.set_status(:A, 'sleeping')$$, '22P02', 'profile.presence'),
  ('set_status', 'enum value in other case',    $$SELECT profile.set_status(:A, 'ONLINE')$$, '22P02', 'profile.presence'),
  -- delete_profile
  ('delete_profile', 'null user_id',            $$SELECT profile.delete_profile(NULL)$$, '22004', 'user_id'),
  ('delete_profile', 'nil user_id',             $$SELECT profile.delete_profile(:N)$$, '22023', 'user_id'),
  ('delete_profile', 'unknown user (false)',    $$SELECT profile.delete_profile(:U)$$, 'ok', NULL),
  -- add_contact
  ('add_contact', 'null user_id',               $$SELECT profile.add_contact(NULL, :B)$$, '22004', 'user_id'),
  ('add_contact', 'null contact_user_id',       $$SELECT profile.add_contact(:A, NULL)$$, '22004', 'contact_user_id'),
  ('add_contact', 'nil user_id',                $$SELECT profile.add_contact(:N, :B)$$, '22023', 'user_id'),
  ('add_contact', 'nil contact_user_id',        $$SELECT profile.add_contact(:A, :N)$$, '22023', 'contact_user_id'),
  ('add_contact', 'null is_favorite (optional: as its default, false)', $$SELECT profile.add_contact(:A, :C, is_favorite => NULL)$$, 'ok', NULL),
  ('add_contact', 'self',                       $$SELECT profile.add_contact(:A, :A)$$, '22023', 'contact_user_id'),
  ('add_contact', 'unknown owner',              $$SELECT profile.add_contact(:U, :A)$$, 'P0002', 'f0000000-0000-4000-8000-0000000000ff'),
  ('add_contact', 'unknown contact',            $$SELECT profile.add_contact(:A, :U)$$, 'P0002', 'contact_user_id'),
  ('add_contact', 'already a contact',          $$SELECT profile.add_contact(:A, :B)$$, '23505', 'contact_user_id'),
  ('add_contact', 'a user the owner blocked',   $$SELECT profile.add_contact(:B, :C)$$, '22023', 'contact_user_id'),
  ('add_contact', 'nickname blank',             $$SELECT profile.add_contact(:A, :C, nickname => '   ')$$, '22023', 'nickname'),
  ('add_contact', 'nickname 65 characters',     $$SELECT profile.add_contact(:A, :C, nickname => repeat(U&'\00FC', 65))$$, '22023', 'nickname'),
  ('add_contact', 'nickname 64 characters',     $$SELECT profile.add_contact(:A, :C, nickname => repeat(U&'\00FC', 64))$$, 'ok', NULL),
  ('add_contact', 'nickname line feed',         $$SELECT profile.add_contact(:A, :C, nickname => E'a\nb')$$, '22023', 'nickname'),
  ('add_contact', 'nickname U+202B embedding',  $$SELECT profile.add_contact(:A, :C, nickname => U&'a\202Bb')$$, '22023', 'nickname'),
  ('add_contact', 'nickname only U+200C',       $$SELECT profile.add_contact(:A, :C, nickname => U&'\200C')$$, '22023', 'nickname'),
  -- update_contact
  ('update_contact', 'null user_id',            $$SELECT profile.update_contact(NULL, :B, nickname => 'x')$$, '22004', 'user_id'),
  ('update_contact', 'null contact_user_id',    $$SELECT profile.update_contact(:A, NULL, nickname => 'x')$$, '22004', 'contact_user_id'),
  ('update_contact', 'nil contact_user_id',     $$SELECT profile.update_contact(:A, :N, nickname => 'x')$$, '22023', 'contact_user_id'),
  ('update_contact', 'unknown owner',           $$SELECT profile.update_contact(:U, :B, nickname => 'x')$$, 'P0002', 'f0000000-0000-4000-8000-0000000000ff'),
  ('update_contact', 'not a contact',           $$SELECT profile.update_contact(:A, :C, nickname => 'x')$$, 'P0002', 'contact_user_id'),
  ('update_contact', 'nickname 65 characters',  $$SELECT profile.update_contact(:A, :B, nickname => repeat('n', 65))$$, '22023', 'nickname'),
  ('update_contact', 'nickname tab',            $$SELECT profile.update_contact(:A, :B, nickname => E'a\tb')$$, '22023', 'nickname'),
  ('update_contact', 'empty nickname clears',   $$SELECT profile.update_contact(:A, :B, nickname => '')$$, 'ok', NULL),
  -- remove_contact
  ('remove_contact', 'null user_id',            $$SELECT profile.remove_contact(NULL, :B)$$, '22004', 'user_id'),
  ('remove_contact', 'nil contact_user_id',     $$SELECT profile.remove_contact(:A, :N)$$, '22023', 'contact_user_id'),
  ('remove_contact', 'absent (false)',          $$SELECT profile.remove_contact(:A, :C)$$, 'ok', NULL),
  -- list_contacts
  ('list_contacts', 'null user_id',             $$SELECT profile.list_contacts(NULL)$$, '22004', 'user_id'),
  ('list_contacts', 'nil user_id',              $$SELECT profile.list_contacts(:N)$$, '22023', 'user_id'),
  ('list_contacts', 'nil after',                $$SELECT profile.list_contacts(:A, after => :N)$$, '22023', 'after'),
  ('list_contacts', 'null favorites_only (optional: as its default, false)', $$SELECT profile.list_contacts(:A, favorites_only => NULL)$$, 'ok', NULL),
  ('list_contacts', 'null limit',               $$SELECT profile.list_contacts(:A, "limit" => NULL)$$, '22004', 'limit'),
  ('list_contacts', 'limit 0',                  $$SELECT profile.list_contacts(:A, "limit" => 0)$$, '22023', 'limit'),
  ('list_contacts', 'limit -1',                 $$SELECT profile.list_contacts(:A, "limit" => -1)$$, '22023', 'limit'),
  ('list_contacts', 'limit 1001',               $$SELECT profile.list_contacts(:A, "limit" => 1001)$$, '22023', 'limit'),
  ('list_contacts', 'limit 1000',               $$SELECT profile.list_contacts(:A, "limit" => 1000)$$, 'ok', NULL),
  -- block_user
  ('block_user', 'null user_id',                $$SELECT profile.block_user(NULL, :B)$$, '22004', 'user_id'),
  ('block_user', 'null blocked_user_id',        $$SELECT profile.block_user(:A, NULL)$$, '22004', 'blocked_user_id'),
  ('block_user', 'nil blocked_user_id',         $$SELECT profile.block_user(:A, :N)$$, '22023', 'blocked_user_id'),
  ('block_user', 'self',                        $$SELECT profile.block_user(:A, :A)$$, '22023', 'blocked_user_id'),
  ('block_user', 'unknown owner',               $$SELECT profile.block_user(:U, :A)$$, 'P0002', 'f0000000-0000-4000-8000-0000000000ff'),
  ('block_user', 'unknown blocked user',        $$SELECT profile.block_user(:A, :U)$$, 'P0002', 'blocked_user_id'),
  ('block_user', 'already blocked',             $$SELECT profile.block_user(:B, :C)$$, '23505', 'blocked_user_id'),
  ('block_user', 'reason 501',                  $$SELECT profile.block_user(:A, :C, repeat(U&'\4E16', 501))$$, '22023', 'reason'),
  ('block_user', 'reason 500',                  $$SELECT profile.block_user(:A, :C, repeat(U&'\4E16', 500))$$, 'ok', NULL),
  ('block_user', 'reason control character',    $$SELECT profile.block_user(:A, :C, U&'spam\001B[0m')$$, '22023', 'reason'),
  ('block_user', 'reason U+202E override',      $$SELECT profile.block_user(:A, :C, U&'spam\202E')$$, '22023', 'reason'),
  -- unblock_user, list_blocks, is_blocked, can_interact
  ('unblock_user', 'null blocked_user_id',      $$SELECT profile.unblock_user(:B, NULL)$$, '22004', 'blocked_user_id'),
  ('unblock_user', 'nil user_id',               $$SELECT profile.unblock_user(:N, :C)$$, '22023', 'user_id'),
  ('unblock_user', 'absent (false)',            $$SELECT profile.unblock_user(:A, :C)$$, 'ok', NULL),
  ('list_blocks', 'null user_id',               $$SELECT profile.list_blocks(NULL)$$, '22004', 'user_id'),
  ('list_blocks', 'nil after',                  $$SELECT profile.list_blocks(:B, after => :N)$$, '22023', 'after'),
  ('list_blocks', 'limit 0',                    $$SELECT profile.list_blocks(:B, "limit" => 0)$$, '22023', 'limit'),
  ('list_blocks', 'limit 1001',                 $$SELECT profile.list_blocks(:B, "limit" => 1001)$$, '22023', 'limit'),
  ('is_blocked', 'null other',                  $$SELECT profile.is_blocked(:B, NULL)$$, '22004', 'other'),
  ('is_blocked', 'nil user_id',                 $$SELECT profile.is_blocked(:N, :C)$$, '22023', 'user_id'),
  ('can_interact', 'null a',                    $$SELECT profile.can_interact(NULL, :B)$$, '22004', 'a'),
  ('can_interact', 'nil b',                     $$SELECT profile.can_interact(:A, :N)$$, '22023', 'b'),
  -- outbox functions
  ('purge_outbox', 'null older_than',           $$SELECT profile.purge_outbox(NULL)$$, '22004', 'older_than'),
  ('purge_outbox', 'negative older_than',       $$SELECT profile.purge_outbox('-1 day')$$, '22023', 'older_than'),
  -- hand-made DML goes through the same rules
  ('INSERT profiles', 'nil user_id',            $$INSERT INTO profile.profiles (user_id, username, display_name) VALUES (:N, 'dave_bi', 'Dave')$$, '22023', 'user_id'),
  ('INSERT profiles', 'bad username',           $$INSERT INTO profile.profiles (user_id, username, display_name) VALUES (:U, 'd', 'Dave')$$, '22023', 'username'),
  ('INSERT profiles', 'display_name bidi',      $$INSERT INTO profile.profiles (user_id, username, display_name) VALUES (:U, 'dave_bi', U&'\202Eevad')$$, '22023', 'display_name'),
  ('UPDATE profiles', 'bio 501',                $$UPDATE profile.profiles SET bio = repeat('b', 501) WHERE user_id = :A$$, '22023', 'bio'),
  ('UPDATE profiles', 'avatar_url http',        $$UPDATE profile.profiles SET avatar_url = 'http://x.example/' WHERE user_id = :A$$, '22023', 'avatar_url'),
  ('UPDATE profiles', 'wrong enum value',       $$UPDATE profile.profiles SET status = 'sleeping' WHERE user_id = :A$$, '22P02', 'profile.presence'),
  ('INSERT contacts', 'unknown contact',        $$INSERT INTO profile.contacts (user_id, contact_user_id) VALUES (:A, :U)$$, 'P0002', 'contact_user_id'),
  ('INSERT contacts', 'nickname control',       $$INSERT INTO profile.contacts (user_id, contact_user_id, nickname) VALUES (:A, :C, U&'x\0001')$$, '22023', 'nickname'),
  ('INSERT blocks', 'self',                     $$INSERT INTO profile.blocks (user_id, blocked_user_id) VALUES (:A, :A)$$, '22023', 'blocked_user_id'),
  -- privacy, mutes, relationships, search
  ('set_privacy', 'null user_id',               $$SELECT profile.set_privacy(NULL, 'nobody')$$, '22004', 'user_id'),
  ('set_privacy', 'nil user_id',                $$SELECT profile.set_privacy(:N, 'nobody')$$, '22023', 'user_id'),
  ('set_privacy', 'unknown user',               $$SELECT profile.set_privacy(:U, 'nobody')$$, 'P0002', 'f0000000-0000-4000-8000-0000000000ff'),
  ('set_privacy', 'unknown audience',           $$SELECT profile.set_privacy(:A, 'friends')$$, '22P02', 'audience'),
  ('set_privacy', 'nothing to change',          $$SELECT profile.set_privacy(:A)$$, 'ok', NULL),
  ('UPDATE profiles', 'discoverable null',      $$UPDATE profile.profiles SET discoverable = NULL WHERE user_id = :A$$, '23502', 'discoverable'),
  ('mute_user', 'null muted_user_id',           $$SELECT profile.mute_user(:A, NULL)$$, '22004', 'muted_user_id'),
  ('mute_user', 'nil muted_user_id',            $$SELECT profile.mute_user(:A, :N)$$, '22023', 'muted_user_id'),
  ('mute_user', 'self-mute',                    $$SELECT profile.mute_user(:A, :A)$$, '22023', 'muted_user_id'),
  ('mute_user', 'unknown muted user',           $$SELECT profile.mute_user(:A, :U)$$, 'P0002', 'f0000000-0000-4000-8000-0000000000ff'),
  ('mute_user', 'unknown user',                 $$SELECT profile.mute_user(:U, :A)$$, 'P0002', 'f0000000-0000-4000-8000-0000000000ff'),
  ('mute_user', 'expires_at in the past',       $$SELECT profile.mute_user(:A, :B, now() - interval '1 second')$$, '22023', 'expires_at'),
  ('mute_user', 'expires_at infinity',          $$SELECT profile.mute_user(:A, :B, 'infinity')$$, '22023', 'expires_at'),
  ('mute_user', 'blocked user (a mute hides nothing)', $$SELECT profile.mute_user(:B, :C)$$, 'ok', NULL),
  ('INSERT mutes', 'self',                      $$INSERT INTO profile.mutes (user_id, muted_user_id) VALUES (:A, :A)$$, '22023', 'muted_user_id'),
  ('INSERT mutes', 'past expires_at',           $$INSERT INTO profile.mutes (user_id, muted_user_id, expires_at) VALUES (:A, :B, now() - interval '1 day')$$, '22023', 'expires_at'),
  ('unmute_user', 'null muted_user_id',         $$SELECT profile.unmute_user(:A, NULL)$$, '22004', 'muted_user_id'),
  ('unmute_user', 'nil user_id',                $$SELECT profile.unmute_user(:N, :B)$$, '22023', 'user_id'),
  ('list_mutes', 'limit 0',                     $$SELECT profile.list_mutes(:A, "limit" => 0)$$, '22023', 'limit'),
  ('list_mutes', 'limit 1001',                  $$SELECT profile.list_mutes(:A, "limit" => 1001)$$, '22023', 'limit'),
  ('list_mutes', 'nil after',                   $$SELECT profile.list_mutes(:A, :N)$$, '22023', 'after'),
  ('is_muted', 'null other',                    $$SELECT profile.is_muted(:A, NULL)$$, '22004', 'other'),
  ('relationships', 'null others',              $$SELECT profile.relationships(:A, NULL)$$, '22004', 'others'),
  ('relationships', 'null in others',           $$SELECT profile.relationships(:A, ARRAY[:B, NULL]::uuid[])$$, '22004', 'others'),
  ('relationships', 'nil in others',            $$SELECT profile.relationships(:A, ARRAY[:N]::uuid[])$$, '22023', 'others'),
  ('relationships', '1000 ids',                 $$SELECT profile.relationships(:A, array_fill(:B::uuid, ARRAY[1000]))$$, 'ok', NULL),
  ('relationships', '1001 ids',                 $$SELECT profile.relationships(:A, array_fill(:B::uuid, ARRAY[1001]))$$, '54000', 'others'),
  ('search_profiles', 'null query',             $$SELECT profile.search_profiles(NULL)$$, '22004', 'query'),
  ('search_profiles', 'empty query',            $$SELECT profile.search_profiles('')$$, '22023', 'query'),
  ('search_profiles', 'blank query',            $$SELECT profile.search_profiles(U&' \3000 ')$$, '22023', 'query'),
  ('search_profiles', 'query 64 characters',    $$SELECT profile.search_profiles(repeat(U&'\4E16', 64))$$, 'ok', NULL),
  ('search_profiles', 'query 65 characters',    $$SELECT profile.search_profiles(repeat(U&'\4E16', 65))$$, '22023', 'query'),
  ('search_profiles', 'query 64 + spaces',      $$SELECT profile.search_profiles('  ' || repeat('a', 64) || '  ')$$, 'ok', NULL),
  ('search_profiles', 'limit 0',                $$SELECT profile.search_profiles('alice', "limit" => 0)$$, '22023', 'limit'),
  ('search_profiles', 'limit 51',               $$SELECT profile.search_profiles('alice', "limit" => 51)$$, '22023', 'limit'),
  ('search_profiles', 'null limit',             $$SELECT profile.search_profiles('alice', "limit" => NULL)$$, '22004', 'limit'),
  ('search_profiles', 'nil viewer',             $$SELECT profile.search_profiles('alice', :N)$$, '22023', 'viewer'),
  -- presence and custom status (1.1)
  ('heartbeat', 'null user_id',                 $$SELECT profile.heartbeat(NULL)$$, '22004', 'user_id'),
  ('heartbeat', 'nil user_id',                  $$SELECT profile.heartbeat(:N)$$, '22023', 'user_id'),
  ('heartbeat', 'unknown user',                 $$SELECT profile.heartbeat(:U)$$, 'P0002', 'f0000000-0000-4000-8000-0000000000ff'),
  ('set_status', 'invisible in other case',     $$SELECT profile.set_status(:A, 'Invisible')$$, '22P02', 'profile.presence'),
  ('set_custom_status', 'null user_id',         $$SELECT profile.set_custom_status(NULL, 'Lunch')$$, '22004', 'user_id'),
  ('set_custom_status', 'nil user_id',          $$SELECT profile.set_custom_status(:N, 'Lunch')$$, '22023', 'user_id'),
  ('set_custom_status', 'unknown user',         $$SELECT profile.set_custom_status(:U, 'Lunch')$$, 'P0002', 'f0000000-0000-4000-8000-0000000000ff'),
  ('set_custom_status', 'status_text 100',      $$SELECT profile.set_custom_status(:A, repeat(U&'\00E9', 100))$$, 'ok', NULL),
  ('set_custom_status', 'status_text 101',      $$SELECT profile.set_custom_status(:A, repeat(U&'\00E9', 101))$$, '22023', 'status_text'),
  ('set_custom_status', 'status_text blank',    $$SELECT profile.set_custom_status(:A, '   ')$$, '22023', 'status_text'),
  ('set_custom_status', 'status_text control',  $$SELECT profile.set_custom_status(:A, 'Lunch' || chr(7))$$, '22023', 'status_text'),
  ('set_custom_status', 'status_text line break', $$SELECT profile.set_custom_status(:A, 'Lunch' || chr(10) || 'now')$$, '22023', 'status_text'),
  ('set_custom_status', 'status_text bidi override', $$SELECT profile.set_custom_status(:A, 'Lu' || U&'\202E' || 'nch')$$, '22023', 'status_text'),
  ('set_custom_status', 'status_text bidi isolate', $$SELECT profile.set_custom_status(:A, 'Lu' || U&'\2066' || 'nch')$$, '22023', 'status_text'),
  ('set_custom_status', 'status_emoji one',     $$SELECT profile.set_custom_status(:A, NULL, U&'\+01F389')$$, 'ok', NULL),
  ('set_custom_status', 'status_emoji two',     $$SELECT profile.set_custom_status(:A, 'Party', U&'\+01F389\+01F389')$$, '22023', 'status_emoji'),
  ('set_custom_status', 'status_emoji text',    $$SELECT profile.set_custom_status(:A, 'Party', 'x')$$, '22023', 'status_emoji'),
  ('set_custom_status', 'status_emoji empty',   $$SELECT profile.set_custom_status(:A, 'Party', '')$$, '22023', 'status_emoji'),
  ('set_custom_status', 'status_emoji 32 bytes', $$SELECT profile.set_custom_status(:A, NULL, U&'\+01F389' || repeat(U&'\200D\+01F389', 4))$$, 'ok', NULL),
  ('set_custom_status', 'status_emoji 39 bytes', $$SELECT profile.set_custom_status(:A, NULL, U&'\+01F389' || repeat(U&'\200D\+01F389', 5))$$, '22023', 'status_emoji'),
  ('set_custom_status', 'expires_at in the past', $$SELECT profile.set_custom_status(:A, 'Lunch', NULL, now() - interval '1 second')$$, '22023', 'status_expires_at'),
  ('set_custom_status', 'expires_at now',       $$SELECT profile.set_custom_status(:A, 'Lunch', NULL, now())$$, '22023', 'status_expires_at'),
  ('set_custom_status', 'expires_at infinity',  $$SELECT profile.set_custom_status(:A, 'Lunch', NULL, 'infinity')$$, '22023', 'status_expires_at'),
  ('clear_custom_status', 'null user_id',       $$SELECT profile.clear_custom_status(NULL)$$, '22004', 'user_id'),
  ('clear_custom_status', 'nil user_id',        $$SELECT profile.clear_custom_status(:N)$$, '22023', 'user_id'),
  ('clear_custom_status', 'unknown user',       $$SELECT profile.clear_custom_status(:U)$$, 'P0002', 'f0000000-0000-4000-8000-0000000000ff'),
  ('UPDATE profiles', 'invisible misspelt',     $$UPDATE profile.profiles SET status = 'invisibel' WHERE user_id = :A$$, '22P02', 'profile.presence'),
  ('UPDATE profiles', 'status_text 101',        $$UPDATE profile.profiles SET status_text = repeat('s', 101) WHERE user_id = :A$$, '22023', 'status_text'),
  ('UPDATE profiles', 'status_emoji text',      $$UPDATE profile.profiles SET status_emoji = 'ok' WHERE user_id = :A$$, '22023', 'status_emoji'),
  ('UPDATE profiles', 'status_expires_at past', $$UPDATE profile.profiles SET status_text = 'x', status_expires_at = now() - interval '1 day' WHERE user_id = :A$$, '22023', 'status_expires_at'),
  ('INSERT profiles', 'status_emoji two',       $$INSERT INTO profile.profiles (user_id, username, display_name, status_emoji) VALUES (:U, 'dave_bi', 'Dave', U&'\+01F389\+01F389')$$, '22023', 'status_emoji')
) AS t(fn, what, call, expected, names);

-- One line per case: "ok" when the SQLSTATE matches and the message names what it must.
SELECT c.fn, c.what, c.expected,
       CASE WHEN r.state <> c.expected THEN 'got ' || r.state || ': ' || r.message
            WHEN c.names IS NOT NULL AND position(c.names IN r.message) = 0 THEN 'message does not name ' || c.names || ': ' || r.message
            ELSE 'ok' END AS verdict
FROM cases c, LATERAL pg_temp.attempt(c.call) r
ORDER BY c.n;

-- Limits: 54000, and the call over the limit leaves nothing.
SET realchat_profile.max_contacts = 1;
SET realchat_profile.max_blocks = 1;
SELECT 'add_contact over max_contacts' AS what, r.state, position('limit of 1 contacts' IN r.message) > 0 AS says_limit
FROM pg_temp.attempt($$SELECT profile.add_contact('f0000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-00000000000c')$$) r
UNION ALL
SELECT 'block_user over max_blocks', r.state, position('limit of 1 blocked users' IN r.message) > 0
FROM pg_temp.attempt($$SELECT profile.block_user('f0000000-0000-4000-8000-00000000000b', 'f0000000-0000-4000-8000-00000000000a')$$) r;
SET realchat_profile.max_mutes = 0;
SELECT 'mute_user over max_mutes' AS what, r.state, position('limit of 0 muted users' IN r.message) > 0 AS says_limit
FROM pg_temp.attempt($$SELECT profile.mute_user('f0000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-00000000000b')$$) r;
RESET realchat_profile.max_mutes;
RESET realchat_profile.max_contacts;
RESET realchat_profile.max_blocks;

-- Every function of the contract that takes arguments has cases.
SELECT p.proname AS function_without_cases
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'profile' AND p.pronargs > 0 AND p.prokind = 'f' AND p.prorettype <> 'trigger'::regtype
  AND p.proname NOT IN (SELECT fn FROM cases)
ORDER BY 1;

SELECT count(*) AS cases, count(*) FILTER (WHERE expected = 'ok') AS accepted_at_the_limit,
       count(DISTINCT fn) AS functions_and_statements
FROM cases;

-- Nothing changed: no row, no outbox row, no version bumped.
SELECT s.events = (SELECT count(*) FROM profile.outbox) AS no_event,
       s.last_event = (SELECT coalesce(max(id), 0) FROM profile.outbox) AS no_outbox_id_kept,
       s.profiles = (SELECT md5(string_agg(p::text, ',' ORDER BY user_id)) FROM profile.profiles p) AS profiles_unchanged,
       s.contacts = (SELECT md5(string_agg(c::text, ',' ORDER BY user_id, contact_user_id)) FROM profile.contacts c) AS contacts_unchanged,
       s.blocks = (SELECT md5(string_agg(b::text, ',' ORDER BY user_id, blocked_user_id)) FROM profile.blocks b) AS blocks_unchanged
FROM snapshot s;
