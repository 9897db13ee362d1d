-- The proxy database, part 2: the raw PL/Proxy calls. Each runs as one transaction on its shard(s).
-- Functions that need nothing from other shards are in proxy_api.sql directly as PL/Proxy.
--
-- Every call that writes (or runs the expiry) carries the caller's realchat_profile.* settings
-- as its last argument, `settings`, which defaults to the session's (proxy_settings.sql); the
-- shard applies them for that call alone (shard.with_settings, shard_settings.sql), so events,
-- limits and expiry follow the caller's session as they do on one database.
\ir proxy_settings.sql

-- Calls of the contract's functions on the routing user's home shard.
CREATE FUNCTION proxy_remote.create_profile(user_id uuid, username text, display_name text, bio text, avatar_url text,
  settings text[] DEFAULT proxy.session_settings())
RETURNS profile.profiles LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.create_profile(shard.with_settings(settings, user_id), username, display_name, bio, avatar_url);
$$;
CREATE FUNCTION proxy_remote.update_profile(user_id uuid, username text, display_name text, bio text, avatar_url text,
  settings text[] DEFAULT proxy.session_settings())
RETURNS profile.profiles LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.update_profile(shard.with_settings(settings, user_id), username, display_name, bio, avatar_url);
$$;
CREATE FUNCTION proxy_remote.delete_profile(user_id uuid,
  settings text[] DEFAULT proxy.session_settings())
RETURNS boolean LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.delete_profile(shard.with_settings(settings, user_id));
$$;
CREATE FUNCTION proxy_remote.get_profile(user_id uuid, viewer uuid)
RETURNS SETOF profile.profiles LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route(user_id); TARGET profile.get_profile;
$$;
-- Each shard gets the ids that live there: `parts` is proxy.routes(user_ids), each id's partition.
CREATE FUNCTION proxy_remote.get_profiles(user_ids uuid[], parts integer[], viewer uuid)
RETURNS SETOF profile.profiles LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; SPLIT user_ids, parts; RUN ON parts;
  SELECT * FROM profile.get_profiles(user_ids, viewer);
$$;
-- The whole array on one shard (chosen by the viewer): for arguments SPLIT cannot take (null,
-- several dimensions) or an empty array, so that shard checks them as the contract says.
CREATE FUNCTION proxy_remote.get_profiles_unsplit(user_ids uuid[], viewer uuid)
RETURNS SETOF profile.profiles LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route(viewer); TARGET profile.get_profiles;
$$;
CREATE FUNCTION proxy_remote.find_profile_by_username(username text, viewer uuid)
RETURNS SETOF profile.profiles LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON ALL; TARGET profile.find_profile_by_username;
$$;
CREATE FUNCTION proxy_remote.add_contact(user_id uuid, contact_user_id uuid, nickname text, is_favorite boolean,
  settings text[] DEFAULT proxy.session_settings())
RETURNS profile.contacts LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.add_contact(shard.with_settings(settings, user_id), contact_user_id, nickname, is_favorite);
$$;
CREATE FUNCTION proxy_remote.block_user(user_id uuid, blocked_user_id uuid, reason text,
  settings text[] DEFAULT proxy.session_settings())
RETURNS profile.blocks LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.block_user(shard.with_settings(settings, user_id), blocked_user_id, reason);
$$;
CREATE FUNCTION proxy_remote.mute_user(user_id uuid, muted_user_id uuid, expires_at timestamptz,
  settings text[] DEFAULT proxy.session_settings())
RETURNS profile.mutes LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.mute_user(shard.with_settings(settings, user_id), muted_user_id, expires_at);
$$;
CREATE FUNCTION proxy_remote.list_contacts(user_id uuid, favorites_only boolean, after uuid, "limit" int)
RETURNS SETOF proxy.contact_row LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route(user_id); TARGET profile.list_contacts;
$$;
CREATE FUNCTION proxy_remote.can_interact(a uuid, b uuid)
RETURNS boolean LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route(coalesce(a, b)); TARGET profile.can_interact;
$$;

