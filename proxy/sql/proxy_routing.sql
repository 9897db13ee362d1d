-- The proxy database, part 1: types and the one routing rule. Installed by proxy/scripts/shards.sh
-- after `CREATE EXTENSION plproxy` and the cluster's SQL/MED server `profile_shards`.
CREATE SCHEMA profile;
CREATE SCHEMA proxy;         -- composition helpers, repair jobs
CREATE SCHEMA proxy_remote;  -- raw PL/Proxy calls into the shards' functions

-- The contract's types, with the shards' labels and column order (plproxy matches result
-- columns by name and passes enum values as text). The tables' row types (profile.profiles,
-- contacts, blocks, mutes) are those of read-only views of every shard's rows.
CREATE TYPE profile.presence AS ENUM ('online', 'offline', 'away', 'busy', 'invisible');
CREATE TYPE profile.audience AS ENUM ('everyone', 'contacts', 'nobody');
\ir proxy_views.sql

-- Routing, the single source of truth: a user lives on partition
--   route_hash(user_id) & (partition_count - 1)
-- route_hash is defined once, in route_hash.sql (here as profile.route_hash; the shards get the
-- same file as shard.route_hash for the split tool). Every proxy function routes with it (RUN ON
-- profile.route(...), which consults proxy.moved_users first); tools use profile.shard_for.
\set route_schema profile
\ir route_hash.sql

-- Partitions p0 .. pN-1 of the SQL/MED server (a power of two, as PL/Proxy requires).
CREATE FUNCTION profile.partition_count() RETURNS integer
LANGUAGE sql STABLE
AS $$
  SELECT count(*)::integer
  FROM pg_foreign_server s, unnest(s.srvoptions) o
  WHERE s.srvname = 'profile_shards' AND o ~ '^p[0-9]+='
$$;

-- Users moved off their hash's partition by proxy/scripts/move-user.sh (empty unless a user was
-- moved): the one exception to route_hash. `frozen` while the move copies the user (reads still
-- go to the source, writes are refused), `moved` once the target serves them.
CREATE TABLE proxy.moved_users (
  user_id   uuid PRIMARY KEY,
  source    integer NOT NULL,
  target    integer NOT NULL CHECK (target <> source),
  state     text NOT NULL CHECK (state IN ('frozen', 'moved')),
  frozen_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- What every proxy function routes with: route_hash, unless the user was moved. PL/pgSQL, so the
-- lookup's plan is cached per session: one primary-key probe of a (nearly always empty) table
-- per call. The partition a moved user is given is below the partition count, so PL/Proxy's
-- mask keeps it.
CREATE FUNCTION profile.route(user_id uuid) RETURNS integer
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  m proxy.moved_users;
BEGIN
  SELECT * INTO m FROM proxy.moved_users x WHERE x.user_id = route.user_id;
  IF NOT FOUND THEN
    RETURN profile.route_hash(route.user_id);
  END IF;
  RETURN CASE m.state WHEN 'moved' THEN m.target ELSE m.source END;
END
$$;

-- Calls that write for the user: as profile.route, but refused while the user is being moved
-- (SQLSTATE 55006, retryable), so no new event is written on the source while it is copied.
CREATE FUNCTION profile.route_write(user_id uuid) RETURNS integer
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  m proxy.moved_users;
BEGIN
  SELECT * INTO m FROM proxy.moved_users x WHERE x.user_id = route_write.user_id;
  IF NOT FOUND THEN
    RETURN profile.route_hash(route_write.user_id);
  ELSIF m.state = 'moved' THEN
    RETURN m.target;
  END IF;
  RAISE EXCEPTION 'user % is being moved to another shard', route_write.user_id
    USING ERRCODE = 'object_in_use', HINT = 'Try again in a moment.';
END
$$;

-- profile.route for every element of an array, in one set-based lookup: what the SPLIT calls route
-- by (RUN ON the parallel array of partitions), since a PL/pgSQL call per element cost 12 µs
-- per id, a third more for get_profiles(100).
CREATE FUNCTION proxy.routes(ids uuid[]) RETURNS integer[]
LANGUAGE sql STABLE
AS $$
  SELECT CASE WHEN ids IS NOT NULL THEN ARRAY(
    SELECT COALESCE(CASE m.state WHEN 'moved' THEN m.target ELSE m.source END, profile.route_hash(u.id))
    FROM unnest(ids) WITH ORDINALITY AS u(id, ord) LEFT JOIN proxy.moved_users m ON m.user_id = u.id
    ORDER BY u.ord) END
$$;

CREATE FUNCTION profile.shard_for(user_id uuid) RETURNS integer
LANGUAGE sql STABLE
AS $$ SELECT profile.route(user_id) & (profile.partition_count() - 1) $$;

-- The connection string of partition N, for tools (user moves, checks).
CREATE FUNCTION profile.shard_connstr(partition integer) RETURNS text
LANGUAGE sql STABLE
AS $$
  SELECT substr(o, length('p' || partition || '=') + 1)
  FROM pg_foreign_server s, unnest(s.srvoptions) o
  WHERE s.srvname = 'profile_shards' AND o LIKE 'p' || partition || '=%'
$$;

-- Composite rows that composition keeps in arrays between PL/Proxy calls (two calls to one
-- cluster may not be open at once).
CREATE TYPE proxy.contact_row AS (
  contact_user_id uuid, nickname text, is_favorite boolean, username text, display_name text,
  avatar_url text, status profile.presence, last_seen timestamptz);
CREATE TYPE proxy.owner_relation AS (
  other uuid, is_contact boolean, is_favorite boolean, blocking boolean, muting boolean,
  muted_until timestamptz);
CREATE TYPE proxy.other_relation AS (other uuid, contact_of boolean);
CREATE TYPE proxy.outbox_stats_row AS (
  pending bigint, oldest_pending_age interval, published bigint, quarantined bigint);
CREATE TYPE proxy.expiry_row AS (kind text, count bigint);
CREATE TYPE proxy.trace_row AS (traced_events bigint, invalid_traceparents bigint);
CREATE TYPE proxy.reservation AS (name_key text, user_id uuid, token uuid);
