-- get_profile as a viewer sees it: every visibility rule applied.
\set u random(1, :users)
\set v random(1, :users)
SELECT * FROM profile.get_profile(bench.uid(:u), bench.uid(:v));
