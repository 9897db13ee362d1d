-- realchat_profile 1.0 -> 1.1. A fresh CREATE EXTENSION runs 1.0 and then this script, so a new
-- database and an upgraded one are the same. Keep every statement safe on a 1.0 database with data.
\echo Use "ALTER EXTENSION realchat_profile UPDATE TO '1.1'" to load this file. \quit

-- Versions never restart: the last version of every deleted user, continued when the same user_id
-- is created again. Written by the profiles trigger; rows stay after a re-creation (the next
-- deletion overwrites them).
CREATE TABLE profile.retired_users (
  user_id      uuid PRIMARY KEY,
  last_version bigint NOT NULL CHECK (last_version > 0),
  deleted_at   timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- Users deleted under 1.0: their last version as far as the outbox still shows it (rows purged
-- before the upgrade are gone, and so is what they knew).
INSERT INTO profile.retired_users (user_id, last_version)
SELECT k.user_id, pg_catalog.max(k.version)
FROM (SELECT CASE WHEN o.key OPERATOR(pg_catalog.~) '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                  THEN o.key::uuid END AS user_id,
             (o.payload OPERATOR(pg_catalog.->>) 'version')::bigint AS version
      FROM profile.outbox o) k
WHERE k.user_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM profile.profiles p WHERE p.user_id OPERATOR(pg_catalog.=) k.user_id)
GROUP BY k.user_id
HAVING pg_catalog.max(k.version) OPERATOR(pg_catalog.>) 0;

-- The triggers switch to the 1.1 entry points. The library keeps the 1.0 ones for databases not
-- yet upgraded, so installing a new library before ALTER EXTENSION UPDATE changes nothing there.
CREATE OR REPLACE FUNCTION profile.profiles_trigger() RETURNS trigger
  AS 'MODULE_PATHNAME', 'rp_profiles_trigger_1_1' LANGUAGE C;

-- ProfileCreated is written after the row is: an INSERT ... ON CONFLICT that skips the row (a
-- conflicting row committed meanwhile) emits nothing.
CREATE TRIGGER profiles_created AFTER INSERT ON profile.profiles
  FOR EACH ROW EXECUTE FUNCTION profile.profiles_trigger();

-- A deleted user's entries in other users' contact lists go once the whole DELETE is done. A
-- multi-row DELETE of users in each other's lists then never updates (bumps the version of) a row
-- that the same statement deletes later. The foreign key waits for commit, when they are gone.
CREATE TRIGGER profiles_deleted AFTER DELETE ON profile.profiles
  REFERENCING OLD TABLE AS deleted_profiles
  FOR EACH STATEMENT EXECUTE FUNCTION profile.profiles_trigger();
ALTER TABLE profile.contacts ALTER CONSTRAINT contacts_contact_user_id_fkey DEFERRABLE INITIALLY DEFERRED;

-- pg_dump carries the data: the tables belong to the extension, so without this a dump holds only
-- CREATE EXTENSION. Restore with session_replication_role = replica (README, "Backups").
SELECT pg_catalog.pg_extension_config_dump('profile.profiles', '');
SELECT pg_catalog.pg_extension_config_dump('profile.contacts', '');
SELECT pg_catalog.pg_extension_config_dump('profile.blocks', '');
SELECT pg_catalog.pg_extension_config_dump('profile.outbox', '');
SELECT pg_catalog.pg_extension_config_dump('profile.retired_users', '');
SELECT pg_catalog.pg_extension_config_dump('profile.outbox_id_seq', '');

-- find_profile_by_username gains viewer, masked as get_profile masks. Grants to profile_app come
-- back with scripts/create-roles.sql, which is run again after every upgrade.
DROP FUNCTION profile.find_profile_by_username(text);
CREATE FUNCTION profile.find_profile_by_username(username text, viewer uuid DEFAULT NULL)
  RETURNS SETOF profile.profiles AS 'MODULE_PATHNAME', 'rp_find_profile_by_username'
  LANGUAGE C STABLE ROWS 1 SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA profile FROM PUBLIC;

