-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION realchat_profile" to load this file. \quit

DO $guard$
BEGIN
  IF pg_catalog.getdatabaseencoding() <> 'UTF8' THEN
    RAISE EXCEPTION 'realchat_profile needs a UTF8 database, this one is %', pg_catalog.getdatabaseencoding()
      USING ERRCODE = 'feature_not_supported';
  END IF;
END
$guard$;

CREATE TYPE profile.presence AS ENUM ('online', 'offline', 'away', 'busy');

CREATE TABLE profile.profiles (
  user_id      uuid PRIMARY KEY,
  username     text NOT NULL,
  display_name text NOT NULL,
  bio          text NOT NULL DEFAULT '',
  avatar_url   text,
  status       profile.presence NOT NULL DEFAULT 'offline',
  last_seen    timestamptz,
  version      bigint NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
  updated_at   timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE UNIQUE INDEX profiles_username_lower_key ON profile.profiles (pg_catalog.lower(username));

CREATE TABLE profile.contacts (
  user_id         uuid NOT NULL REFERENCES profile.profiles (user_id),
  contact_user_id uuid NOT NULL REFERENCES profile.profiles (user_id),
  nickname        text,
  is_favorite     boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
  updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
  PRIMARY KEY (user_id, contact_user_id),
  CHECK (user_id <> contact_user_id)
);
-- delete_profile removes every other user's contact entry for the deleted user.
CREATE INDEX contacts_contact_user_id_idx ON profile.contacts (contact_user_id);

-- A block outlives the blocked user's profile: it still applies if the id comes back.
CREATE TABLE profile.blocks (
  user_id         uuid NOT NULL REFERENCES profile.profiles (user_id),
  blocked_user_id uuid NOT NULL,
  reason          text,
  created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
  PRIMARY KEY (user_id, blocked_user_id),
  CHECK (user_id <> blocked_user_id)
);

-- Written only by the triggers below; read and marked by profile-publisher.
-- quarantined_at/last_error hold rows the publisher could not deliver for good.
CREATE TABLE profile.outbox (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic          text NOT NULL,
  key            text NOT NULL,
  payload        jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
  published_at   timestamptz,
  quarantined_at timestamptz,
  last_error     text
);
-- The relay's query: unpublished, not quarantined, in id order.
CREATE INDEX outbox_pending_idx ON profile.outbox (id)
  WHERE published_at IS NULL AND quarantined_at IS NULL;
-- Retention: published rows by age.
CREATE INDEX outbox_published_at_idx ON profile.outbox (published_at)
  WHERE published_at IS NOT NULL;

-- Triggers: every change, by the API or by hand, is validated and writes its event.
CREATE FUNCTION profile.profiles_trigger() RETURNS trigger
  AS 'MODULE_PATHNAME', 'rp_profiles_trigger' LANGUAGE C;
CREATE FUNCTION profile.contacts_trigger() RETURNS trigger
  AS 'MODULE_PATHNAME', 'rp_contacts_trigger' LANGUAGE C;
CREATE FUNCTION profile.blocks_trigger() RETURNS trigger
  AS 'MODULE_PATHNAME', 'rp_blocks_trigger' LANGUAGE C;
CREATE FUNCTION profile.forbid_truncate() RETURNS trigger
  AS 'MODULE_PATHNAME', 'rp_forbid_truncate' LANGUAGE C;

CREATE TRIGGER profiles_events BEFORE INSERT OR UPDATE OR DELETE ON profile.profiles
  FOR EACH ROW EXECUTE FUNCTION profile.profiles_trigger();
CREATE TRIGGER contacts_events BEFORE INSERT OR UPDATE OR DELETE ON profile.contacts
  FOR EACH ROW EXECUTE FUNCTION profile.contacts_trigger();
CREATE TRIGGER blocks_events BEFORE INSERT OR UPDATE OR DELETE ON profile.blocks
  FOR EACH ROW EXECUTE FUNCTION profile.blocks_trigger();
CREATE TRIGGER profiles_no_truncate BEFORE TRUNCATE ON profile.profiles
  FOR EACH STATEMENT EXECUTE FUNCTION profile.forbid_truncate();
CREATE TRIGGER contacts_no_truncate BEFORE TRUNCATE ON profile.contacts
  FOR EACH STATEMENT EXECUTE FUNCTION profile.forbid_truncate();
CREATE TRIGGER blocks_no_truncate BEFORE TRUNCATE ON profile.blocks
  FOR EACH STATEMENT EXECUTE FUNCTION profile.forbid_truncate();

-- The API. Functions run with the owner's rights and a pinned search_path, so
-- callers need only EXECUTE and nothing in their schemas can hijack them.
CREATE FUNCTION profile.create_profile(user_id uuid, username text, display_name text,
                                       bio text DEFAULT '', avatar_url text DEFAULT NULL)
  RETURNS profile.profiles AS 'MODULE_PATHNAME', 'rp_create_profile'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.get_profile(user_id uuid, viewer uuid DEFAULT NULL)
  RETURNS SETOF profile.profiles AS 'MODULE_PATHNAME', 'rp_get_profile'
  LANGUAGE C STABLE ROWS 1 SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.get_profiles(user_ids uuid[], viewer uuid DEFAULT NULL)
  RETURNS SETOF profile.profiles AS 'MODULE_PATHNAME', 'rp_get_profiles'
  LANGUAGE C STABLE ROWS 100 SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.find_profile_by_username(username text)
  RETURNS SETOF profile.profiles AS 'MODULE_PATHNAME', 'rp_find_profile_by_username'
  LANGUAGE C STABLE ROWS 1 SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.update_profile(user_id uuid, username text DEFAULT NULL, display_name text DEFAULT NULL,
                                       bio text DEFAULT NULL, avatar_url text DEFAULT NULL)
  RETURNS profile.profiles AS 'MODULE_PATHNAME', 'rp_update_profile'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.set_status(user_id uuid, status profile.presence)
  RETURNS profile.profiles AS 'MODULE_PATHNAME', 'rp_set_status'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.delete_profile(user_id uuid)
  RETURNS boolean AS 'MODULE_PATHNAME', 'rp_delete_profile'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.add_contact(user_id uuid, contact_user_id uuid, nickname text DEFAULT NULL,
                                    is_favorite boolean DEFAULT false)
  RETURNS profile.contacts AS 'MODULE_PATHNAME', 'rp_add_contact'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.update_contact(user_id uuid, contact_user_id uuid, nickname text DEFAULT NULL,
                                       is_favorite boolean DEFAULT NULL)
  RETURNS profile.contacts AS 'MODULE_PATHNAME', 'rp_update_contact'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.remove_contact(user_id uuid, contact_user_id uuid)
  RETURNS boolean AS 'MODULE_PATHNAME', 'rp_remove_contact'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.list_contacts(user_id uuid, favorites_only boolean DEFAULT false,
                                      after uuid DEFAULT NULL, "limit" int DEFAULT 100)
  RETURNS TABLE (contact_user_id uuid, nickname text, is_favorite boolean, username text,
                 display_name text, avatar_url text, status profile.presence, last_seen timestamptz)
  AS 'MODULE_PATHNAME', 'rp_list_contacts'
  LANGUAGE C STABLE ROWS 100 SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.block_user(user_id uuid, blocked_user_id uuid, reason text DEFAULT NULL)
  RETURNS profile.blocks AS 'MODULE_PATHNAME', 'rp_block_user'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.unblock_user(user_id uuid, blocked_user_id uuid)
  RETURNS boolean AS 'MODULE_PATHNAME', 'rp_unblock_user'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.list_blocks(user_id uuid, after uuid DEFAULT NULL, "limit" int DEFAULT 100)
  RETURNS SETOF profile.blocks AS 'MODULE_PATHNAME', 'rp_list_blocks'
  LANGUAGE C STABLE ROWS 100 SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.is_blocked(user_id uuid, other uuid)
  RETURNS boolean AS 'MODULE_PATHNAME', 'rp_is_blocked'
  LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.can_interact(a uuid, b uuid)
  RETURNS boolean AS 'MODULE_PATHNAME', 'rp_can_interact'
  LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- quarantined: rows the publisher set aside as undeliverable (see profile-publisher redrive).
CREATE FUNCTION profile.outbox_stats()
  RETURNS TABLE (pending bigint, oldest_pending_age interval, published bigint, quarantined bigint)
  AS 'MODULE_PATHNAME', 'rp_outbox_stats'
  LANGUAGE C STABLE ROWS 1 SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.purge_outbox(older_than interval DEFAULT '1 day')
  RETURNS bigint AS 'MODULE_PATHNAME', 'rp_purge_outbox'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION profile.request_wakeup()
  RETURNS boolean AS 'MODULE_PATHNAME', 'rp_request_wakeup'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- For the publisher's reads: the next transaction id to be assigned. A snapshot's xmax is only
-- one past the latest completed transaction, so it says nothing of transactions started since;
-- this does (see ReadWindow in the publisher).
CREATE FUNCTION profile.next_xid()
  RETURNS xid8 AS 'MODULE_PATHNAME', 'rp_next_xid'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- notifies_sent counts the whole cluster when preloaded, this session otherwise.
CREATE FUNCTION profile.wakeup_stats(OUT preloaded boolean, OUT wakeup_requested boolean,
                                     OUT notifies_sent bigint, OUT wakeups_requested bigint)
  AS 'MODULE_PATHNAME', 'rp_wakeup_stats'
  LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- Callers get rights through roles (see docs/roles.md), never through PUBLIC.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA profile FROM PUBLIC;
