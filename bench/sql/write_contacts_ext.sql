-- add_contact then remove_contact through the extension: two transactions, two events
-- (ContactAdded, ContactRemoved); a "transaction" in pgbench's count is the pair.
\set n :users - :first + 1
\set u random(:first, :users)
\set c :first + (:u - :first + random(1, :n - 1)) % :n
SELECT 1 FROM profile.add_contact(bench.uid(:u), bench.uid(:c));
SELECT profile.remove_contact(bench.uid(:u), bench.uid(:c));
