-- 100 ids (one of 1,000 prepared sets) as a viewer sees them.
\set n random(1, 1000)
\set v random(1, :users)
SELECT * FROM profile.get_profiles((SELECT ids FROM bench.id_sets WHERE n = :n), bench.uid(:v));
