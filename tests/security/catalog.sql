-- catalog.sql (as the superuser): what the catalog says about rights and search paths.
\ir helpers.sql

-- Every function of the schema that runs with its owner's rights pins search_path: in its
-- declaration, or (the hot paths listed here, which hijack_calls.sql calls under a hostile
-- search path) inside the library for the whole call, with no SET clause at all.
SELECT pg_temp.check('SECURITY DEFINER function ' || p.oid::regprocedure || ' pins search_path',
                     CASE WHEN p.oid::regprocedure::text = ANY (ARRAY[
                            'profile.heartbeat(uuid)', 'profile.update_profile(uuid,text,text,text,text)',
                            'profile.get_profile(uuid,uuid)', 'profile.get_profiles(uuid[],uuid)',
                            'profile.relationships(uuid,uuid[])'])
                          THEN p.proconfig IS NULL AND p.prolang = (SELECT l.oid FROM pg_language l WHERE l.lanname = 'c')
                          ELSE p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'] END,
                     'proconfig is ' || coalesce(p.proconfig::text, 'null'))
FROM pg_proc p
WHERE p.pronamespace = 'profile'::regnamespace AND p.prosecdef
ORDER BY p.oid::regprocedure::text;

-- Every function a role is given runs with the owner's rights (so no table rights are needed).
SELECT pg_temp.check('granted function ' || p.oid::regprocedure || ' is SECURITY DEFINER', p.prosecdef)
FROM pg_proc p
WHERE p.pronamespace = 'profile'::regnamespace AND p.prorettype <> 'trigger'::regtype
ORDER BY p.oid::regprocedure::text;

-- PUBLIC can execute nothing in the schema (a null proacl would mean the default: PUBLIC may).
SELECT pg_temp.check('PUBLIC has no EXECUTE on ' || p.oid::regprocedure,
                     p.proacl IS NOT NULL AND NOT EXISTS (
                       SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'),
                     'proacl is ' || coalesce(p.proacl::text, 'null (PUBLIC may execute)'))
FROM pg_proc p
WHERE p.pronamespace = 'profile'::regnamespace
ORDER BY p.oid::regprocedure::text;

-- The application role holds no privilege on any table, sequence or column.
SELECT pg_temp.check('profile_app has no privilege on ' || c.oid::regclass,
                     NOT has_table_privilege('profile_app', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                     AND NOT has_any_column_privilege('profile_app', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))
FROM pg_class c
WHERE c.relnamespace = 'profile'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
ORDER BY c.oid::regclass::text;

-- The publisher's rights are exactly: SELECT on the outbox and UPDATE of three of its columns.
SELECT pg_temp.check('profile_publisher has no privilege on ' || c.oid::regclass,
                     NOT has_table_privilege('profile_publisher', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                     AND NOT has_any_column_privilege('profile_publisher', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))
FROM pg_class c
WHERE c.relnamespace = 'profile'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relname <> 'outbox'
ORDER BY c.oid::regclass::text;
SELECT pg_temp.check('profile_publisher may update outbox.' || a.attname || ' only if it is a marking column',
                     has_column_privilege('profile_publisher', 'profile.outbox'::regclass, a.attnum, 'UPDATE')
                       = (a.attname IN ('published_at', 'quarantined_at', 'last_error')))
FROM pg_attribute a
WHERE a.attrelid = 'profile.outbox'::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;

-- No role of the service may create objects in the extension's schema.
SELECT pg_temp.check('no CREATE on schema profile for ' || r,
                     NOT has_schema_privilege(r, 'profile', 'CREATE'))
FROM unnest(ARRAY['profile_app', 'profile_publisher', 'profile_admin']) r;

-- The group roles cannot log in.
SELECT pg_temp.check(rolname || ' is NOLOGIN', NOT rolcanlogin)
FROM pg_roles WHERE rolname IN ('profile_app', 'profile_publisher', 'profile_admin') ORDER BY rolname;
SELECT pg_temp.check('three group roles exist', count(*) = 3)
FROM pg_roles WHERE rolname IN ('profile_app', 'profile_publisher', 'profile_admin');
