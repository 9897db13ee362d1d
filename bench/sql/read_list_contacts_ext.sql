-- A user with 1,000 contacts, the whole list in one page.
\set o random(1, :owners)
SELECT * FROM profile.list_contacts(bench.uid(:o), "limit" => 1000);
