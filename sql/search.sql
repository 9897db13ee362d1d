-- search_profiles: matching, ranking, the viewer's blocks and rule 5, masking, indexes only;
-- relationships: what user_id's own lists say, in input order, never the other user's blocks.
SELECT count(*) FROM (VALUES
  ('e9000000-0000-4000-8000-000000000001'::uuid, 'srch_ada', 'Ada Lovelace'),
  ('e9000000-0000-4000-8000-000000000002', 'srch_ada_b', 'Bea'),
  ('e9000000-0000-4000-8000-000000000003', 'srch_adam', 'Adam Smith'),
  ('e9000000-0000-4000-8000-000000000004', 'zed_one', 'Lovelace fan (srch_ada)'),
  ('e9000000-0000-4000-8000-000000000005', 'zed_two', 'Srch_Adalbert'),
  ('e9000000-0000-4000-8000-000000000006', 'srch_hidden', 'Hidden Ada'),
  ('e9000000-0000-4000-8000-000000000007', 'srch_blocker', 'Blocker Ada'),
  ('e9000000-0000-4000-8000-000000000008', 'srch_viewer', 'Viewer'),
  ('e9000000-0000-4000-8000-000000000009', 'pct_user', '100% Ada_x')) AS t(id, u, d),
  LATERAL profile.create_profile(t.id, t.u, t.d);
-- Exact username first, then username prefixes by username, then display names by similarity.
SELECT username, display_name FROM profile.search_profiles('SRCH_ADA');
SELECT username FROM profile.search_profiles('  lovelace  ');
SELECT username FROM profile.search_profiles('srch_ada', "limit" => 2);
-- LIKE's wildcards are plain characters in a query.
SELECT username FROM profile.search_profiles('100%');
SELECT username FROM profile.search_profiles('a_x');
SELECT count(*) AS wildcard_only FROM profile.search_profiles('%');
-- NFC: a decomposed query finds the composed name.
SELECT 1 FROM profile.create_profile('e9000000-0000-4000-8000-00000000000a', 'srch_jose', U&'Jos\00E9 Ada');
SELECT username FROM profile.search_profiles(U&'jose\0301');

-- The viewer: hidden (not discoverable) users only for their contacts; neither direction of a
-- block; the rows masked as get_profile masks them.
SELECT 1 FROM profile.set_privacy('e9000000-0000-4000-8000-000000000006', discoverable => false);
SELECT 1 FROM profile.block_user('e9000000-0000-4000-8000-000000000007', 'e9000000-0000-4000-8000-000000000008');
SELECT 1 FROM profile.block_user('e9000000-0000-4000-8000-000000000008', 'e9000000-0000-4000-8000-000000000002');
SELECT 1 FROM profile.set_status('e9000000-0000-4000-8000-000000000003', 'online');
SELECT 1 FROM profile.set_privacy('e9000000-0000-4000-8000-000000000003', 'contacts');
SELECT username, status, last_seen IS NOT NULL AS last_seen
FROM profile.search_profiles('ada', 'e9000000-0000-4000-8000-000000000008', 50) ORDER BY username;
SELECT count(*) AS trusted_sees_all FROM profile.search_profiles('ada', NULL, 50);
SELECT 1 FROM profile.add_contact('e9000000-0000-4000-8000-000000000006', 'e9000000-0000-4000-8000-000000000008');
SELECT username FROM profile.search_profiles('hidden', 'e9000000-0000-4000-8000-000000000008');
SELECT username FROM profile.find_profile_by_username('srch_hidden', 'e9000000-0000-4000-8000-000000000008');
SELECT username FROM profile.find_profile_by_username('srch_hidden', 'e9000000-0000-4000-8000-000000000001');

