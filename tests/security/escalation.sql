-- escalation.sql (as each service login in turn): every path found to the extension owner's
-- rights. The API functions are SECURITY DEFINER and owned by a superuser, and their triggers,
-- rules, policies and foreign keys run in that context; so no service role may attach code to
-- the extension's tables, or change how they behave. Each attempt plants a function that would
-- make the caller a superuser; the last checks run the API and show the caller is still not one.
\ir helpers.sql

CREATE FUNCTION pg_temp.escalate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE pg_catalog.format('ALTER ROLE %I SUPERUSER', session_user);
  RETURN NEW;
END $$;
CREATE FUNCTION pg_temp.escalate_bool() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE pg_catalog.format('ALTER ROLE %I SUPERUSER', session_user);
  RETURN true;
END $$;

CREATE TEMP TABLE extension_tables (name text);
INSERT INTO extension_tables VALUES ('profiles'), ('contacts'), ('blocks'), ('outbox'), ('retired_users');

-- Triggers: the TRIGGER privilege is not granted (a BEFORE trigger would fire inside create_profile).
SELECT pg_temp.expect_error('no trigger on profile.' || name,
  format('CREATE TRIGGER planted BEFORE INSERT OR UPDATE OR DELETE ON profile.%I FOR EACH ROW EXECUTE FUNCTION pg_temp.escalate()', name),
  '42501') FROM extension_tables ORDER BY name;
SELECT pg_temp.expect_error('no statement trigger on profile.' || name,
  format('CREATE TRIGGER planted AFTER TRUNCATE ON profile.%I EXECUTE FUNCTION pg_temp.escalate()', name),
  '42501') FROM extension_tables ORDER BY name;
SELECT pg_temp.expect_error('no constraint trigger on profile.profiles',
  'CREATE CONSTRAINT TRIGGER planted AFTER INSERT ON profile.profiles DEFERRABLE INITIALLY DEFERRED
     FOR EACH ROW EXECUTE FUNCTION pg_temp.escalate()', '42501');
-- Rules and row-level security policies need ownership.
SELECT pg_temp.expect_error('no rule on profile.' || name,
  format('CREATE RULE planted AS ON INSERT TO profile.%I DO ALSO SELECT pg_temp.escalate_bool()', name),
  '42501') FROM extension_tables ORDER BY name;
SELECT pg_temp.expect_error('no policy on profile.' || name,
  format('CREATE POLICY planted ON profile.%I USING (pg_temp.escalate_bool())', name),
  '42501') FROM extension_tables ORDER BY name;
SELECT pg_temp.expect_error('cannot enable row-level security on profile.profiles',
  'ALTER TABLE profile.profiles ENABLE ROW LEVEL SECURITY', '42501');
SELECT pg_temp.expect_error('cannot disable the event triggers',
  'ALTER TABLE profile.profiles DISABLE TRIGGER profiles_events', '42501');
SELECT pg_temp.expect_error('cannot change a column default of profile.profiles',
  'ALTER TABLE profile.profiles ALTER COLUMN bio SET DEFAULT (pg_temp.escalate_bool())::text', '42501');
-- A foreign key into the extension's tables would run its actions from their deletions.
SELECT pg_temp.check('no REFERENCES on profile.' || name,
  NOT has_table_privilege(session_user, format('profile.%I', name), 'REFERENCES')
  AND NOT has_any_column_privilege(session_user, format('profile.%I', name), 'REFERENCES'))
FROM extension_tables ORDER BY name;
SELECT pg_temp.expect_error('no TRUNCATE on profile.' || name, format('TRUNCATE profile.%I', name), '42501')
FROM extension_tables ORDER BY name;
-- Nothing can be added to the schema, nor defaults changed for objects its owner creates.
SELECT pg_temp.expect_error('no function in schema profile',
  'CREATE FUNCTION profile.planted() RETURNS int LANGUAGE sql AS $$SELECT 1$$', '42501');
SELECT pg_temp.expect_error('no operator in schema profile',
  'CREATE OPERATOR profile.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = pg_catalog.uuid_eq)', '42501');
SELECT pg_temp.expect_error('no default privileges for the extension owner',
  'ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA profile GRANT ALL ON TABLES TO PUBLIC', '42501');
SELECT pg_temp.expect_error('no cast on the extension''s types',
  'CREATE CAST (profile.presence AS boolean) WITH INOUT', '42501');
-- Skipping the triggers (and so the events) takes a superuser.
SELECT pg_temp.expect_error('cannot set session_replication_role', 'SET session_replication_role = replica', '42501');
SELECT pg_temp.expect_error('cannot become the owner', 'SET ROLE postgres', '42501');
-- A privilege the role does not hold cannot be handed on (GRANT only warns, so check the result).
DO $$ BEGIN
  EXECUTE pg_catalog.format('GRANT TRIGGER, REFERENCES, TRUNCATE ON profile.profiles TO %I', session_user);
EXCEPTION WHEN OTHERS THEN NULL;
END $$;
SELECT pg_temp.check('still no TRIGGER, REFERENCES or TRUNCATE on profile.profiles',
  NOT has_table_privilege(session_user, 'profile.profiles', 'TRIGGER, REFERENCES, TRUNCATE'));

-- The API (as far as this role may call it) runs with whatever the attempts above left behind.
DO $$ BEGIN
  PERFORM profile.create_profile('e5000000-0000-4000-8000-000000000001', 'escalation', 'E');
  PERFORM profile.update_profile('e5000000-0000-4000-8000-000000000001', bio => 'x');
  PERFORM profile.delete_profile('e5000000-0000-4000-8000-000000000001');
EXCEPTION WHEN insufficient_privilege THEN NULL;
END $$;
SELECT pg_temp.check('still not a superuser after calling the API',
  NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = session_user));
