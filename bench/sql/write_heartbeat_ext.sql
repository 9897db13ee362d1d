-- heartbeat through the extension: last_seen = now, no event (the profiles trigger runs).
\set u random(:first, :users)
SELECT 1 FROM profile.heartbeat(bench.uid(:u));
