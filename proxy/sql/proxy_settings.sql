-- The proxy database: the realchat_profile.* settings of the caller's session (and its
-- session_replication_role), which the shards need for each forwarded write (shard_settings.sql
-- applies them there). Included by proxy_remote.sql. The proxy loads the extension's library in
-- every session (session_preload_libraries, proxy/scripts/shards.sh), so the settings exist here
-- with the extension's types, limits and rights: SET, SHOW and pg_settings behave as on a shard.
LOAD 'realchat_profile';

-- The settings a session can change (the rest are the expiry worker's, server configuration)
-- and each one's built-in value as current_setting shows it (with its unit: '5min'): from the
-- library itself, so a new setting is forwarded once the proxy is installed again. With them
-- session_replication_role, which decides on one database whether the extension's triggers
-- run for a hand-made change (replica: they do not, so no event, as a restore writes rows).
CREATE TABLE proxy.forwarded_settings (
  name     text PRIMARY KEY,
  built_in text NOT NULL
);
INSERT INTO proxy.forwarded_settings (name, built_in)
SELECT s.name, set_config(s.name, s.boot_val, true)
FROM pg_settings s
WHERE (s.name LIKE 'realchat_profile.%' AND s.context IN ('user', 'superuser'))
   OR s.name = 'session_replication_role';
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM proxy.forwarded_settings WHERE name = 'realchat_profile.traceparent') THEN
    RAISE EXCEPTION 'the realchat_profile library is not loaded in this session';
  END IF;
END
$$;

-- (proxy_view_writes.sql makes the views' triggers fire in replica mode too.)

-- The session's settings that differ from the built-in ones, as {name=value, ...}, or null when
-- none does (the usual case: nothing to send, nothing to apply). A shard's own configuration
-- stands for every setting the session left alone. Written out from proxy.forwarded_settings as
-- one expression that the planner inlines into each call: a comparison per setting when none
-- differs (about 2 µs), the array otherwise (about 4 µs). The default argument of every
-- forwarded write in proxy_remote.sql, so it is computed once per call, here only.
DO $$
BEGIN
  EXECUTE format($f$
    CREATE FUNCTION proxy.session_settings() RETURNS text[]
    LANGUAGE sql STABLE
    AS %L$f$,
    (SELECT 'SELECT CASE WHEN ' || string_agg(differs, ' OR ' ORDER BY name) ||
            ' THEN pg_catalog.array_remove(ARRAY[' ||
            string_agg(format('CASE WHEN %s THEN pg_catalog.concat(%L, pg_catalog.current_setting(%L)) END',
                              differs, name || '=', name), ', ' ORDER BY name) ||
            ']::text[], NULL) END'
     FROM (SELECT name, format('pg_catalog.current_setting(%L) OPERATOR(pg_catalog.<>) %L',
                               name, built_in) AS differs
           FROM proxy.forwarded_settings) f));
END
$$;
