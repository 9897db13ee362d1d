-- bench/setup.sql: the benchmark's helpers and the raw-SQL floor's tables.
-- Run by bench/run.sh after CREATE EXTENSION realchat_profile, before plpgsql_twin.sql.
--
--   bench.uid(i)        user number i as a uuid (00000000-0000-4000-8000-<i in hex>)
--   bench.id_sets       1,000 sets of 100 distinct user ids, for get_profiles
--   raw.*               copies of profile.* with the same columns, indexes and foreign keys
--                       but no triggers: the floor scripts write there (UPDATE + INSERT into
--                       raw.outbox in one statement, no function, no validation)
--   bench.*_noset       the extension's own C functions declared without SECURITY DEFINER and
--                       SET search_path, to measure what the GUC save/restore of a call costs

CREATE SCHEMA bench;

-- Inlined by the planner (a plain SQL expression), so every variant pays the same for it.
CREATE FUNCTION bench.uid(i int) RETURNS uuid
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid $$;

CREATE TABLE bench.id_sets (n int PRIMARY KEY, ids uuid[] NOT NULL);

CREATE SCHEMA raw;
CREATE TABLE raw.profiles (LIKE profile.profiles INCLUDING ALL);
-- LIKE copies no storage parameters: the floor gets the extension table's room for HOT updates.
ALTER TABLE raw.profiles SET (fillfactor = 85);
CREATE TABLE raw.contacts (LIKE profile.contacts INCLUDING ALL,
  FOREIGN KEY (user_id) REFERENCES raw.profiles (user_id),
  FOREIGN KEY (contact_user_id) REFERENCES raw.profiles (user_id));
CREATE TABLE raw.blocks (LIKE profile.blocks INCLUDING ALL,
  FOREIGN KEY (user_id) REFERENCES raw.profiles (user_id));
CREATE TABLE raw.outbox (LIKE profile.outbox INCLUDING ALL);

-- RFC 3339 UTC with microseconds, as the extension writes occurred_at and last_seen.
CREATE FUNCTION bench.ts(t timestamptz) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

CREATE FUNCTION bench.update_profile_noset(user_id uuid, username text DEFAULT NULL,
                                           display_name text DEFAULT NULL, bio text DEFAULT NULL,
                                           avatar_url text DEFAULT NULL)
  RETURNS profile.profiles AS '$libdir/realchat_profile', 'rp_update_profile' LANGUAGE C VOLATILE;
CREATE FUNCTION bench.get_profile_noset(user_id uuid, viewer uuid DEFAULT NULL)
  RETURNS SETOF profile.profiles AS '$libdir/realchat_profile', 'rp_get_profile'
  LANGUAGE C STABLE ROWS 1;

-- Populates :users profiles through the extension's trigger (validation, version 1,
-- ProfileCreated in the outbox), and gives users 1..:owners 1,000 contacts each among
-- users :owners+1..:users (ContactAdded events, versions bumped). Called from run.sh.
CREATE PROCEDURE bench.populate(users int, owners int)
  LANGUAGE plpgsql AS $$
DECLARE
  span int := users - owners;
BEGIN
  INSERT INTO profile.profiles (user_id, username, display_name, bio)
  SELECT bench.uid(i), 'user' || i, 'User ' || i, 'Hello, I am user number ' || i
  FROM generate_series(1, users) i;
  COMMIT;
  INSERT INTO profile.contacts (user_id, contact_user_id, nickname)
  SELECT bench.uid(o), bench.uid(owners + 1 + ((o - 1) * 1000 + k) % span),
         CASE WHEN k % 3 = 0 THEN 'friend ' || k END
  FROM generate_series(1, owners) o, generate_series(0, 999) k;
  COMMIT;
  INSERT INTO bench.id_sets
  SELECT n, ARRAY(SELECT bench.uid(1 + (n * 7919 + k * 104729) % users) FROM generate_series(0, 99) k)
  FROM generate_series(1, 1000) n;
END
$$;

-- Copies what populate wrote into the floor's and the twin's tables, with triggers
-- and foreign-key checks off for the copy only.
CREATE PROCEDURE bench.copy_to_mirrors()
  LANGUAGE plpgsql AS $$
BEGIN
  SET LOCAL session_replication_role = replica;
  INSERT INTO raw.profiles SELECT * FROM profile.profiles;
  INSERT INTO raw.contacts SELECT * FROM profile.contacts;
  INSERT INTO twin.profiles SELECT * FROM profile.profiles;
  INSERT INTO twin.contacts SELECT * FROM profile.contacts;
END
$$;
