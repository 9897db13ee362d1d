-- add_contact then remove_contact through the PL/pgSQL twin.
\set n :users - :first + 1
\set u random(:first, :users)
\set c :first + (:u - :first + random(1, :n - 1)) % :n
SELECT 1 FROM twin.add_contact(bench.uid(:u), bench.uid(:c));
SELECT twin.remove_contact(bench.uid(:u), bench.uid(:c));
