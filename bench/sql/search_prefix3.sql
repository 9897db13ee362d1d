-- search_profiles for the first 3 characters of a random user's username (what a user typing a
-- name sends first): "use" for the 200,000 populated users, "ada", "gra", "ala", ... for the
-- others, each the prefix of 100,000 or more usernames. A random viewer.
\set i random(1, :users)
\set v random(1, :users)
SELECT * FROM profile.search_profiles(bench.prefix3(:i), bench.uid(:v));
