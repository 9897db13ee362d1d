-- The same C function as update_profile, declared without SECURITY DEFINER and SET search_path:
-- the difference to write_update_profile_ext.sql is the cost of the per-call GUC save/restore.
\set u random(:first, :users)
\set r random(1, 1000000000)
SELECT 1 FROM bench.update_profile_noset(bench.uid(:u), display_name => 'User ' || :r, bio => 'Bio ' || :r);
