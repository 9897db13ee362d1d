-- Included by shard_helpers.sql (schema shard; its closing REVOKE covers this file too).

-- A change an operator makes by hand through the proxy's view profile.profiles (an UPDATE
-- there), applied to the home user's row here as the same UPDATE would be on one database: the
-- extension's triggers validate it and write its events. `changes` names only the columns the
-- operator's UPDATE changed, with their new values (json as to_jsonb writes a profiles row), so
-- columns changed here meanwhile by someone else keep their values. A column that is not one of
-- profiles' is the contract's 42703. Returns the row as stored (RETURNING), null if the user
-- is not at home here. An empty `changes` is still an UPDATE of the row (no event, as on one
-- database). Not for applications: only the proxy's connection role runs it.
CREATE FUNCTION shard.update_profile_row(user_id uuid, changes jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  assignments text;
  unknown text;
  stored jsonb;
BEGIN
  SELECT k INTO unknown FROM jsonb_object_keys(changes) k
  WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = 'profile.profiles'::regclass
                    AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = k)
  LIMIT 1;
  IF unknown IS NOT NULL THEN
    RAISE EXCEPTION 'column "%" of relation "profiles" does not exist', unknown USING ERRCODE = 'undefined_column';
  END IF;
  SELECT string_agg(format('%I = r.%I', k, k), ', ') INTO assignments FROM jsonb_object_keys(changes) k;
  EXECUTE format('UPDATE profile.profiles p SET %s FROM jsonb_populate_record(NULL::profile.profiles, $2) r '
                 'WHERE p.user_id = $1 AND NOT EXISTS (SELECT 1 FROM shard.shadows s WHERE s.user_id = p.user_id) '
                 'RETURNING to_jsonb(p)', COALESCE(assignments, 'user_id = p.user_id'))
    INTO stored USING update_profile_row.user_id, changes;
  RETURN stored;
END
$$;