-- The contract's functions that need nothing from other shards (proxy_api.sql wraps them).
CREATE FUNCTION proxy_remote.set_status(user_id uuid, status profile.presence,
  settings text[] DEFAULT proxy.session_settings())
RETURNS profile.profiles LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.set_status(shard.with_settings(settings, user_id), status);
$$;
CREATE FUNCTION proxy_remote.heartbeat(user_id uuid,
  settings text[] DEFAULT proxy.session_settings())
RETURNS profile.profiles LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.heartbeat(shard.with_settings(settings, user_id));
$$;
CREATE FUNCTION proxy_remote.set_custom_status(user_id uuid, status_text text, status_emoji text, expires_at timestamptz,
  settings text[] DEFAULT proxy.session_settings())
RETURNS profile.profiles LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.set_custom_status(shard.with_settings(settings, user_id), status_text, status_emoji, expires_at);
$$;
CREATE FUNCTION proxy_remote.clear_custom_status(user_id uuid,
  settings text[] DEFAULT proxy.session_settings())
RETURNS profile.profiles LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.clear_custom_status(shard.with_settings(settings, user_id));
$$;
CREATE FUNCTION proxy_remote.set_privacy(user_id uuid, presence_audience profile.audience, discoverable boolean,
  settings text[] DEFAULT proxy.session_settings())
RETURNS profile.profiles LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.set_privacy(shard.with_settings(settings, user_id), presence_audience, discoverable);
$$;
CREATE FUNCTION proxy_remote.update_contact(user_id uuid, contact_user_id uuid, nickname text, is_favorite boolean,
  settings text[] DEFAULT proxy.session_settings())
RETURNS profile.contacts LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.update_contact(shard.with_settings(settings, user_id), contact_user_id, nickname, is_favorite);
$$;
CREATE FUNCTION proxy_remote.remove_contact(user_id uuid, contact_user_id uuid,
  settings text[] DEFAULT proxy.session_settings())
RETURNS boolean LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.remove_contact(shard.with_settings(settings, user_id), contact_user_id);
$$;
CREATE FUNCTION proxy_remote.unblock_user(user_id uuid, blocked_user_id uuid,
  settings text[] DEFAULT proxy.session_settings())
RETURNS boolean LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.unblock_user(shard.with_settings(settings, user_id), blocked_user_id);
$$;
CREATE FUNCTION proxy_remote.list_blocks(user_id uuid, after uuid, "limit" int)
RETURNS SETOF profile.blocks LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route(user_id); TARGET profile.list_blocks;
$$;
CREATE FUNCTION proxy_remote.is_blocked(user_id uuid, other uuid)
RETURNS boolean LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route(user_id); TARGET profile.is_blocked;
$$;
CREATE FUNCTION proxy_remote.unmute_user(user_id uuid, muted_user_id uuid,
  settings text[] DEFAULT proxy.session_settings())
RETURNS boolean LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(user_id);
  SELECT * FROM profile.unmute_user(shard.with_settings(settings, user_id), muted_user_id);
$$;
CREATE FUNCTION proxy_remote.list_mutes(user_id uuid, after uuid, "limit" int)
RETURNS SETOF profile.mutes LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route(user_id); TARGET profile.list_mutes;
$$;
CREATE FUNCTION proxy_remote.is_muted(user_id uuid, other uuid)
RETURNS boolean LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route(user_id); TARGET profile.is_muted;
$$;

-- Every shard answers.
CREATE FUNCTION proxy_remote.outbox_stats()
RETURNS SETOF proxy.outbox_stats_row LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON ALL; TARGET profile.outbox_stats;
$$;
CREATE FUNCTION proxy_remote.purge_outbox(older_than interval)
RETURNS SETOF bigint LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON ALL; TARGET profile.purge_outbox;
$$;
CREATE FUNCTION proxy_remote.request_wakeup()
RETURNS SETOF boolean LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON ALL; TARGET profile.request_wakeup;
$$;
CREATE FUNCTION proxy_remote.run_expiry(settings text[] DEFAULT proxy.session_settings())
RETURNS SETOF proxy.expiry_row LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON ALL;
  SELECT * FROM shard.run_expiry(settings);
