-- The proxy database: an operator's hand-made INSERT, UPDATE or DELETE of profile.profiles,
-- contacts, blocks or mutes, as on one database. There the extension's triggers validate such a change
-- and write the same events the API would; here each row the statement reaches goes to its
-- owner's home shard (shard.insert_row, update_row, delete_row), where the same triggers do the
-- same, and the proxy adds what the API's functions add across shards. Included by proxy_api.sql.
--
-- What differs from one database (docs/sharding.md, "Hand-made changes through the proxy"):
-- each row is one call to its shard, committed there at once, so a statement reaching many rows
-- is not one transaction (a failing row stops the statement; rows already sent stay changed)
-- and a ROLLBACK on the proxy undoes nothing. An UPDATE's new values are computed from the row
-- the proxy read, so only the columns it changed are sent (a concurrent change of another
-- column survives). An INSERT sends the columns it gives a value (a null takes the table's
-- default, where one database would store the null or refuse it).
-- Across shards, as the API's functions do: a new username is reserved in the registry on
-- partition 0 first and confirmed after (create_profile, update_profile); a deleted profile's
-- name is freed and every other shard removes its list entries for the user (delete_profile);
-- a contact, block or mute of a user who lives elsewhere gets that user's shadow on the owner's
-- shard first (add_contact, block_user, mute_user). presence_state, retired_users and the outbox
-- take no changes through the proxy (55000, not updatable): change them on a shard.

-- The row's home: the routing rule every write of the API uses (the owner's user_id). Each
-- carries the session's realchat_profile.* settings, as the API's writes do (proxy_remote.sql).
CREATE FUNCTION proxy_remote.insert_row(owner uuid, table_name text, new_row jsonb,
  settings text[] DEFAULT proxy.session_settings())
RETURNS jsonb LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(owner);
  SELECT shard.insert_row(shard.with_settings(settings, table_name), new_row);
$$;
CREATE FUNCTION proxy_remote.update_row(owner uuid, table_name text, key jsonb, changes jsonb,
  settings text[] DEFAULT proxy.session_settings())
RETURNS jsonb LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(owner);
  SELECT shard.update_row(shard.with_settings(settings, table_name), key, changes);
$$;
CREATE FUNCTION proxy_remote.delete_row(owner uuid, table_name text, key jsonb,
  settings text[] DEFAULT proxy.session_settings())
RETURNS jsonb LANGUAGE plproxy AS $$
  CLUSTER 'profile_shards'; RUN ON profile.route_write(owner);
  SELECT shard.delete_row(shard.with_settings(settings, table_name), key);
$$;

-- The INSTEAD OF trigger of the four views, in the API functions' frame (proxy.define_api):
-- runs as the proxy's owner, so the caller needs only the right on the view; errors are
-- re-raised as the shard's extension wrote them.
SELECT proxy.define_api($s$proxy.forward_row_change()$s$, $s$trigger$s$,
  declarations => $$
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
  other_column text := CASE TG_TABLE_NAME WHEN 'contacts' THEN 'contact_user_id' WHEN 'blocks' THEN 'blocked_user_id'
                                          WHEN 'mutes' THEN 'muted_user_id' END;
  owner uuid := COALESCE(old_row, new_row)->>'user_id';
  key jsonb;
  changes jsonb;
  stored jsonb;
  username text;   -- a new username to reserve (profiles)
  token uuid := gen_random_uuid();
  reserved boolean := false;
$$,
  body => $$
  IF TG_OP = 'INSERT' THEN
    changes := jsonb_strip_nulls(new_row);
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT COALESCE(jsonb_object_agg(n.key, n.value), '{}') INTO changes
    FROM jsonb_each(new_row) n JOIN jsonb_each(old_row) o ON o.key = n.key
    WHERE n.value IS DISTINCT FROM o.value;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    SELECT jsonb_object_agg(o.key, o.value) INTO key FROM jsonb_each(old_row) o
    WHERE o.key IN ('user_id', other_column);
  END IF;
  IF TG_TABLE_NAME = 'profiles' AND TG_OP <> 'DELETE' AND changes ? 'username' AND owner IS NOT NULL THEN
    username := changes->>'username';
    reserved := proxy_remote.reserve_username(username, owner, token);
  ELSIF other_column IS NOT NULL AND TG_OP <> 'DELETE' AND changes ? other_column THEN
    PERFORM proxy.prepare_other(owner, (changes->>other_column)::uuid);
  END IF;
  BEGIN
    stored := CASE TG_OP WHEN 'INSERT' THEN proxy_remote.insert_row(owner, TG_TABLE_NAME, changes)
                         WHEN 'UPDATE' THEN proxy_remote.update_row(owner, TG_TABLE_NAME, key, changes)
                         ELSE proxy_remote.delete_row(owner, TG_TABLE_NAME, key) END;
  EXCEPTION WHEN OTHERS THEN
    IF reserved THEN
      PERFORM proxy_remote.release_username(username, token);
    END IF;
    RAISE;
  END;
  IF reserved AND stored IS NULL THEN
    PERFORM proxy_remote.release_username(username, token);
  ELSIF reserved THEN
    PERFORM proxy_remote.confirm_username(username, token);  -- also frees a renamed user's old name
  END IF;
  IF TG_TABLE_NAME = 'profiles' AND TG_OP = 'DELETE' AND stored IS NOT NULL THEN
    PERFORM proxy_remote.release_user(owner);
    PERFORM sum(n) FROM proxy_remote.forget_user(owner) n;
  END IF;
  IF stored IS NULL THEN
    RETURN NULL;  -- no such row at its home (gone meanwhile): nothing done, as on one database
  ELSIF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN jsonb_populate_record(NEW, stored);
$$);

CREATE TRIGGER profiles_forward INSTEAD OF INSERT OR UPDATE OR DELETE ON profile.profiles
  FOR EACH ROW EXECUTE FUNCTION proxy.forward_row_change();
CREATE TRIGGER contacts_forward INSTEAD OF INSERT OR UPDATE OR DELETE ON profile.contacts
  FOR EACH ROW EXECUTE FUNCTION proxy.forward_row_change();
CREATE TRIGGER blocks_forward INSTEAD OF INSERT OR UPDATE OR DELETE ON profile.blocks
  FOR EACH ROW EXECUTE FUNCTION proxy.forward_row_change();
CREATE TRIGGER mutes_forward INSTEAD OF INSERT OR UPDATE OR DELETE ON profile.mutes
  FOR EACH ROW EXECUTE FUNCTION proxy.forward_row_change();
-- They fire in replica mode too (session_replication_role = replica), as a table's trigger
-- does after ENABLE ALWAYS TRIGGER, which ALTER TABLE does not offer for a view: a hand-made
-- change in replica mode still goes to its shard, where it is applied in replica mode (the
-- session's setting goes with it, proxy_settings.sql), as on one database. Marked in the
-- catalog directly; new sessions see it (the proxy is installed before any client connects).
UPDATE pg_catalog.pg_trigger SET tgenabled = 'A'
WHERE tgrelid IN ('profile.profiles'::regclass, 'profile.contacts'::regclass, 'profile.blocks'::regclass,
                  'profile.mutes'::regclass)
  AND tgfoid = 'proxy.forward_row_change()'::regprocedure;

-- As on one database (scripts/create-roles.sql): profile_admin may change these tables by hand,
-- profile_app may not (it has no right on the views: 42501).
GRANT INSERT, UPDATE, DELETE ON profile.profiles, profile.contacts, profile.blocks, profile.mutes TO profile_admin;
