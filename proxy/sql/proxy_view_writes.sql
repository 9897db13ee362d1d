-- The proxy database: an operator's hand-made UPDATE of profile.profiles, as on one database.
-- There a trigger validates such a change and writes the same event the API would; here each
-- row the UPDATE reaches goes to its user's home shard (shard.update_profile_row), where the
-- same trigger does the same. Included by proxy_api.sql.
--
-- What differs from one database (docs/sharding.md, "Hand-made changes through the proxy"):
-- each row is one call to its shard, committed there at once, so an UPDATE of many users is
-- not one transaction (a failing row stops the statement; rows already sent stay changed) and
-- a ROLLBACK on the proxy undoes nothing; and the new values are computed from the row the
-- proxy read, so only the columns the UPDATE changed are sent (a concurrent change of another
-- column survives; one of the same column is overwritten, as a later UPDATE would).
-- A new username is reserved in the registry on partition 0 before the row changes and
-- confirmed after, as update_profile does, so it stays unique across shards.
-- INSERT and DELETE stay refused (55000): users come and go through the API only, which keeps
-- the cross-shard rules (username registry, list removal on other shards).

-- The row's home: the routing rule every write of the API uses.
CREATE FUNCTION proxy_remote.update_profile_row(user_id uuid, changes jsonb)
RETURNS jsonb LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_hash(user_id); TARGET shard.update_profile_row;
$$;

-- The INSTEAD OF trigger. Runs as the proxy's owner (SECURITY DEFINER) so the caller needs only
-- UPDATE on the view; errors are re-raised as the shard's extension wrote them (proxy.shard_text).
CREATE FUNCTION proxy.forward_profile_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
DECLARE
  changes jsonb;
  stored jsonb;
  token uuid := gen_random_uuid();
  reserved boolean := false;
  e_state text; e_message text; e_detail text; e_hint text;
BEGIN
  SELECT COALESCE(jsonb_object_agg(n.key, n.value), '{}') INTO changes
  FROM jsonb_each(to_jsonb(NEW)) n JOIN jsonb_each(to_jsonb(OLD)) o ON o.key = n.key
  WHERE n.value IS DISTINCT FROM o.value;
  -- A new username goes through the registry first, as update_profile's does (docs/sharding.md).
  IF changes ? 'username' AND NEW.username IS NOT NULL THEN
    reserved := proxy_remote.reserve_username(NEW.username, OLD.user_id, token);
  END IF;
  BEGIN
    stored := proxy_remote.update_profile_row(OLD.user_id, changes);
  EXCEPTION WHEN OTHERS THEN
    IF reserved THEN
      PERFORM proxy_remote.release_username(NEW.username, token);
    END IF;
    RAISE;
  END;
  IF reserved THEN
    IF stored IS NULL THEN
      PERFORM proxy_remote.release_username(NEW.username, token);
    ELSE
      PERFORM proxy_remote.confirm_username(NEW.username, token);  -- also frees the old name
    END IF;
  END IF;
  IF stored IS NULL THEN
    RETURN NULL;  -- gone from its home meanwhile: not updated, as on one database
  END IF;
  RETURN jsonb_populate_record(NEW, stored);
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_message = MESSAGE_TEXT,
                          e_detail = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT;
  e_message := proxy.shard_text(e_message); e_detail := proxy.shard_text(e_detail); e_hint := proxy.shard_text(e_hint);
  IF e_detail = '' AND e_hint = '' THEN RAISE EXCEPTION USING ERRCODE = e_state, MESSAGE = e_message; END IF;
  IF e_detail = '' THEN RAISE EXCEPTION USING ERRCODE = e_state, MESSAGE = e_message, HINT = e_hint; END IF;
  IF e_hint = '' THEN RAISE EXCEPTION USING ERRCODE = e_state, MESSAGE = e_message, DETAIL = e_detail; END IF;
  RAISE EXCEPTION USING ERRCODE = e_state, MESSAGE = e_message, DETAIL = e_detail, HINT = e_hint;
END
$$;

CREATE TRIGGER profiles_forward_update INSTEAD OF UPDATE ON profile.profiles
  FOR EACH ROW EXECUTE FUNCTION proxy.forward_profile_update();

-- As on one database (scripts/create-roles.sql): profile_admin may update profiles by hand,
-- profile_app may not (it has no right on the view: 42501).
GRANT UPDATE ON profile.profiles TO profile_admin;
