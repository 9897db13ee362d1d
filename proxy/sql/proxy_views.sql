-- The proxy database: what the whole service holds, for operators. Read-only views with the
-- names and columns of the extension's tables, each gathering every shard's rows (RUN ON ALL).
-- Included by proxy_routing.sql: profile.profiles, contacts, blocks and mutes are also the row
-- types of the contract's functions, as the tables' row types are on one database.
--
-- Every query of a view reads that table on every shard, whole: for inspection and checks on a
-- small system, never for a production-sized outbox or a lookup an application makes. Changes
-- go to a shard's tables (docs/sharding.md), but for hand-made INSERT, UPDATE and DELETE of
-- profiles, contacts, blocks and mutes, which go to each row's home shard (proxy_view_writes.sql). Shadows (shard.shadows) are placeholders, not
-- users: profile.profiles leaves them out, so each user appears once, as their home holds them.
-- Rows come sorted by key; the outbox in the service-wide order below. PL/Proxy's notice when
-- it replaces a connection an earlier error left behind stays inside (client_min_messages), as
-- in the contract's functions (proxy_api.sql).

CREATE FUNCTION proxy_remote.all_profiles()
RETURNS TABLE (user_id uuid, username text, display_name text, bio text, avatar_url text,
               status profile.presence, last_seen timestamptz, version bigint, created_at timestamptz,
               updated_at timestamptz, status_text text, status_emoji text, status_expires_at timestamptz,
               presence_audience profile.audience, discoverable boolean)
LANGUAGE plproxy SECURITY DEFINER SET client_min_messages = warning AS $$
  CLUSTER 'profile_shards'; RUN ON ALL;
  SELECT p.user_id, p.username, p.display_name, p.bio, p.avatar_url, p.status, p.last_seen, p.version,
         p.created_at, p.updated_at, p.status_text, p.status_emoji, p.status_expires_at,
         p.presence_audience, p.discoverable
  FROM profile.profiles p
  WHERE NOT EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = p.user_id);
$$;
CREATE VIEW profile.profiles AS
  SELECT * FROM proxy_remote.all_profiles() ORDER BY user_id;

-- A user's lists live on the user's home shard (shadows have none), so each row appears once.
CREATE FUNCTION proxy_remote.all_contacts()
RETURNS TABLE (user_id uuid, contact_user_id uuid, nickname text, is_favorite boolean,
               created_at timestamptz, updated_at timestamptz)
LANGUAGE plproxy SECURITY DEFINER SET client_min_messages = warning AS $$
  CLUSTER 'profile_shards'; RUN ON ALL;
  SELECT c.user_id, c.contact_user_id, c.nickname, c.is_favorite, c.created_at, c.updated_at
  FROM profile.contacts c;
$$;
CREATE VIEW profile.contacts AS
  SELECT * FROM proxy_remote.all_contacts() ORDER BY user_id, contact_user_id;

CREATE FUNCTION proxy_remote.all_blocks()
RETURNS TABLE (user_id uuid, blocked_user_id uuid, reason text, created_at timestamptz)
LANGUAGE plproxy SECURITY DEFINER SET client_min_messages = warning AS $$
  CLUSTER 'profile_shards'; RUN ON ALL;
  SELECT b.user_id, b.blocked_user_id, b.reason, b.created_at FROM profile.blocks b;
$$;
CREATE VIEW profile.blocks AS
  SELECT * FROM proxy_remote.all_blocks() ORDER BY user_id, blocked_user_id;

CREATE FUNCTION proxy_remote.all_mutes()
RETURNS TABLE (user_id uuid, muted_user_id uuid, expires_at timestamptz, created_at timestamptz)
LANGUAGE plproxy SECURITY DEFINER SET client_min_messages = warning AS $$
  CLUSTER 'profile_shards'; RUN ON ALL;
  SELECT m.user_id, m.muted_user_id, m.expires_at, m.created_at FROM profile.mutes m;
$$;
CREATE VIEW profile.mutes AS
  SELECT * FROM proxy_remote.all_mutes() ORDER BY user_id, muted_user_id;

