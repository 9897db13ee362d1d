-- listen.sql (as publisher_login): a NOTIFY from an application's write reaches the publisher
-- role's LISTEN. run.sh looks for psql's "Asynchronous notification" line in the output.
LISTEN profile_outbox;
\! psql -X -q -At -U app_login -c "SELECT 1 FROM profile.create_profile('a1000000-0000-4000-8000-000000000010', 'app_listen', 'L')"
SELECT 'after the write';
