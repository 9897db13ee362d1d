-- Included by shard_helpers.sql (schema shard; its closing REVOKE covers this file too).

-- Changes an operator makes by hand through the proxy's views profile.profiles, contacts,
-- blocks and mutes (INSERT, UPDATE, DELETE there), applied here to the home user's rows as the same
-- statement would be on one database: the extension's triggers validate them and write their
-- events. Rows are json as to_jsonb writes them. Each function returns the row as stored
-- (RETURNING), or null when no row matched. Not for applications: only the proxy's connection
-- role runs them (proxy/sql/proxy_view_writes.sql).

-- The tables that take hand-made changes through the proxy, and each one's key. Anything else
-- is refused (the proxy never sends it).
CREATE FUNCTION shard.writable_key(table_name text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  CASE table_name
    WHEN 'profiles' THEN RETURN ARRAY['user_id'];
    WHEN 'contacts' THEN RETURN ARRAY['user_id', 'contact_user_id'];
    WHEN 'blocks' THEN RETURN ARRAY['user_id', 'blocked_user_id'];
    WHEN 'mutes' THEN RETURN ARRAY['user_id', 'muted_user_id'];
    ELSE RAISE EXCEPTION 'profile.% does not take changes through the proxy', table_name
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END CASE;
END
$$;

-- The columns named by `fields`, checked against the table (42703 for one it does not have).
CREATE FUNCTION shard.row_columns(table_name text, fields jsonb) RETURNS text[]
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  unknown text;
BEGIN
  SELECT k INTO unknown FROM jsonb_object_keys(fields) k
  WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = ('profile.' || quote_ident(table_name))::regclass
                      AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = k)
  LIMIT 1;
  IF unknown IS NOT NULL THEN
    RAISE EXCEPTION 'column "%" of relation "%" does not exist', unknown, table_name USING ERRCODE = 'undefined_column';
  END IF;
  RETURN ARRAY(SELECT jsonb_object_keys(fields));
END
$$;

-- The key match `t.<key> = k.<key> AND ...`; on profiles a shadow never matches (not a user here).
CREATE FUNCTION shard.key_match(table_name text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
  SELECT string_agg(format('t.%I = k.%I', c, c), ' AND ')
         || CASE WHEN table_name = 'profiles'
                 THEN ' AND NOT EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = t.user_id)' ELSE '' END
  FROM unnest(shard.writable_key(table_name)) c
$$;

-- INSERT of the columns `new_row` names (the others take the table's defaults).
CREATE FUNCTION shard.insert_row(table_name text, new_row jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  cols text[];
  stored jsonb;
BEGIN
  PERFORM shard.writable_key(table_name);
  cols := shard.row_columns(table_name, new_row);
  EXECUTE format('INSERT INTO profile.%I AS t (%s) SELECT %s FROM jsonb_populate_record(NULL::profile.%I, $1) r '
                 'RETURNING to_jsonb(t)', table_name,
                 (SELECT string_agg(format('%I', c), ', ') FROM unnest(cols) c),
                 (SELECT string_agg(format('r.%I', c), ', ') FROM unnest(cols) c), table_name)
    INTO stored USING new_row;
  RETURN stored;
END
$$;

-- UPDATE of the row `key` names, setting only the columns `changes` names, so columns changed
-- here meanwhile by someone else keep their values. An empty `changes` still updates the row
-- (no event, as on one database).
CREATE FUNCTION shard.update_row(table_name text, key jsonb, changes jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  assignments text;
  stored jsonb;
BEGIN
  SELECT string_agg(format('%I = r.%I', c, c), ', ') INTO assignments FROM unnest(shard.row_columns(table_name, changes)) c;
  EXECUTE format('UPDATE profile.%I t SET %s FROM jsonb_populate_record(NULL::profile.%I, $1) k, '
                 'jsonb_populate_record(NULL::profile.%I, $2) r WHERE %s RETURNING to_jsonb(t)',
                 table_name, COALESCE(assignments, 'user_id = t.user_id'), table_name, table_name,
                 shard.key_match(table_name))
    INTO stored USING key, changes;
  RETURN stored;
END
$$;

-- DELETE of the row `key` names.
CREATE FUNCTION shard.delete_row(table_name text, key jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  stored jsonb;
BEGIN
  EXECUTE format('DELETE FROM profile.%I t USING jsonb_populate_record(NULL::profile.%I, $1) k WHERE %s '
                 'RETURNING to_jsonb(t)', table_name, table_name, shard.key_match(table_name))
    INTO stored USING key;
  RETURN stored;
END
$$;
