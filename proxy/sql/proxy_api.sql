-- The proxy database, part 3: the contract's functions (api-contract.md, v1 and v1.1), same
-- names, parameters, defaults and results as the extension's. One-user calls are one PL/Proxy
-- call (proxy_remote.sql); the rest compose PL/Proxy calls (docs/sharding.md says why each one
-- needs what it needs). All run as the proxy's owner (SECURITY DEFINER, search_path pinned), so
-- callers need EXECUTE on them only and never reach proxy_remote, proxy or the shards' helpers.
--
-- Errors come as the extension raises them: each function catches an error and raises it again
-- with its SQLSTATE, and with the shard's message, detail and hint without what PL/Proxy adds
-- (proxy.shard_text); the RAISE is in the function itself, so no context line is added (a RAISE
-- does not report its own location). A subtransaction per call is the price. After a remote
-- error PL/Proxy replaces that connection on its next use with a NOTICE ("PL/Proxy: dropping
-- stale conn"), which client_min_messages = warning keeps inside the function. That frame is
-- written once, in proxy.define_api; each function below gives its own signature, result,
-- options, declarations and body.

-- A shard's message, detail or hint as the shard wrote it: PL/Proxy prefixes the message with
-- "function(nargs): [database] REMOTE ERROR: " and details and hints with "Remote detail: " and
-- "Remote hint: ". Anything else (the proxy's own errors) is left as it is.
CREATE FUNCTION proxy.shard_text(t text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT pg_catalog.regexp_replace(t,
    '^([a-z_0-9]+\.[a-z_0-9]+\([0-9]+\): \[[^]]*\] REMOTE [A-Z]+: |Remote (detail|hint): )', '')
$$;

-- Creates one API function: the frame above around `body` (which may RETURN, RETURN QUERY).
-- Dropped at the end of this file (after proxy_view_writes.sql, which uses it too).
CREATE FUNCTION proxy.define_api(signature text, result text, body text, options text DEFAULT '',
                                 declarations text DEFAULT '') RETURNS void
LANGUAGE plpgsql AS $define$
BEGIN
  EXECUTE pg_catalog.format($template$CREATE FUNCTION %s
RETURNS %s LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET client_min_messages = warning %s AS $fn$
DECLARE
  e_state text; e_message text; e_detail text; e_hint text;  -- a shard's error (proxy.shard_text)
%sBEGIN
%sEXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_message = MESSAGE_TEXT,
                          e_detail = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT;
  e_message := proxy.shard_text(e_message); e_detail := proxy.shard_text(e_detail); e_hint := proxy.shard_text(e_hint);
  IF e_detail = '' AND e_hint = '' THEN RAISE EXCEPTION USING ERRCODE = e_state, MESSAGE = e_message; END IF;
  IF e_detail = '' THEN RAISE EXCEPTION USING ERRCODE = e_state, MESSAGE = e_message, HINT = e_hint; END IF;
  IF e_hint = '' THEN RAISE EXCEPTION USING ERRCODE = e_state, MESSAGE = e_message, DETAIL = e_detail; END IF;
  RAISE EXCEPTION USING ERRCODE = e_state, MESSAGE = e_message, DETAIL = e_detail, HINT = e_hint;
END
$fn$$template$, signature, result, options, declarations, body);
END
$define$;

-- ---- calls that touch one user's home shard only -------------------------------------------
SELECT proxy.define_api($s$profile.set_status(user_id uuid, status profile.presence)$s$, $s$profile.profiles$s$,
  body => $$
  RETURN proxy_remote.set_status($1, $2);
$$);
SELECT proxy.define_api($s$profile.heartbeat(user_id uuid)$s$, $s$profile.profiles$s$,
  body => $$
  RETURN proxy_remote.heartbeat($1);
$$);
SELECT proxy.define_api($s$profile.set_custom_status(user_id uuid, status_text text, status_emoji text DEFAULT NULL,
                                          expires_at timestamptz DEFAULT NULL)$s$, $s$profile.profiles$s$,
  body => $$
  RETURN proxy_remote.set_custom_status($1, $2, $3, $4);
$$);
SELECT proxy.define_api($s$profile.clear_custom_status(user_id uuid)$s$, $s$profile.profiles$s$,
  body => $$
  RETURN proxy_remote.clear_custom_status($1);
$$);
SELECT proxy.define_api($s$profile.set_privacy(user_id uuid, presence_audience profile.audience DEFAULT NULL,
                                    discoverable boolean DEFAULT NULL)$s$, $s$profile.profiles$s$,
  body => $$
  RETURN proxy_remote.set_privacy($1, $2, $3);
$$);
-- The owner's list rows live with the owner (a cross-shard other user has a shadow there).
SELECT proxy.define_api($s$profile.update_contact(user_id uuid, contact_user_id uuid, nickname text DEFAULT NULL,
                                       is_favorite boolean DEFAULT NULL)$s$, $s$profile.contacts$s$,
  body => $$
  RETURN proxy_remote.update_contact($1, $2, $3, $4);
$$);
SELECT proxy.define_api($s$profile.remove_contact(user_id uuid, contact_user_id uuid)$s$, $s$boolean$s$,
  body => $$
  RETURN proxy_remote.remove_contact($1, $2);
$$);
SELECT proxy.define_api($s$profile.unblock_user(user_id uuid, blocked_user_id uuid)$s$, $s$boolean$s$,
  body => $$
  RETURN proxy_remote.unblock_user($1, $2);
$$);
SELECT proxy.define_api($s$profile.list_blocks(user_id uuid, after uuid DEFAULT NULL, "limit" int DEFAULT 100)$s$, $s$SETOF profile.blocks$s$,
  body => $$
  RETURN QUERY SELECT * FROM proxy_remote.list_blocks($1, $2, $3);
$$);
SELECT proxy.define_api($s$profile.is_blocked(user_id uuid, other uuid)$s$, $s$boolean$s$,
  body => $$
  RETURN proxy_remote.is_blocked($1, $2);
$$);
SELECT proxy.define_api($s$profile.unmute_user(user_id uuid, muted_user_id uuid)$s$, $s$boolean$s$,
  body => $$
  RETURN proxy_remote.unmute_user($1, $2);
$$);
SELECT proxy.define_api($s$profile.list_mutes(user_id uuid, after uuid DEFAULT NULL, "limit" int DEFAULT 100)$s$, $s$SETOF profile.mutes$s$,
  body => $$
  RETURN QUERY SELECT * FROM proxy_remote.list_mutes($1, $2, $3);
$$);
SELECT proxy.define_api($s$profile.is_muted(user_id uuid, other uuid)$s$, $s$boolean$s$,
  body => $$
  RETURN proxy_remote.is_muted($1, $2);
$$);

-- ---- reciprocity (visibility rule 4) --------------------------------------------------------
-- The home shard of a read knows everything about the user read (blocks, audience, contacts,
-- invisibility) but not the viewer's own presence_audience when the viewer lives elsewhere
-- (a viewer's shadow there carries no real settings). Rows from the viewer's own shard are
-- already right; for the others the viewer's audience is read from the viewer's home, once.
CREATE FUNCTION proxy.reciprocity(rows profile.profiles[], viewer uuid)
RETURNS SETOF profile.profiles LANGUAGE plpgsql AS $$
DECLARE
  r profile.profiles;
  viewer_home integer;
  hide boolean := false;
BEGIN
  IF viewer IS NOT NULL AND rows IS NOT NULL THEN
    viewer_home := profile.shard_for(viewer);
    IF EXISTS (SELECT 1 FROM unnest(rows) x WHERE x.user_id <> viewer AND profile.shard_for(x.user_id) <> viewer_home) THEN
      hide := proxy_remote.presence_audience(viewer) IS NOT DISTINCT FROM 'nobody';
    END IF;
  END IF;
  FOREACH r IN ARRAY coalesce(rows, '{}') LOOP
    IF hide AND r.user_id <> viewer THEN
      r.last_seen := NULL;
    END IF;
    RETURN NEXT r;
  END LOOP;
END
$$;

-- ---- reads ----------------------------------------------------------------------------------
SELECT proxy.define_api($s$profile.get_profile(user_id uuid, viewer uuid DEFAULT NULL)$s$, $s$SETOF profile.profiles$s$, options => $s$STABLE ROWS 1$s$,
  body => $$
  IF viewer IS NULL THEN  -- a trusted caller: the home shard's answer as it is
    RETURN QUERY SELECT * FROM proxy_remote.get_profile(user_id, NULL);
    RETURN;
  END IF;
  RETURN QUERY SELECT * FROM proxy.reciprocity(
    ARRAY(SELECT r FROM proxy_remote.get_profile(user_id, viewer) r), viewer);
$$);

-- In the order given, unknown ids skipped, repeated ids repeated (as the extension). A null id
-- goes unsplit too: split, an array of nulls only would reach no shard and raise nothing.
SELECT proxy.define_api($s$profile.get_profiles(user_ids uuid[], viewer uuid DEFAULT NULL)$s$, $s$SETOF profile.profiles$s$, options => $s$STABLE ROWS 100$s$,
  declarations => $$
  fetched profile.profiles[];
$$,
  body => $$
  IF user_ids IS NULL OR array_ndims(user_ids) IS DISTINCT FROM 1
     OR array_position(user_ids, NULL) IS NOT NULL THEN
    RETURN QUERY SELECT * FROM proxy_remote.get_profiles_unsplit(user_ids, viewer);
    RETURN;
  END IF;
  fetched := ARRAY(
    SELECT f FROM unnest(user_ids) WITH ORDINALITY AS u(id, ord)
    JOIN (SELECT DISTINCT ON (r.user_id) r FROM proxy_remote.get_profiles(user_ids, proxy.routes(user_ids), viewer) r) AS l(f)
      ON (l.f).user_id = u.id
    ORDER BY u.ord);
  IF viewer IS NULL THEN
    RETURN QUERY SELECT * FROM unnest(fetched);
  ELSE
    RETURN QUERY SELECT * FROM proxy.reciprocity(fetched, viewer);
  END IF;
$$);

-- Every shard looks the name up in its own unique index (a shadow's name never matches). A user
-- being moved or split is on two shards for a moment (both copies alike): one row per user.
SELECT proxy.define_api($s$profile.find_profile_by_username(username text, viewer uuid DEFAULT NULL)$s$, $s$SETOF profile.profiles$s$, options => $s$STABLE ROWS 1$s$,
  body => $$
  RETURN QUERY SELECT * FROM proxy.reciprocity(
    ARRAY(SELECT DISTINCT ON (r.user_id) r FROM proxy_remote.find_profile_by_username(username, viewer) r), viewer);
$$);

-- The owner's shard lists the rows; a contact living elsewhere is read from their home (with
-- the owner as viewer), since the owner's shard holds only a shadow of them. A contact whose
-- home no longer has them (a delete whose clean-up has not reached this shard yet) is left out.
SELECT proxy.define_api($s$profile.list_contacts(user_id uuid, favorites_only boolean DEFAULT false,
                                      after uuid DEFAULT NULL, "limit" int DEFAULT 100)$s$, $s$TABLE (contact_user_id uuid, nickname text, is_favorite boolean, username text,
               display_name text, avatar_url text, status profile.presence, last_seen timestamptz)$s$, options => $s$STABLE ROWS 100$s$,
  declarations => $$
  listed proxy.contact_row[];
  remote_ids uuid[];
  fresh profile.profiles[];
  owner_home integer := profile.shard_for(list_contacts.user_id);
  c proxy.contact_row;
  p profile.profiles;
$$,
  body => $$
  listed := ARRAY(SELECT r FROM proxy_remote.list_contacts(list_contacts.user_id, favorites_only, after, "limit") r);
  remote_ids := ARRAY(SELECT x.contact_user_id FROM unnest(listed) x
                      WHERE profile.shard_for(x.contact_user_id) <> owner_home);
  IF cardinality(remote_ids) > 0 THEN
    fresh := ARRAY(SELECT r FROM proxy.reciprocity(
      ARRAY(SELECT g FROM proxy_remote.get_profiles(remote_ids, proxy.routes(remote_ids), list_contacts.user_id) g), list_contacts.user_id) r);
  END IF;
  FOREACH c IN ARRAY listed LOOP
    IF profile.shard_for(c.contact_user_id) <> owner_home THEN
      SELECT * INTO p FROM unnest(fresh) x WHERE x.user_id = c.contact_user_id LIMIT 1;
      CONTINUE WHEN NOT FOUND;
      c.username := p.username;
      c.display_name := p.display_name;
      c.avatar_url := p.avatar_url;
      c.status := p.status;
      c.last_seen := p.last_seen;
    END IF;
    contact_user_id := c.contact_user_id; nickname := c.nickname; is_favorite := c.is_favorite;
    username := c.username; display_name := c.display_name; avatar_url := c.avatar_url;
    status := c.status; last_seen := c.last_seen;
    RETURN NEXT;
  END LOOP;
$$);

-- Both users exist (each at home) and neither blocks the other (each block lives with its owner).
SELECT proxy.define_api($s$profile.can_interact(a uuid, b uuid)$s$, $s$boolean$s$, options => $s$STABLE$s$,
  declarations => $$
  fa record;
  fb record;
$$,
  body => $$
  IF a IS NULL OR b IS NULL OR profile.shard_for(a) = profile.shard_for(b) THEN
    RETURN proxy_remote.can_interact(a, b);
  END IF;
  SELECT * INTO fa FROM proxy_remote.interaction_facts(a, b);
  SELECT * INTO fb FROM proxy_remote.interaction_facts(b, a);
  RETURN fa.me_exists AND fb.me_exists AND NOT fa.me_blocks_other AND NOT fb.me_blocks_other;
$$);

-- The owner's flags from the owner's shard; existence and contact_of from each other's home.
SELECT proxy.define_api($s$profile.relationships(user_id uuid, others uuid[])$s$, $s$TABLE (other uuid, is_contact boolean, is_favorite boolean, contact_of boolean,
               blocking boolean, muting boolean, muted_until timestamptz)$s$, options => $s$STABLE$s$,
  declarations => $$
  mine proxy.owner_relation[];
  theirs proxy.other_relation[];
$$,
  body => $$
  mine := ARRAY(SELECT r FROM proxy_remote.owner_relations(relationships.user_id, others) r);
  theirs := ARRAY(SELECT r FROM proxy_remote.others_relations(others, proxy.routes(others), relationships.user_id) r);
  RETURN QUERY
  SELECT o.id, m.is_contact, m.is_favorite, t.contact_of, m.blocking, m.muting, m.muted_until
  FROM (SELECT u.id, min(u.ord) AS ord FROM unnest(others) WITH ORDINALITY AS u(id, ord) GROUP BY u.id) o
  JOIN (SELECT DISTINCT ON (x.other) x.* FROM unnest(theirs) x) t ON t.other = o.id
  JOIN unnest(mine) m ON m.other = o.id
  ORDER BY o.ord;
$$);

-- Every shard returns its best matches (home users only, masked for the viewer by the user's
-- own rules); the proxy drops users the viewer blocks (known on the viewer's home), applies
-- reciprocity, and merges in the extension's order.
SELECT proxy.define_api($s$profile.search_profiles(query text, viewer uuid DEFAULT NULL, "limit" int DEFAULT 20)$s$, $s$SETOF profile.profiles$s$, options => $s$STABLE ROWS 20$s$,
  declarations => $$
  found profile.profiles[];
  blocked uuid[] := '{}';
  q text;
$$,
  body => $$
  -- One row per user (a user being moved or split is on two shards for a moment).
  found := ARRAY(SELECT DISTINCT ON (r.user_id) r FROM proxy_remote.search_home(query, viewer, "limit") r);
  IF viewer IS NOT NULL AND cardinality(found) > 0 THEN
    blocked := ARRAY(SELECT proxy_remote.blocked_among(viewer, ARRAY(SELECT x.user_id FROM unnest(found) x)));
  END IF;
  q := lower(normalize(btrim(query, E' \t\n\r\f\v'), NFC));
  RETURN QUERY
  SELECT r.* FROM proxy.reciprocity(ARRAY(
      SELECT x FROM unnest(found) x WHERE x.user_id <> ALL (blocked)), viewer) r
  ORDER BY CASE WHEN lower(r.username) = q THEN 0
                WHEN starts_with(lower(r.username), q) THEN 1 ELSE 2 END,
           CASE WHEN NOT starts_with(lower(r.username), q)
                THEN public.similarity(lower(r.display_name), q) END DESC NULLS LAST,
           lower(r.username), r.user_id
  LIMIT "limit";
$$);

-- ---- writes that involve a second user ------------------------------------------------------
-- Before a list row naming a user who lives elsewhere: that user's shadow on the owner's shard.
-- Only for a user who exists at home; otherwise the owner's shard reports the contract's P0002.
CREATE FUNCTION proxy.prepare_other(owner uuid, other uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF owner IS NOT NULL AND other IS NOT NULL AND profile.shard_for(owner) <> profile.shard_for(other)
     AND proxy_remote.user_exists(other) THEN
    PERFORM proxy_remote.ensure_shadow(owner, other);
  END IF;
END
$$;

SELECT proxy.define_api($s$profile.add_contact(user_id uuid, contact_user_id uuid, nickname text DEFAULT NULL,
                                    is_favorite boolean DEFAULT false)$s$, $s$profile.contacts$s$,
  body => $$
  PERFORM proxy.prepare_other(user_id, contact_user_id);
  RETURN proxy_remote.add_contact(user_id, contact_user_id, nickname, is_favorite);
$$);

SELECT proxy.define_api($s$profile.block_user(user_id uuid, blocked_user_id uuid, reason text DEFAULT NULL)$s$, $s$profile.blocks$s$,
  body => $$
  PERFORM proxy.prepare_other(user_id, blocked_user_id);
  RETURN proxy_remote.block_user(user_id, blocked_user_id, reason);
$$);

SELECT proxy.define_api($s$profile.mute_user(user_id uuid, muted_user_id uuid, expires_at timestamptz DEFAULT NULL)$s$, $s$profile.mutes$s$,
  body => $$
  PERFORM proxy.prepare_other(user_id, muted_user_id);
  RETURN proxy_remote.mute_user(user_id, muted_user_id, expires_at);
$$);

-- ---- usernames: reserve on the registry, write at home, confirm or release ------------------
SELECT proxy.define_api($s$profile.create_profile(user_id uuid, username text, display_name text,
                                       bio text DEFAULT '', avatar_url text DEFAULT NULL)$s$, $s$profile.profiles$s$,
  declarations => $$
  token uuid := gen_random_uuid();
  reserved boolean := false;
  created profile.profiles;
$$,
  body => $$
  IF user_id IS NULL OR username IS NULL THEN  -- no name to reserve: the shard decides alone
    RETURN proxy_remote.create_profile(user_id, username, display_name, bio, avatar_url);
  END IF;
  reserved := proxy_remote.reserve_username(username, user_id, token);
  BEGIN
    created := proxy_remote.create_profile(user_id, username, display_name, bio, avatar_url);
  EXCEPTION WHEN OTHERS THEN
    IF reserved THEN
      PERFORM proxy_remote.release_username(username, token);
    END IF;
    RAISE;
  END;
  IF reserved THEN
    PERFORM proxy_remote.confirm_username(username, token);
  END IF;
  RETURN created;
$$);

SELECT proxy.define_api($s$profile.update_profile(user_id uuid, username text DEFAULT NULL, display_name text DEFAULT NULL,
                                       bio text DEFAULT NULL, avatar_url text DEFAULT NULL)$s$, $s$profile.profiles$s$,
  declarations => $$
  token uuid := gen_random_uuid();
  reserved boolean := false;
  updated profile.profiles;
$$,
  body => $$
  IF user_id IS NULL OR username IS NULL THEN  -- no name to reserve: the shard decides alone
    RETURN proxy_remote.update_profile(user_id, username, display_name, bio, avatar_url);
  END IF;
  reserved := proxy_remote.reserve_username(username, user_id, token);
  BEGIN
    updated := proxy_remote.update_profile(user_id, username, display_name, bio, avatar_url);
  EXCEPTION WHEN OTHERS THEN
    IF reserved THEN
      PERFORM proxy_remote.release_username(username, token);
    END IF;
    RAISE;
  END;
  IF reserved THEN
    PERFORM proxy_remote.confirm_username(username, token);  -- also frees the old name
  END IF;
  RETURN updated;
$$);

-- The home shard deletes the user (and, there, other users' entries for them); then the
-- registry frees the name and every other shard removes its list entries for the user.
SELECT proxy.define_api($s$profile.delete_profile(user_id uuid)$s$, $s$boolean$s$,
  declarations => $$
  deleted boolean;
$$,
  body => $$
  deleted := proxy_remote.delete_profile(user_id);
  IF deleted THEN
    PERFORM proxy_remote.release_user(user_id);
    PERFORM sum(n) FROM proxy_remote.forget_user(user_id) n;
  END IF;
  RETURN deleted;
$$);

-- ---- operators: every shard answers ---------------------------------------------------------
SELECT proxy.define_api($s$profile.outbox_stats()$s$, $s$TABLE (pending bigint, oldest_pending_age interval, published bigint, quarantined bigint)$s$, options => $s$STABLE ROWS 1$s$,
  body => $$
  RETURN QUERY
  SELECT sum(s.pending)::bigint, max(s.oldest_pending_age), sum(s.published)::bigint, sum(s.quarantined)::bigint
  FROM proxy_remote.outbox_stats() s;
$$);
SELECT proxy.define_api($s$profile.purge_outbox(older_than interval DEFAULT '1 day')$s$, $s$bigint$s$,
  body => $$
  RETURN (SELECT coalesce(sum(n), 0)::bigint FROM proxy_remote.purge_outbox(older_than) n);
$$);
-- Publishers connect to their shard, not to the proxy; through the proxy this asks every shard.
SELECT proxy.define_api($s$profile.request_wakeup()$s$, $s$boolean$s$,
  body => $$
  RETURN (SELECT coalesce(bool_or(w), false) FROM proxy_remote.request_wakeup() w);
$$);
SELECT proxy.define_api($s$profile.run_expiry()$s$, $s$TABLE (kind text, count bigint)$s$,
  body => $$
  RETURN QUERY
  SELECT e.kind, sum(e.count)::bigint FROM proxy_remote.run_expiry() WITH ORDINALITY AS e(kind, count, ord)
  GROUP BY e.kind ORDER BY min(e.ord);
$$);
SELECT proxy.define_api($s$profile.trace_stats()$s$, $s$TABLE (traced_events bigint, invalid_traceparents bigint)$s$,
  body => $$
  RETURN QUERY
  SELECT sum(t.traced_events)::bigint, sum(t.invalid_traceparents)::bigint FROM proxy_remote.trace_stats() t;
$$);

-- ---- repair jobs ----------------------------------------------------------------------------
-- Reservations an attempt left pending (its proxy died between the phases): confirmed when the
-- home shard shows the user with that name, released otherwise. Run from cron, say every minute;
-- `older_than` must exceed the longest create/update call (statement_timeout on the shards).
CREATE FUNCTION proxy.resolve_stale_reservations(older_than interval DEFAULT '10 min')
RETURNS TABLE (name_key text, user_id uuid, confirmed boolean) LANGUAGE plpgsql AS $$
DECLARE
  stale proxy.reservation[];
  r proxy.reservation;
BEGIN
  stale := ARRAY(SELECT s FROM proxy_remote.stale_reservations(older_than) s);
  FOREACH r IN ARRAY stale LOOP
    name_key := r.name_key;
    user_id := r.user_id;
    confirmed := proxy_remote.username_key(r.user_id) IS NOT DISTINCT FROM r.name_key;
    IF confirmed THEN
      PERFORM proxy_remote.confirm_username(r.name_key, r.token);
    ELSE
      PERFORM proxy_remote.release_username(r.name_key, r.token);
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;

-- Shadows whose user is gone at home (a delete whose clean-up was cut short, or a shadow made
-- just as its user was deleted): their list entries go, with events, as delete_profile does.
CREATE FUNCTION proxy.forget_deleted_users()
RETURNS TABLE (user_id uuid, removed bigint) LANGUAGE plpgsql AS $$
DECLARE
  shadows uuid[];
  id uuid;
BEGIN
  shadows := ARRAY(SELECT DISTINCT s FROM proxy_remote.list_shadows() s);
  FOREACH id IN ARRAY shadows LOOP
    CONTINUE WHEN proxy_remote.user_exists(id);
    user_id := id;
    removed := (SELECT sum(n) FROM proxy_remote.forget_user(id) n);
    RETURN NEXT;
  END LOOP;
END
$$;

-- Deletes whose steps 2 and 3 were cut short (the proxy died, the registry's shard or another
-- shard failed, or the user was deleted on its shard directly): for every user deleted within
-- `since` and not back, the registry frees their names and every shard drops its list entries
-- for them (both idempotent). Run it more often than `since`, e.g. every minute with '1 hour'.
CREATE FUNCTION proxy.finish_deletes(since interval DEFAULT '1 hour')
RETURNS TABLE (user_id uuid, names_freed integer, list_rows_removed bigint) LANGUAGE plpgsql AS $$
DECLARE
  deleted uuid[];
  id uuid;
BEGIN
  deleted := ARRAY(SELECT DISTINCT d FROM proxy_remote.recently_deleted(since) d);
  FOREACH id IN ARRAY deleted LOOP
    user_id := id;
    names_freed := proxy_remote.release_user(id);
    list_rows_removed := (SELECT sum(n) FROM proxy_remote.forget_user(id) n);
    RETURN NEXT;
  END LOOP;
END
$$;

-- Hand-made INSERT, UPDATE, DELETE of profiles, contacts, blocks, mutes, forwarded to the owner's shard.
\ir proxy_view_writes.sql

DROP FUNCTION proxy.define_api(text, text, text, text, text);

-- Callers get rights through roles (profile_app: proxy/scripts/shards.sh), never through PUBLIC.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA profile, proxy, proxy_remote FROM PUBLIC;
