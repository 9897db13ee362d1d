-- set_status through the extension: a random presence; 3 in 4 calls change it (PresenceChanged),
-- the others are heartbeats (last_seen only, no event).
\set u random(:first, :users)
\set s random(1, 4)
SELECT 1 FROM profile.set_status(bench.uid(:u), ('{online,offline,away,busy}'::profile.presence[])[:s]);