$$;
CREATE FUNCTION proxy_remote.trace_stats()
RETURNS SETOF proxy.trace_row LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON ALL; TARGET profile.trace_stats;
$$;

-- The shard schema's helpers (proxy/sql/shard_helpers.sql).
CREATE FUNCTION proxy_remote.user_exists(user_id uuid)
RETURNS boolean LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route(user_id); TARGET shard.user_exists;
$$;
CREATE FUNCTION proxy_remote.presence_audience(user_id uuid)
RETURNS text LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route(user_id); TARGET shard.presence_audience;
$$;
-- On the owner's shard: a shadow of `user_id`, who lives elsewhere.
CREATE FUNCTION proxy_remote.ensure_shadow(owner uuid, user_id uuid)
RETURNS boolean LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(owner);
  SELECT shard.ensure_shadow(user_id);
$$;
CREATE FUNCTION proxy_remote.forget_user(user_id uuid, settings text[] DEFAULT proxy.session_settings())
RETURNS SETOF integer LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON ALL;
  SELECT shard.forget_user(shard.with_settings(settings, user_id));
$$;
CREATE FUNCTION proxy_remote.list_shadows()
RETURNS SETOF uuid LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON ALL; TARGET shard.list_shadows;
$$;
CREATE FUNCTION proxy_remote.recently_deleted(since interval)
RETURNS SETOF uuid LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON ALL; TARGET shard.recently_deleted;
$$;
CREATE FUNCTION proxy_remote.interaction_facts(me uuid, other uuid, OUT me_exists boolean, OUT me_blocks_other boolean)
LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route(me); TARGET shard.interaction_facts;
$$;
CREATE FUNCTION proxy_remote.owner_relations(user_id uuid, others uuid[])
RETURNS SETOF proxy.owner_relation LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route(user_id); TARGET shard.owner_relations;
$$;
CREATE FUNCTION proxy_remote.others_relations(others uuid[], parts integer[], user_id uuid)
RETURNS SETOF proxy.other_relation LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; SPLIT others, parts; RUN ON parts;
  SELECT * FROM shard.others_relations(others, user_id);
$$;
CREATE FUNCTION proxy_remote.blocked_among(user_id uuid, ids uuid[])
RETURNS SETOF uuid LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route(user_id); TARGET shard.blocked_among;
$$;
CREATE FUNCTION proxy_remote.search_home(query text, viewer uuid, "limit" int)
RETURNS SETOF profile.profiles LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON ALL; TARGET shard.search_home;
$$;
CREATE FUNCTION proxy_remote.username_key(user_id uuid)
RETURNS text LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route(user_id); TARGET shard.username_key;
$$;

-- The username registry lives on partition 0.
CREATE FUNCTION proxy_remote.reserve_username(username text, user_id uuid, token uuid)
RETURNS boolean LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON 0; TARGET shard.reserve_username;
$$;
CREATE FUNCTION proxy_remote.confirm_username(username text, token uuid)
RETURNS boolean LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON 0; TARGET shard.confirm_username;
$$;
CREATE FUNCTION proxy_remote.release_username(username text, token uuid)
RETURNS boolean LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON 0; TARGET shard.release_username;
$$;
CREATE FUNCTION proxy_remote.release_user(user_id uuid)
RETURNS integer LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON 0; TARGET shard.release_user;
$$;
CREATE FUNCTION proxy_remote.stale_reservations(older_than interval)
RETURNS SETOF proxy.reservation LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON 0; TARGET shard.stale_reservations;
$$;
