-- update_profile through the extension: display_name and bio change, one ProfileUpdated event.
\set u random(:first, :users)
\set r random(1, 1000000000)
SELECT 1 FROM profile.update_profile(bench.uid(:u), display_name => 'User ' || :r, bio => 'Bio ' || :r);