-- The 1.1 contract's columns and types (presence, custom status, privacy, mutes, tracing); the
-- functions that use them follow below.
ALTER TYPE profile.presence ADD VALUE IF NOT EXISTS 'invisible';
CREATE TYPE profile.audience AS ENUM ('everyone', 'contacts', 'nobody');
ALTER TABLE profile.profiles
  ADD COLUMN status_text       text,
  ADD COLUMN status_emoji      text,
  ADD COLUMN status_expires_at timestamptz,
  ADD COLUMN presence_audience profile.audience NOT NULL DEFAULT 'everyone',
  ADD COLUMN discoverable      boolean NOT NULL DEFAULT true;

-- Mutes: a mute hides nothing; it tells notification and delivery services to stay quiet.
CREATE TABLE profile.mutes (
  user_id       uuid NOT NULL REFERENCES profile.profiles (user_id),
  muted_user_id uuid NOT NULL REFERENCES profile.profiles (user_id) DEFERRABLE INITIALLY DEFERRED,
  expires_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
  PRIMARY KEY (user_id, muted_user_id),
  CHECK (user_id <> muted_user_id)
);
-- delete_profile removes every other user's mute of the deleted user.
CREATE INDEX mutes_muted_user_id_idx ON profile.mutes (muted_user_id);
SELECT pg_catalog.pg_extension_config_dump('profile.mutes', '');

-- W3C trace context of the writing transaction (realchat_profile.traceparent), sent as a header.
ALTER TABLE profile.outbox ADD COLUMN traceparent text;

-- delete_profile locks the holders of the user's mutes too.
CREATE OR REPLACE FUNCTION profile.delete_profile(user_id uuid)
  RETURNS boolean AS 'MODULE_PATHNAME', 'rp_delete_profile_1_1'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- ---------------------------------------------------------------------------------------------
-- Privacy and the social graph: set_privacy (PrivacyChanged comes from the profiles trigger),
-- mutes, relationships and search. The visibility rules live in the library (core/visibility.h).
CREATE FUNCTION profile.set_privacy(user_id uuid, presence_audience profile.audience DEFAULT NULL,
                                    discoverable boolean DEFAULT NULL)
  RETURNS profile.profiles AS 'MODULE_PATHNAME', 'rp_set_privacy'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- Mutes: the trigger validates and writes UserMuted / UserUnmuted, for hand-made DML too.
CREATE FUNCTION profile.mutes_trigger() RETURNS trigger
  AS 'MODULE_PATHNAME', 'rp_mutes_trigger' LANGUAGE C;
CREATE TRIGGER mutes_change BEFORE INSERT OR UPDATE OR DELETE ON profile.mutes
  FOR EACH ROW EXECUTE FUNCTION profile.mutes_trigger();
-- Expiry takes the oldest expired mutes first.
CREATE INDEX mutes_expires_at_idx ON profile.mutes (expires_at) WHERE expires_at IS NOT NULL;

CREATE FUNCTION profile.mute_user(user_id uuid, muted_user_id uuid, expires_at timestamptz DEFAULT NULL)
  RETURNS profile.mutes AS 'MODULE_PATHNAME', 'rp_mute_user'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION profile.unmute_user(user_id uuid, muted_user_id uuid)
  RETURNS boolean AS 'MODULE_PATHNAME', 'rp_unmute_user'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION profile.list_mutes(user_id uuid, after uuid DEFAULT NULL, "limit" int DEFAULT 100)
  RETURNS SETOF profile.mutes AS 'MODULE_PATHNAME', 'rp_list_mutes'
  LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION profile.is_muted(user_id uuid, other uuid)
  RETURNS boolean AS 'MODULE_PATHNAME', 'rp_is_muted'
  LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.relationships(user_id uuid, others uuid[])
  RETURNS TABLE (other uuid, is_contact boolean, is_favorite boolean, contact_of boolean,
                 blocking boolean, muting boolean, muted_until timestamptz)
  AS 'MODULE_PATHNAME', 'rp_relationships'
  LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- Search: username prefixes through a byte-order btree, display names through trigrams
