-- set_status through the PL/pgSQL twin.
\set u random(:first, :users)
\set s random(1, 4)
SELECT 1 FROM twin.set_status(bench.uid(:u), ('{online,offline,away,busy}'::profile.presence[])[:s]);
