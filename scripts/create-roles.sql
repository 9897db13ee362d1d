-- create-roles.sql: the three group roles of the Profile Service (see docs/roles.md).
--
--   psql -X -v ON_ERROR_STOP=1 -d DBNAME -f scripts/create-roles.sql
--
-- Run as a superuser (or a role with CREATEROLE that owns the extension's objects), after
-- CREATE EXTENSION realchat_profile, in every database that has the extension. Idempotent: it
-- creates missing roles and brings their privileges on schema "profile" back to exactly the set
-- below, so running it again after an upgrade also covers new functions and tables.
--
-- The roles are NOLOGIN groups; give each service its own login and make it a member:
--   CREATE ROLE chat_api LOGIN PASSWORD '...' IN ROLE profile_app;
\set ON_ERROR_STOP on

BEGIN;
-- Names below are schema-qualified and this search path holds nothing a user can create, so
-- objects planted in public cannot change what the script does.
SET LOCAL search_path = pg_catalog, pg_temp;

DO $roles$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'realchat_profile') THEN
    RAISE EXCEPTION 'extension realchat_profile is not installed in database %', pg_catalog.current_database()
      USING HINT = 'Run CREATE EXTENSION realchat_profile in this database first, then this script.';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'profile_app') THEN
    CREATE ROLE profile_app NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'profile_publisher') THEN
    CREATE ROLE profile_publisher NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'profile_admin') THEN
    CREATE ROLE profile_admin NOLOGIN;
  END IF;
END
$roles$;

COMMENT ON ROLE profile_app IS 'Profile Service applications: EXECUTE on the API functions only';
COMMENT ON ROLE profile_publisher IS 'profile-publisher: read and mark profile.outbox';
COMMENT ON ROLE profile_admin IS 'Profile Service administrators: every object in schema profile';

-- Start from nothing, so a privilege granted by hand or by an older version of this script does
-- not linger.
REVOKE ALL ON SCHEMA profile FROM profile_app, profile_publisher, profile_admin;
REVOKE ALL ON ALL TABLES IN SCHEMA profile FROM profile_app, profile_publisher, profile_admin;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA profile FROM profile_app, profile_publisher, profile_admin;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA profile FROM profile_app, profile_publisher, profile_admin;

-- Applications: the API and nothing else. The functions are SECURITY DEFINER, so no table
-- privilege is needed to call them.
GRANT USAGE ON SCHEMA profile TO profile_app;
GRANT EXECUTE ON FUNCTION
  profile.create_profile(uuid, text, text, text, text),
  profile.get_profile(uuid, uuid),
  profile.get_profiles(uuid[], uuid),
  profile.find_profile_by_username(text, uuid),
  profile.update_profile(uuid, text, text, text, text),
  profile.set_status(uuid, profile.presence),
  profile.delete_profile(uuid),
  profile.add_contact(uuid, uuid, text, boolean),
  profile.update_contact(uuid, uuid, text, boolean),
  profile.remove_contact(uuid, uuid),
  profile.list_contacts(uuid, boolean, uuid, integer),
  profile.block_user(uuid, uuid, text),
  profile.unblock_user(uuid, uuid),
  profile.list_blocks(uuid, uuid, integer),
  profile.is_blocked(uuid, uuid),
  profile.can_interact(uuid, uuid),
  profile.set_privacy(uuid, profile.audience, boolean),
  profile.mute_user(uuid, uuid, timestamptz),
  profile.unmute_user(uuid, uuid),
  profile.list_mutes(uuid, uuid, integer),
  profile.is_muted(uuid, uuid),
  profile.relationships(uuid, uuid[]),
  profile.search_profiles(text, uuid, integer)
TO profile_app;

-- Presence and custom status (1.1). run_expiry and trace_stats are operator functions:
-- profile_admin only (below).
GRANT EXECUTE ON FUNCTION
  profile.heartbeat(uuid),
  profile.set_custom_status(uuid, text, text, timestamptz),
  profile.clear_custom_status(uuid)
TO profile_app;

-- The publisher: read the outbox, mark rows published or quarantined (and re-drive them), the
-- wake-up handshake and housekeeping. LISTEN needs no privilege. It cannot change a payload, a
-- key or a topic, insert or delete rows, or touch profiles, contacts and blocks.
GRANT USAGE ON SCHEMA profile TO profile_publisher;
GRANT SELECT ON profile.outbox TO profile_publisher;
GRANT UPDATE (published_at, quarantined_at, last_error) ON profile.outbox TO profile_publisher;
GRANT EXECUTE ON FUNCTION
  profile.request_wakeup(),
  profile.next_xid(),
  profile.outbox_stats(),
  profile.purge_outbox(interval)
TO profile_publisher;

-- Administrators: read and change the rows of every table, read the sequences, call every
-- function. Hand-made changes to profiles, contacts and blocks go through the same triggers and
-- emit the same events. Nothing that attaches code to the tables or changes how they behave:
-- no TRIGGER, REFERENCES or TRUNCATE (the API functions run as the extension's owner, a
-- superuser, and a trigger or a foreign key's action planted on their tables would run with
-- those rights), and no CREATE on the schema (it belongs to the extension, and objects added
-- there would not).
GRANT USAGE ON SCHEMA profile TO profile_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA profile TO profile_admin;
GRANT SELECT ON ALL SEQUENCES IN SCHEMA profile TO profile_admin;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA profile TO profile_admin;

-- Read cache (1.1): the read helper of services fills Redis from one statement that reads a
-- user's whole state at one version (profile, contact and block ids, rule 3's frozen last_seen),
-- and falls back to get_profile. Column privileges only: no nicknames, reasons or mutes.
DO $cache_reader$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'profile_cache_reader') THEN
    CREATE ROLE profile_cache_reader NOLOGIN;
  END IF;
END
$cache_reader$;
COMMENT ON ROLE profile_cache_reader IS 'Read cache helper: a user''s state for Redis fills, get_profile';
REVOKE ALL ON SCHEMA profile FROM profile_cache_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA profile FROM profile_cache_reader;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA profile FROM profile_cache_reader;
GRANT USAGE ON SCHEMA profile TO profile_cache_reader;
GRANT SELECT (user_id, username, display_name, bio, avatar_url, status, last_seen, version, status_text,
              status_emoji, status_expires_at, presence_audience, discoverable, created_at)
  ON profile.profiles TO profile_cache_reader;
GRANT SELECT (user_id, contact_user_id) ON profile.contacts TO profile_cache_reader;
GRANT SELECT (user_id, blocked_user_id) ON profile.blocks TO profile_cache_reader;
GRANT SELECT (user_id, frozen_last_seen) ON profile.presence_state TO profile_cache_reader;
GRANT EXECUTE ON FUNCTION profile.get_profile(uuid, uuid) TO profile_cache_reader;

COMMIT;
