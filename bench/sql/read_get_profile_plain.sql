\set u random(1, :users)
SELECT * FROM profile.profiles WHERE user_id = bench.uid(:u);