-- (pg_trgm, a required extension, in whatever schema it was installed into).
CREATE INDEX profiles_username_prefix_idx ON profile.profiles (pg_catalog.lower(username) text_pattern_ops);
DO $search$
BEGIN
  EXECUTE pg_catalog.format(
    'CREATE INDEX profiles_display_name_trgm_idx ON profile.profiles USING gin (pg_catalog.lower(display_name) %I.gin_trgm_ops)',
    (SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_trgm'));
END
$search$;
CREATE FUNCTION profile.search_profiles(query text, viewer uuid DEFAULT NULL, "limit" int DEFAULT 20)
  RETURNS SETOF profile.profiles AS 'MODULE_PATHNAME', 'rp_search_profiles'
  LANGUAGE C STABLE ROWS 20 SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION profile.set_privacy(uuid, profile.audience, boolean), profile.mutes_trigger(),
  profile.mute_user(uuid, uuid, timestamptz), profile.unmute_user(uuid, uuid),
  profile.list_mutes(uuid, uuid, int), profile.is_muted(uuid, uuid), profile.relationships(uuid, uuid[]),
  profile.search_profiles(text, uuid, int) FROM PUBLIC;

-- Presence, idleness, custom status, expiry and trace context.
-- Presence state the profile row does not show: for a user whom idleness made away, the status
-- to return to on activity; for an invisible user, last_seen as it was when they went invisible
-- (what other viewers see). A row exists only while the user is idle-away or invisible; the
-- profiles trigger writes it, and it goes with the profile.
CREATE TABLE profile.presence_state (
  user_id          uuid PRIMARY KEY REFERENCES profile.profiles (user_id) ON DELETE CASCADE,
  idle_from        profile.presence,
  frozen_last_seen timestamptz
);
SELECT pg_catalog.pg_extension_config_dump('profile.presence_state', '');

-- Custom status expiry finds its rows without a scan; rarely written, so heartbeats stay HOT.
CREATE INDEX profiles_status_expires_at_idx ON profile.profiles (status_expires_at)
  WHERE status_expires_at IS NOT NULL;

CREATE FUNCTION profile.heartbeat(user_id uuid)
  RETURNS profile.profiles AS 'MODULE_PATHNAME', 'rp_heartbeat'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.set_custom_status(user_id uuid, status_text text, status_emoji text DEFAULT NULL,
                                          expires_at timestamptz DEFAULT NULL)
  RETURNS profile.profiles AS 'MODULE_PATHNAME', 'rp_set_custom_status'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.clear_custom_status(user_id uuid)
  RETURNS profile.profiles AS 'MODULE_PATHNAME', 'rp_clear_custom_status'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- Operators (or pg_cron) run it when the library is not preloaded; its worker runs it otherwise.
CREATE FUNCTION profile.run_expiry()
  RETURNS TABLE(kind text, count bigint) AS 'MODULE_PATHNAME', 'rp_run_expiry'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- This session's events written with a traceparent, and those whose invalid value was dropped.
CREATE FUNCTION profile.trace_stats()
  RETURNS TABLE(traced_events bigint, invalid_traceparents bigint) AS 'MODULE_PATHNAME', 'rp_trace_stats'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION profile.heartbeat(uuid), profile.set_custom_status(uuid, text, text, timestamptz),
  profile.clear_custom_status(uuid), profile.run_expiry(), profile.trace_stats() FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Hot paths without a per-call SET: these functions pin the catalog-only search path inside the
-- library for the whole call (rp_call_pinned in extension/spi.cpp). A SET clause saved and
-- restored the GUC on every call and made the caller's next statement recompute its search path;
-- tests/security (hijack_*.sql) calls each of them under a hostile search path.
ALTER FUNCTION profile.heartbeat(uuid) RESET search_path;
ALTER FUNCTION profile.update_profile(uuid, text, text, text, text) RESET search_path;
ALTER FUNCTION profile.get_profile(uuid, uuid) RESET search_path;
ALTER FUNCTION profile.get_profiles(uuid[], uuid) RESET search_path;
ALTER FUNCTION profile.relationships(uuid, uuid[]) RESET search_path;

-- ---------------------------------------------------------------------------------------------
-- Room for HOT updates. Presence, last_seen and custom status change far more often than any
-- indexed column; an update that finds room on its row's page writes no index entry at all
-- (five indexes, the trigram GIN among them), while one that must move to another page writes
-- all of them, and the expiry of a backlog (run_expiry, the worker) makes many such changes at
-- once beside the writers. Pages written from now on keep 15% free; a 1.0 database's existing
-- pages get it when rewritten (VACUUM FULL, pg_repack).
ALTER TABLE profile.profiles SET (fillfactor = 85);
