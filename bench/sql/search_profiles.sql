-- search_profiles as a random viewer: half username prefixes ("user1234": about 111 matches in
-- 1,000,000), half display-name words ("Lovelace 123": trigram containment, ranked by similarity).
\set i random(1, :users)
\set k random(1, 9999)
\if :i % 2 = 0
SELECT * FROM profile.search_profiles('user' || :k, bench.uid(:i));
\else
SELECT * FROM profile.search_profiles(bench.surname(:k) || ' ' || (:k % 1000), bench.uid(:i));
\endif