CREATE FUNCTION proxy_remote.all_presence_state()
RETURNS TABLE (user_id uuid, idle_from profile.presence, frozen_last_seen timestamptz)
LANGUAGE plproxy SECURITY DEFINER SET client_min_messages = warning AS $$
  CLUSTER 'profile_shards'; RUN ON ALL;
  SELECT s.user_id, s.idle_from, s.frozen_last_seen FROM profile.presence_state s;
$$;
CREATE VIEW profile.presence_state AS
  SELECT * FROM proxy_remote.all_presence_state() ORDER BY user_id;

CREATE FUNCTION proxy_remote.all_retired_users()
RETURNS TABLE (user_id uuid, last_version bigint, deleted_at timestamptz)
LANGUAGE plproxy SECURITY DEFINER SET client_min_messages = warning AS $$
  CLUSTER 'profile_shards'; RUN ON ALL;
  SELECT r.user_id, r.last_version, r.deleted_at FROM profile.retired_users r;
$$;
CREATE VIEW profile.retired_users AS
  SELECT * FROM proxy_remote.all_retired_users() ORDER BY user_id;

-- The outbox. Each shard numbers its own rows, so `id` here is the row's place in the
-- service-wide order: by the event's occurred_at (when its shard wrote it), then key, then the
-- shard's id. A user's events keep their order (one shard writes them, one at a time); between
-- users on different shards the order is only as good as the shards' clocks. `id` is given when
-- the view is read: rows purged before a row move it up. To find a row on its shard, use its
-- key (which names the shard through profile.shard_for) and payload->>'event_id'.
CREATE FUNCTION proxy_remote.all_outbox()
RETURNS TABLE (shard_id bigint, topic text, key text, payload jsonb, created_at timestamptz,
               published_at timestamptz, quarantined_at timestamptz, last_error text, traceparent text)
LANGUAGE plproxy SECURITY DEFINER SET client_min_messages = warning AS $$
  CLUSTER 'profile_shards'; RUN ON ALL;
  SELECT o.id AS shard_id, o.topic, o.key, o.payload, o.created_at, o.published_at, o.quarantined_at,
         o.last_error, o.traceparent
  FROM profile.outbox o;
$$;
CREATE VIEW profile.outbox AS
  SELECT row_number() OVER (ORDER BY (o.payload->>'occurred_at') COLLATE "C", o.key COLLATE "C", o.shard_id) AS id,
         o.topic, o.key, o.payload, o.created_at, o.published_at, o.quarantined_at, o.last_error,
         o.traceparent
  FROM proxy_remote.all_outbox() o
  ORDER BY id;

-- Not updatable (a view over a function), but for the INSTEAD OF triggers of profiles,
-- contacts, blocks and mutes (proxy_view_writes.sql, with their grant). Rights as on one database for reading:
-- profile_admin reads every table there, so it reads these, and needs EXECUTE on the functions
-- behind them (a view calls functions with the reader's rights; they run as their owner, who
-- may use the cluster, as the contract's functions do). profile_app reads no table and gets
-- nothing here; publishers and the read cache connect to the shards, not to the proxy.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'profile_admin') THEN
    CREATE ROLE profile_admin NOLOGIN;
  END IF;
END
$$;
REVOKE ALL ON FUNCTION proxy_remote.all_profiles(), proxy_remote.all_contacts(), proxy_remote.all_blocks(),
  proxy_remote.all_mutes(), proxy_remote.all_presence_state(), proxy_remote.all_retired_users(),
  proxy_remote.all_outbox() FROM PUBLIC;
GRANT USAGE ON SCHEMA profile TO profile_admin;
GRANT SELECT ON profile.profiles, profile.contacts, profile.blocks, profile.mutes, profile.presence_state,
  profile.retired_users, profile.outbox TO profile_admin;
GRANT EXECUTE ON FUNCTION proxy_remote.all_profiles(), proxy_remote.all_contacts(), proxy_remote.all_blocks(),
  proxy_remote.all_mutes(), proxy_remote.all_presence_state(), proxy_remote.all_retired_users(),
  proxy_remote.all_outbox() TO profile_admin;
