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
