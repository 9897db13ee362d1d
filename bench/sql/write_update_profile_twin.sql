-- update_profile through the PL/pgSQL twin (bench/plpgsql_twin.sql).
\set u random(:first, :users)
\set r random(1, 1000000000)
SELECT 1 FROM twin.update_profile(bench.uid(:u), display_name => 'User ' || :r, bio => 'Bio ' || :r);
