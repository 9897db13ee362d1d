-- 100 ids (one of 1,000 prepared sets), in the order given.
\set n random(1, 1000)
SELECT * FROM profile.get_profiles((SELECT ids FROM bench.id_sets WHERE n = :n));
