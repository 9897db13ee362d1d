-- Installed in every shard database next to realchat_profile (proxy/scripts/shards.sh).
-- Schema `shard`: what the proxy needs beyond the contract functions to compose cross-shard
-- answers. Nothing here is called by applications; the proxy's connection role runs it.
CREATE SCHEMA shard;

-- The proxy's routing rule, from the same file (used by keep_partition when a partition splits).
\set route_schema shard
\ir route_hash.sql

-- Shadow rows. A contact, block or mute whose other user lives on another shard needs that user
-- in this shard's profile.profiles (the list tables' foreign keys and the triggers' existence
-- checks). A shadow is a placeholder row written with triggers off, so it writes no event and
-- consumes no version: the user's real row and stream stay on their home shard. The proxy never
-- shows a shadow's fields; it reads the real ones from the home shard.
CREATE TABLE shard.shadows (
  user_id    uuid PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Hand-made changes through the proxy's views, applied here (shard_profile_writes.sql).
\ir shard_profile_writes.sql

-- The proxy session's realchat_profile.* settings, applied for one forwarded call.
\ir shard_settings.sql

CREATE FUNCTION shard.ensure_shadow(user_id uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET session_replication_role = replica
AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM profile.profiles p WHERE p.user_id = ensure_shadow.user_id) THEN
    RETURN false;
  END IF;
  -- '~' is outside the username alphabet: a shadow never meets a real name in the unique index,
  -- in find_profile_by_username or in a search.
  INSERT INTO profile.profiles (user_id, username, display_name, discoverable)
  VALUES (ensure_shadow.user_id, '~' || ensure_shadow.user_id::text, '~', false)
  ON CONFLICT DO NOTHING;
  INSERT INTO shard.shadows (user_id) VALUES (ensure_shadow.user_id) ON CONFLICT DO NOTHING;
  RETURN true;
END
$$;

-- A deleted user leaves this shard: every contact entry and mute that names them goes through
-- the ordinary DML path, so the triggers write ContactRemoved / UserUnmuted into each owner's
-- stream; then the shadow goes (triggers off again, no event). Blocks stay, as on one database:
-- a block outlives the blocked user's profile. Idempotent; returns the number of list rows removed.
CREATE FUNCTION shard.forget_user(user_id uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  removed integer := 0;
  n integer;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = forget_user.user_id) THEN
    RETURN 0;  -- a real user here (their home deleted them) or nothing at all
  END IF;
  -- Waits for an add_contact / mute_user in flight that holds the shadow FOR KEY SHARE.
  PERFORM 1 FROM profile.profiles p WHERE p.user_id = forget_user.user_id FOR UPDATE;
  DELETE FROM profile.contacts c WHERE c.contact_user_id = forget_user.user_id;
  GET DIAGNOSTICS n = ROW_COUNT;
  removed := removed + n;
  DELETE FROM profile.mutes m WHERE m.muted_user_id = forget_user.user_id;
  GET DIAGNOSTICS n = ROW_COUNT;
  removed := removed + n;
  PERFORM shard.drop_shadow(forget_user.user_id);
  RETURN removed;
END
$$;

CREATE FUNCTION shard.drop_shadow(user_id uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET session_replication_role = replica
AS $$
BEGIN
  DELETE FROM profile.profiles p WHERE p.user_id = drop_shadow.user_id
    AND EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = drop_shadow.user_id);
  DELETE FROM shard.shadows s WHERE s.user_id = drop_shadow.user_id;
END
$$;

-- Shadows on this shard, for the proxy's repair sweep (a shadow whose user is gone at home).
CREATE FUNCTION shard.list_shadows() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT user_id FROM shard.shadows ORDER BY user_id $$;

-- Users this shard deleted within `since` (the extension's retired_users), not back since: the
-- proxy's finish_deletes job frees their names and removes them from other shards' lists.
CREATE FUNCTION shard.recently_deleted(since interval) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT r.user_id FROM profile.retired_users r
  WHERE r.deleted_at > now() - since
    AND NOT EXISTS (SELECT 1 FROM profile.profiles p WHERE p.user_id = r.user_id)
  ORDER BY r.user_id
$$;

-- Facts about home users (never shadows) that another shard's rules need.
-- presence_audience: reciprocity (rule 4) for a viewer whose home is elsewhere.
CREATE FUNCTION shard.presence_audience(user_id uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT p.presence_audience::text FROM profile.profiles p
  WHERE p.user_id = presence_audience.user_id
    AND NOT EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = p.user_id)
$$;

-- A home user's existence (never a shadow).
CREATE FUNCTION shard.user_exists(user_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT EXISTS (SELECT 1 FROM profile.profiles p WHERE p.user_id = user_exists.user_id
                 AND NOT EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = p.user_id))
$$;

-- can_interact's half on one user's home: does `me` exist here, and does `me` block `other`.
-- is_blocked validates both ids as the contract does (22004, 22023).
CREATE FUNCTION shard.interaction_facts(me uuid, other uuid, OUT me_exists boolean, OUT me_blocks_other boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT shard.user_exists(me), profile.is_blocked(me, other) $$;

-- relationships, the owner's side, for every distinct id in `others` (existing or not: the proxy
-- keeps the ones that exist at home). The extension's function runs first for its validation.
CREATE FUNCTION shard.owner_relations(user_id uuid, others uuid[])
RETURNS TABLE (other uuid, is_contact boolean, is_favorite boolean, blocking boolean,
               muting boolean, muted_until timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM count(*) FROM profile.relationships(owner_relations.user_id, others);
  RETURN QUERY
  SELECT o.id, c.user_id IS NOT NULL, COALESCE(c.is_favorite, false),
         EXISTS (SELECT 1 FROM profile.blocks b WHERE b.user_id = owner_relations.user_id AND b.blocked_user_id = o.id),
         m.user_id IS NOT NULL, m.expires_at
  FROM (SELECT DISTINCT t.id FROM unnest(others) AS t(id)) o
  LEFT JOIN profile.contacts c ON c.user_id = owner_relations.user_id AND c.contact_user_id = o.id
  LEFT JOIN profile.mutes m ON m.user_id = owner_relations.user_id AND m.muted_user_id = o.id
    AND (m.expires_at IS NULL OR m.expires_at > now());
END
$$;

-- relationships, the other side: which of `others` live here and have `user_id` among their
-- contacts (contact_of). Called with the ids of this shard only (SPLIT).
CREATE FUNCTION shard.others_relations(others uuid[], user_id uuid)
RETURNS TABLE (other uuid, contact_of boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT p.user_id,
         EXISTS (SELECT 1 FROM profile.contacts c WHERE c.user_id = p.user_id
                 AND c.contact_user_id = others_relations.user_id)
  FROM profile.profiles p
  WHERE p.user_id = ANY (others)
    AND NOT EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = p.user_id)
$$;

-- Which of `ids` does `user_id` block (search leaves out users the viewer blocks; the viewer's
-- blocks live on the viewer's home).
CREATE FUNCTION shard.blocked_among(user_id uuid, ids uuid[]) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT b.blocked_user_id FROM profile.blocks b
  WHERE b.user_id = blocked_among.user_id AND b.blocked_user_id = ANY (ids)
$$;

-- search_profiles on one shard, its home users only, with the similarity the proxy merges by.
-- Every shard is asked for the contract's maximum (50) once the caller's limit has been checked
-- by the extension itself, so users the viewer blocks (known only on the viewer's home) can be
-- dropped by the proxy without running short.
CREATE FUNCTION shard.search_home(query text, viewer uuid, "limit" int)
RETURNS SETOF profile.profiles
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF "limit" IS NULL OR "limit" < 1 OR "limit" > 50 THEN
    RETURN QUERY SELECT * FROM profile.search_profiles(query, viewer, "limit");  -- raises as the contract says
    RETURN;
  END IF;
  RETURN QUERY
  SELECT r.* FROM profile.search_profiles(query, viewer, 50) r
  WHERE NOT EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = r.user_id);
END
$$;

-- Username registry. Used on partition 0 only (the designated registry shard; installed
-- everywhere so any shard can take the role). One row per lower-cased username:
--   pending: reserved by one create_profile / update_profile attempt (its token), not yet confirmed
--   taken:   held by user_id; its profile on the home shard carries that username
CREATE TABLE shard.usernames (
  name_key    text PRIMARY KEY,
  user_id     uuid NOT NULL,
  state       text NOT NULL CHECK (state IN ('pending', 'taken')),
  token       uuid,
  reserved_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX usernames_user_id_idx ON shard.usernames (user_id);
CREATE INDEX usernames_pending_idx ON shard.usernames (reserved_at) WHERE state = 'pending';

-- Phase 1. true: a pending row for this attempt; false: the user already holds the name (a
-- change of case only); 23505 when anybody else (or another attempt) holds it. A concurrent
-- reservation of the same name waits on the primary key and then sees the winner's row.
CREATE FUNCTION shard.reserve_username(username text, user_id uuid, token uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  held shard.usernames;
BEGIN
  FOR attempt IN 1 .. 3 LOOP
    INSERT INTO shard.usernames (name_key, user_id, state, token)
    VALUES (lower(username), reserve_username.user_id, 'pending', reserve_username.token)
    ON CONFLICT (name_key) DO NOTHING;
    IF FOUND THEN
      RETURN true;
    END IF;
    SELECT * INTO held FROM shard.usernames u WHERE u.name_key = lower(username);
    IF FOUND THEN
      IF held.user_id = reserve_username.user_id AND held.state = 'taken' THEN
        RETURN false;
      END IF;
      RAISE EXCEPTION 'username "%" is already taken', username USING ERRCODE = 'unique_violation';
    END IF;
    -- released between the insert and the read: try again
  END LOOP;
  RAISE EXCEPTION 'username "%" is already taken', username USING ERRCODE = 'unique_violation';
END
$$;

-- Phase 2 after the home shard committed: the name is the user's; the names they held before
-- (a rename) are released. false if the reservation is gone (see the proxy's sweep).
CREATE FUNCTION shard.confirm_username(username text, token uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  owner uuid;
BEGIN
  UPDATE shard.usernames u SET state = 'taken', token = NULL
  WHERE u.name_key = lower(username) AND u.token = confirm_username.token
  RETURNING u.user_id INTO owner;
  IF owner IS NULL THEN
    RETURN false;
  END IF;
  DELETE FROM shard.usernames u
  WHERE u.user_id = owner AND u.state = 'taken' AND u.name_key <> lower(username);
  RETURN true;
END
$$;

-- Phase 2 after the home shard refused: the attempt's reservation goes.
CREATE FUNCTION shard.release_username(username text, token uuid) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  WITH gone AS (DELETE FROM shard.usernames u
                WHERE u.name_key = lower(username) AND u.token = release_username.token AND u.state = 'pending'
                RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM gone)
$$;

-- After delete_profile: the user's names are free again.
CREATE FUNCTION shard.release_user(user_id uuid) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  WITH gone AS (DELETE FROM shard.usernames u WHERE u.user_id = release_user.user_id AND u.state = 'taken'
                RETURNING 1)
  SELECT count(*)::integer FROM gone
$$;

-- Reservations left pending longer than `older_than` (an attempt whose proxy died between the phases).
CREATE FUNCTION shard.stale_reservations(older_than interval)
RETURNS TABLE (name_key text, user_id uuid, token uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT u.name_key, u.user_id, u.token FROM shard.usernames u
  WHERE u.state = 'pending' AND u.reserved_at < now() - older_than
  ORDER BY u.reserved_at
$$;

-- The home user's current username (lower-cased), null if the user is not at home here.
CREATE FUNCTION shard.username_key(user_id uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT lower(p.username) FROM profile.profiles p
  WHERE p.user_id = username_key.user_id
    AND NOT EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = p.user_id)
$$;

-- Growth (proxy/scripts/split.sh): this database is one of two identical copies of a partition
-- and keeps what routes to `partition` of `partition_count`. With triggers off (no event: the
-- other copy keeps those users' rows, versions and outbox rows, published or not):
-- users routed elsewhere lose their rows here and become shadows where lists here still name
-- them; outbox rows and retired versions of users routed elsewhere go; the username registry
-- stays on partition 0 only.
CREATE FUNCTION shard.keep_partition(partition integer, partition_count integer)
RETURNS TABLE (users_moved bigint, shadows_kept bigint, outbox_rows_moved bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET session_replication_role = replica
AS $$
DECLARE
  mask integer := partition_count - 1;
BEGIN
  IF partition_count < 1 OR partition_count & mask <> 0 OR partition < 0 OR partition > mask THEN
    RAISE EXCEPTION 'partition % of % is not a partition of a power-of-two count', partition, partition_count
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  CREATE TEMP TABLE leaving ON COMMIT DROP AS
    SELECT p.user_id FROM profile.profiles p
    WHERE shard.route_hash(p.user_id) & mask <> partition
      AND NOT EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = p.user_id);
  users_moved := (SELECT count(*) FROM leaving);
  DELETE FROM profile.contacts c USING leaving l WHERE c.user_id = l.user_id;
  DELETE FROM profile.blocks b USING leaving l WHERE b.user_id = l.user_id;
  DELETE FROM profile.mutes m USING leaving l WHERE m.user_id = l.user_id;
  DELETE FROM profile.presence_state ps USING leaving l WHERE ps.user_id = l.user_id;
  DELETE FROM profile.outbox o WHERE shard.route_hash(o.key::uuid) & mask <> partition;
  GET DIAGNOSTICS outbox_rows_moved = ROW_COUNT;
  DELETE FROM profile.retired_users r WHERE shard.route_hash(r.user_id) & mask <> partition;
  -- Still named by a list here: the row stays as a shadow.
  INSERT INTO shard.shadows (user_id)
    SELECT l.user_id FROM leaving l
    WHERE EXISTS (SELECT 1 FROM profile.contacts c WHERE c.contact_user_id = l.user_id)
       OR EXISTS (SELECT 1 FROM profile.mutes m WHERE m.muted_user_id = l.user_id);
  GET DIAGNOSTICS shadows_kept = ROW_COUNT;
  UPDATE profile.profiles p SET username = '~' || p.user_id::text, display_name = '~', bio = '',
         avatar_url = NULL, status = 'offline', last_seen = NULL, version = 0, status_text = NULL,
         status_emoji = NULL, status_expires_at = NULL, presence_audience = 'everyone', discoverable = false
    FROM leaving l WHERE p.user_id = l.user_id
     AND EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = l.user_id);
  DELETE FROM profile.profiles p USING leaving l WHERE p.user_id = l.user_id
     AND NOT EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = l.user_id);
  IF partition <> 0 THEN
    DELETE FROM shard.usernames;
  END IF;
  RETURN NEXT;
END
$$;

-- Moving one user between shards (proxy/scripts/move-user.sh; docs/sharding.md, Growth).
-- On the source, in the transaction that stays open until the user is gone from here: lock the
-- user's list rows, then their profile row (the order in which a list change and its event lock
-- them), so no event of the user can be written here until this transaction ends. Returns the
-- user's outbox rows the publisher has not sent yet: the move waits until there are none, so
-- every event written here is in Kafka before the target writes the next one.
CREATE FUNCTION shard.lock_user_for_move(user_id uuid) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF NOT shard.user_exists(user_id) THEN
    RAISE EXCEPTION 'user % does not live on this shard', user_id USING ERRCODE = 'no_data_found';
  END IF;
  PERFORM 1 FROM profile.contacts c WHERE c.user_id = lock_user_for_move.user_id FOR UPDATE;
  PERFORM 1 FROM profile.blocks b WHERE b.user_id = lock_user_for_move.user_id FOR UPDATE;
  PERFORM 1 FROM profile.mutes m WHERE m.user_id = lock_user_for_move.user_id FOR UPDATE;
  PERFORM 1 FROM profile.profiles p WHERE p.user_id = lock_user_for_move.user_id FOR UPDATE;
  RETURN (SELECT count(*) FROM profile.outbox o
          WHERE o.key = lock_user_for_move.user_id::text AND o.published_at IS NULL AND o.quarantined_at IS NULL);
END
$$;

-- Everything of one home user, for the target: the profile row (with its version), the user's
-- lists, presence state, retired version, every outbox row (all sent), and which other users
-- the lists name (the target needs a row for each: a shadow if they live elsewhere).
CREATE FUNCTION shard.export_user(user_id uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT jsonb_build_object(
    'user_id', export_user.user_id,
    'profile', (SELECT to_jsonb(p) FROM profile.profiles p WHERE p.user_id = export_user.user_id),
    'contacts', (SELECT coalesce(jsonb_agg(to_jsonb(c)), '[]') FROM profile.contacts c WHERE c.user_id = export_user.user_id),
    'blocks', (SELECT coalesce(jsonb_agg(to_jsonb(b)), '[]') FROM profile.blocks b WHERE b.user_id = export_user.user_id),
    'mutes', (SELECT coalesce(jsonb_agg(to_jsonb(m)), '[]') FROM profile.mutes m WHERE m.user_id = export_user.user_id),
    'presence_state', (SELECT coalesce(jsonb_agg(to_jsonb(s)), '[]') FROM profile.presence_state s WHERE s.user_id = export_user.user_id),
    'retired', (SELECT coalesce(jsonb_agg(to_jsonb(r)), '[]') FROM profile.retired_users r WHERE r.user_id = export_user.user_id),
    'outbox', (SELECT coalesce(jsonb_agg(to_jsonb(o) ORDER BY o.id), '[]') FROM profile.outbox o WHERE o.key = export_user.user_id::text),
    'named', (SELECT coalesce(jsonb_agg(DISTINCT n.id), '[]') FROM (
        SELECT c.contact_user_id FROM profile.contacts c WHERE c.user_id = export_user.user_id
        UNION SELECT m.muted_user_id FROM profile.mutes m WHERE m.user_id = export_user.user_id
        UNION SELECT b.blocked_user_id FROM profile.blocks b WHERE b.user_id = export_user.user_id
          AND EXISTS (SELECT 1 FROM profile.profiles p WHERE p.user_id = b.blocked_user_id)) AS n(id)))
$$;

-- On the target, one transaction with triggers off (no event: the rows and versions continue
-- the user's stream, they do not add to it). Replaces whatever an earlier, cut-short run wrote,
-- and turns a shadow of the user into the real row. Returns the number of outbox rows copied.
CREATE FUNCTION shard.import_user(doc jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET session_replication_role = replica
AS $$
DECLARE
  uid uuid := (doc->>'user_id')::uuid;
  copied integer;
BEGIN
  IF doc->'profile' IS NULL OR jsonb_typeof(doc->'profile') <> 'object' THEN
    RAISE EXCEPTION 'no profile for user % in the export', uid USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM shard.ensure_shadow(n.id) FROM jsonb_array_elements_text(doc->'named') AS t(x), LATERAL (SELECT t.x::uuid) AS n(id)
    WHERE n.id <> uid;
  DELETE FROM profile.contacts c WHERE c.user_id = uid;
  DELETE FROM profile.blocks b WHERE b.user_id = uid;
  DELETE FROM profile.mutes m WHERE m.user_id = uid;
  DELETE FROM profile.presence_state s WHERE s.user_id = uid;
  DELETE FROM profile.retired_users r WHERE r.user_id = uid;
  DELETE FROM profile.outbox o WHERE o.key = uid::text;
  DELETE FROM profile.profiles p WHERE p.user_id = uid;
  DELETE FROM shard.shadows s WHERE s.user_id = uid;
  INSERT INTO profile.profiles SELECT * FROM jsonb_populate_record(NULL::profile.profiles, doc->'profile');
  INSERT INTO profile.contacts SELECT * FROM jsonb_populate_recordset(NULL::profile.contacts, doc->'contacts');
  INSERT INTO profile.blocks SELECT * FROM jsonb_populate_recordset(NULL::profile.blocks, doc->'blocks');
  INSERT INTO profile.mutes SELECT * FROM jsonb_populate_recordset(NULL::profile.mutes, doc->'mutes');
  INSERT INTO profile.presence_state SELECT * FROM jsonb_populate_recordset(NULL::profile.presence_state, doc->'presence_state');
  INSERT INTO profile.retired_users SELECT * FROM jsonb_populate_recordset(NULL::profile.retired_users, doc->'retired');
  -- New ids here, in the source's order; sent (or quarantined) already, so no publisher sends them again.
  INSERT INTO profile.outbox (topic, key, payload, created_at, published_at, quarantined_at, last_error, traceparent)
    SELECT o.topic, o.key, o.payload, o.created_at, o.published_at, o.quarantined_at, o.last_error, o.traceparent
    FROM jsonb_populate_recordset(NULL::profile.outbox, doc->'outbox') o ORDER BY o.id;
  GET DIAGNOSTICS copied = ROW_COUNT;
  RETURN copied;
END
$$;

-- On the source once the target has the user (same transaction as lock_user_for_move), with
-- triggers off: the user's rows and outbox rows go; where lists here still name the user, a
-- fresh shadow row takes the profile's place (a new row: a change that waited for the lock
-- finds the user gone rather than writing into the shadow). Idempotent.
CREATE FUNCTION shard.drop_moved_user(user_id uuid) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET session_replication_role = replica
AS $$
DECLARE
  uid uuid := drop_moved_user.user_id;
  dropped bigint;
BEGIN
  IF NOT shard.user_exists(uid) THEN
    RETURN 0;  -- gone already, or only a shadow here
  END IF;
  DELETE FROM profile.contacts c WHERE c.user_id = uid;
  DELETE FROM profile.blocks b WHERE b.user_id = uid;
  DELETE FROM profile.mutes m WHERE m.user_id = uid;
  DELETE FROM profile.presence_state s WHERE s.user_id = uid;
  DELETE FROM profile.retired_users r WHERE r.user_id = uid;
  DELETE FROM profile.outbox o WHERE o.key = uid::text;
  GET DIAGNOSTICS dropped = ROW_COUNT;
  DELETE FROM profile.profiles p WHERE p.user_id = uid;
  IF EXISTS (SELECT 1 FROM profile.contacts c WHERE c.contact_user_id = uid)
     OR EXISTS (SELECT 1 FROM profile.mutes m WHERE m.muted_user_id = uid) THEN
    INSERT INTO profile.profiles (user_id, username, display_name, discoverable)
    VALUES (uid, '~' || uid::text, '~', false);
    INSERT INTO shard.shadows (user_id) VALUES (uid) ON CONFLICT DO NOTHING;
  END IF;
  RETURN dropped;
END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA shard FROM PUBLIC;