-- Indexes only: on a table of many profiles the plan of the search query has no Seq Scan.
-- The bulk insert plans the trigger's queries per row: a plan cached while the table had a page
-- or two (an upgraded database with statistics) would scan it for each of the 10000 rows.
SET plan_cache_mode = force_custom_plan;
INSERT INTO profile.profiles (user_id, username, display_name)
SELECT ('ea000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'bulk' || g, 'Bulk person ' || g
FROM generate_series(1, 10000) g;
RESET plan_cache_mode;
VACUUM ANALYZE profile.profiles;  -- also empties the GIN pending list, as autovacuum would
CREATE FUNCTION pg_temp.search_plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
  FOR line IN EXECUTE format(
    'EXPLAIN (COSTS OFF) SELECT p.user_id FROM profile.profiles p'
    ' WHERE (lower(p.username) ~>=~ lower(%1$L) AND lower(p.username) ~<~ (lower(%1$L) || chr(1114111)))'
    '    OR lower(p.display_name) LIKE ''%%'' || lower(%1$L) || ''%%''', q)
  LOOP
    RETURN NEXT line;
  END LOOP;
END $$;
SELECT count(*) FILTER (WHERE l LIKE '%Seq Scan%') AS seq_scans,
       count(*) FILTER (WHERE l LIKE '%profiles_username_prefix_idx%') AS username_index,
       count(*) FILTER (WHERE l LIKE '%profiles_display_name_trgm_idx%') AS display_name_index
FROM pg_temp.search_plan('bulk12') l;
-- The function over the bulk table: prefixes by username, display names by similarity.
SELECT array_agg(username) AS first_five FROM profile.search_profiles('bulk12', NULL, 5);
SELECT count(*) AS matches FROM profile.search_profiles('person 49', NULL, 50);

-- Errors.
\set VERBOSITY terse
SELECT profile.search_profiles('');
SELECT profile.search_profiles(U&'  \3000 ');
SELECT profile.search_profiles(repeat('a', 65));
SELECT count(*) AS at_64 FROM profile.search_profiles(repeat('a', 64));
SELECT profile.search_profiles(NULL);
SELECT profile.search_profiles('ada', "limit" => 0);
SELECT profile.search_profiles('ada', "limit" => 51);
SELECT profile.search_profiles('ada', '00000000-0000-0000-0000-000000000000');
\set VERBOSITY default

-- relationships: input order, distinct, unknown users skipped.
SELECT 1 FROM profile.add_contact('e9000000-0000-4000-8000-000000000001', 'e9000000-0000-4000-8000-000000000003', is_favorite => true);
SELECT 1 FROM profile.add_contact('e9000000-0000-4000-8000-000000000004', 'e9000000-0000-4000-8000-000000000001');
SELECT 1 FROM profile.block_user('e9000000-0000-4000-8000-000000000001', 'e9000000-0000-4000-8000-000000000005');
SELECT 1 FROM profile.mute_user('e9000000-0000-4000-8000-000000000001', 'e9000000-0000-4000-8000-000000000004', '2999-01-01 00:00+00');
SELECT 1 FROM profile.block_user('e9000000-0000-4000-8000-000000000002', 'e9000000-0000-4000-8000-000000000001');
SELECT * FROM profile.relationships('e9000000-0000-4000-8000-000000000001', ARRAY[
  'e9000000-0000-4000-8000-000000000005', 'e9000000-0000-4000-8000-000000000003', 'e9000000-0000-4000-8000-0000000000ff',
  'e9000000-0000-4000-8000-000000000004', 'e9000000-0000-4000-8000-000000000005', 'e9000000-0000-4000-8000-000000000002']::uuid[]);
SELECT count(*) AS empty FROM profile.relationships('e9000000-0000-4000-8000-000000000001', '{}');
\set VERBOSITY terse
SELECT profile.relationships('e9000000-0000-4000-8000-000000000001', NULL);
SELECT profile.relationships('e9000000-0000-4000-8000-000000000001', ARRAY[NULL]::uuid[]);
SELECT profile.relationships('e9000000-0000-4000-8000-000000000001', ARRAY['00000000-0000-0000-0000-000000000000']::uuid[]);
SELECT profile.relationships(NULL, ARRAY['e9000000-0000-4000-8000-000000000002']::uuid[]);
SELECT profile.relationships('e9000000-0000-4000-8000-000000000001', array_fill('e9000000-0000-4000-8000-000000000002'::uuid, ARRAY[1001]));
SELECT count(*) AS at_1000 FROM profile.relationships('e9000000-0000-4000-8000-000000000001', array_fill('e9000000-0000-4000-8000-000000000002'::uuid, ARRAY[1000]));
