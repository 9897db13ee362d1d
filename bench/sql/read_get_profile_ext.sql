\set u random(1, :users)
SELECT * FROM profile.get_profile(bench.uid(:u));
