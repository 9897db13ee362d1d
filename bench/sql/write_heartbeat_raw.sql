-- The floor for heartbeat: one UPDATE of last_seen, no trigger.
\set u random(:first, :users)
UPDATE raw.profiles SET last_seen = clock_timestamp() WHERE user_id = bench.uid(:u);
