-- relationships of a list owner (users 1 to 20 hold 1,000 contacts each) with 100 users.
\set o random(1, :owners)
\set n random(1, 1000)
SELECT * FROM profile.relationships(bench.uid(:o), (SELECT ids FROM bench.id_sets WHERE n = :n));
