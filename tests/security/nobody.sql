-- nobody.sql (as nobody_login, in no group role): PUBLIC gets nothing from the extension.
\ir helpers.sql
SELECT pg_temp.expect_error('no EXECUTE on ' || p.oid::regprocedure,
  format('SELECT %s.%I(%s)', 'profile', p.proname,
         (SELECT string_agg('NULL::' || format_type(t, NULL), ', ') FROM unnest(p.proargtypes) t)),
  '42501')
FROM pg_proc p
WHERE p.pronamespace = 'profile'::regnamespace AND p.prorettype <> 'trigger'::regtype
ORDER BY p.oid::regprocedure::text;
SELECT pg_temp.expect_error('no SELECT on profile.' || t, format('SELECT * FROM profile.%I', t), '42501')
FROM unnest(ARRAY['profiles', 'contacts', 'blocks', 'outbox']) t;
