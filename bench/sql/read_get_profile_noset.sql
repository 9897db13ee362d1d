-- get_profile's C function without SECURITY DEFINER and SET search_path (GUC cost).
\set u random(1, :users)
SELECT * FROM bench.get_profile_noset(bench.uid(:u));
