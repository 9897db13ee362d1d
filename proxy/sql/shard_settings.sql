-- Included by shard_helpers.sql (schema shard; its closing REVOKE covers this file too).

-- The proxy session's realchat_profile.* settings, for one forwarded call. On one database the
-- extension reads the caller's session settings (traceparent, topic and notify_channel for each
-- event, the max_* limits, away_after and offline_after for run_expiry); through the proxy the
-- caller's session is the proxy's, so each forwarded write carries the settings that session
-- changed (proxy/sql/proxy_settings.sql builds them) as {name=value, ...}, or null when it
-- changed none; session_replication_role too, for hand-made changes made in replica mode.
-- They are applied with set_config(..., true): for the remote call's transaction only (PL/Proxy
-- sends each call as one statement outside any transaction block), so the next call on the
-- same connection starts from the shard's own configuration.

-- SECURITY DEFINER: most of these are superuser settings, which the proxy checked already when
-- its session set them (it loads the extension's library); the proxy's connection role need not
-- be a superuser. No SET clause: one would undo set_config(..., true) when the function returns,
-- so every name is schema-qualified instead. Only the settings the proxy forwards can be set.
CREATE FUNCTION shard.apply_settings(settings text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
AS $$
BEGIN
  PERFORM pg_catalog.set_config(
            CASE WHEN s.name OPERATOR(pg_catalog.~) '^(realchat_profile\.[a-z_]+|session_replication_role)$' THEN s.name
                 ELSE shard.refuse_setting(s.name) END,
            s.value, true)
  FROM (SELECT pg_catalog.split_part(x, '=', 1) AS name,
               pg_catalog.substr(x, pg_catalog.strpos(x, '=') OPERATOR(pg_catalog.+) 1) AS value
        FROM pg_catalog.unnest(settings) AS x) s;
END
$$;

-- A name apply_settings does not set: an error (from an expression, hence a function).
CREATE FUNCTION shard.refuse_setting(name text) RETURNS text
LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION 'setting "%" is not forwarded to a shard', name USING ERRCODE = 'insufficient_privilege';
END
$$;

-- `value`, once the settings are applied: wrapped around the first argument of a forwarded
-- call (profile.set_status(shard.with_settings(settings, user_id), status)), so they are in
-- place before the call runs, in the same statement.
CREATE FUNCTION shard.with_settings(settings text[], value anyelement) RETURNS anyelement
LANGUAGE plpgsql
AS $$
BEGIN
  IF settings IS NOT NULL THEN
    PERFORM shard.apply_settings(settings);
  END IF;
  RETURN value;
END
$$;

-- run_expiry takes no argument to wrap.
CREATE FUNCTION shard.run_expiry(settings text[]) RETURNS TABLE (kind text, count bigint)
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM shard.apply_settings(settings);
  RETURN QUERY SELECT * FROM profile.run_expiry();
END
$$;
