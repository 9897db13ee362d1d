-- The same rows in the same order (the order of the ids given), as a plain SELECT.
\set n random(1, 1000)
SELECT p.* FROM unnest((SELECT ids FROM bench.id_sets WHERE n = :n)) WITH ORDINALITY AS u(id, ord)
JOIN profile.profiles p ON p.user_id = u.id ORDER BY u.ord;
