-- bench/plpgsql_twin.sql: what a team would write instead of the C++ extension, in PL/pgSQL.
--
-- Same design as the extension: BEFORE ROW triggers validate and normalise what is written
-- (so hand-made DML is covered too), bump the owner's per-user version and insert the event
-- into the outbox in the same transaction; the API functions are thin SECURITY DEFINER
-- wrappers with a pinned search_path. Same rules (contract, "Validation"): lengths in code
-- points, NFC through PostgreSQL's normalize(), trimming of Unicode White_Space, no control,
-- line-break or bidirectional control characters, https:// URLs with a host, usernames unique
-- case-insensitively. Same payload members, same versions, same SQLSTATEs.
--
-- Covered: update_profile, set_status, add_contact, remove_contact (what the benchmark runs),
-- plus the INSERT path used to load data. Deleting profiles and updating contacts are not
-- part of the twin and raise feature_not_supported.
--
-- Tables are copies of profile.* in schema twin (data copied by bench.copy_to_mirrors()).
-- No NOTIFY: the write comparison runs with the extension preloaded, where it notifies only
-- on request; a PL/pgSQL version has no shared memory to learn that from.

CREATE SCHEMA twin;
CREATE TABLE twin.profiles (LIKE profile.profiles INCLUDING ALL);
ALTER TABLE twin.profiles SET (fillfactor = 85);  -- as the extension's table (LIKE copies no storage parameters)
CREATE TABLE twin.contacts (LIKE profile.contacts INCLUDING ALL,
  FOREIGN KEY (user_id) REFERENCES twin.profiles (user_id),
  FOREIGN KEY (contact_user_id) REFERENCES twin.profiles (user_id));
CREATE TABLE twin.blocks (LIKE profile.blocks INCLUDING ALL,
  FOREIGN KEY (user_id) REFERENCES twin.profiles (user_id));
CREATE TABLE twin.outbox (LIKE profile.outbox INCLUDING ALL);

-- ---------------------------------------------------------------------------------------
-- Validation

CREATE FUNCTION twin.invalid(field text, what text) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% %', field, what USING ERRCODE = 'invalid_parameter_value';
END
$$;

CREATE FUNCTION twin.check_uuid(id uuid, field text) RETURNS uuid
  LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF id IS NULL THEN
    RAISE EXCEPTION '% must not be null', field USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF id = '00000000-0000-0000-0000-000000000000' THEN
    PERFORM twin.invalid(field, 'must not be the nil uuid');
  END IF;
  RETURN id;
END
$$;

CREATE FUNCTION twin.check_username(v text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF v !~ '^[A-Za-z][A-Za-z0-9_]*$' THEN
    PERFORM twin.invalid('username', 'must start with a letter and contain only ASCII letters, digits and _');
  END IF;
  IF length(v) NOT BETWEEN 3 AND 32 THEN
    PERFORM twin.invalid('username', format('must be 3 to 32 characters (got %s)', length(v)));
  END IF;
  RETURN v;
END
$$;

-- display_name, nickname: trimmed of Unicode White_Space, NFC, 1..64 code points, single line.
CREATE FUNCTION twin.short_text(field text, v text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  n int;
BEGIN
  v := normalize(btrim(v, E' \t\n\u000B\f\r\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000'), NFC);
  IF v ~ E'[\\u2028\\u2029\\n\\r\\u000B\\f]' THEN
    PERFORM twin.invalid(field, 'must not contain line breaks');
  END IF;
  IF v ~ E'[\\u0001-\\u001F\\u007F-\\u009F]' THEN
    PERFORM twin.invalid(field, 'must not contain control characters');
  END IF;
  IF v ~ E'[\\u202A-\\u202E\\u2066-\\u2069]' THEN
    PERFORM twin.invalid(field, 'must not contain bidirectional control characters');
  END IF;
  n := length(v);
  IF n NOT BETWEEN 1 AND 64 THEN
    PERFORM twin.invalid(field, format('must be 1 to 64 characters after trimming (got %s)', n));
  END IF;
  RETURN v;
END
$$;

-- bio, reason: NFC, at most 500 code points, line feed allowed, no other control characters.
CREATE FUNCTION twin.long_text(field text, v text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  n int;
BEGIN
  v := normalize(v, NFC);
  IF v ~ E'[\\u0001-\\u0009\\u000B-\\u001F\\u007F-\\u009F]' THEN
    PERFORM twin.invalid(field, 'must not contain control characters');
  END IF;
  IF v ~ E'[\\u202A-\\u202E\\u2066-\\u2069]' THEN
    PERFORM twin.invalid(field, 'must not contain bidirectional control characters');
  END IF;
  n := length(v);
  IF n > 500 THEN
    PERFORM twin.invalid(field, format('must be at most 500 characters (got %s)', n));
  END IF;
  RETURN v;
END
$$;

-- An absolute https:// URL with a host name or bracketed IPv6 address, optional port,
-- no white space or control characters, at most 2048 code points.
CREATE FUNCTION twin.check_url(v text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF length(v) > 2048 THEN
    PERFORM twin.invalid('avatar_url', format('must be at most 2048 characters (got %s)', length(v)));
  END IF;
  IF v ~ E'[\\u0001-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]' THEN
    PERFORM twin.invalid('avatar_url', 'must not contain white space or control characters');
  END IF;
  IF v !~* '^https://([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?([/?#].*)?$' THEN
    PERFORM twin.invalid('avatar_url', 'must be an absolute https:// URL with a host');
  END IF;
  IF substring(v from '^[^/]*//[^/?#]*:([0-9]{1,5})(?:[/?#]|$)')::int > 65535 THEN
    PERFORM twin.invalid('avatar_url', 'must have a port of 1 to 5 digits, at most 65535');
  END IF;
  RETURN v;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Events

CREATE FUNCTION twin.emit(owner uuid, event_type text, version bigint, data jsonb) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO twin.outbox (topic, key, payload)
  VALUES (coalesce(current_setting('realchat_profile.topic', true), 'profile.events'), owner::text,
          jsonb_build_object(
            'event_id', gen_random_uuid(),
            'event_type', event_type,
            'user_id', owner,
            'version', version,
            'occurred_at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'data', data));
END
$$;

CREATE FUNCTION twin.profile_data(p twin.profiles) RETURNS jsonb
  LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'username', p.username, 'display_name', p.display_name, 'bio', p.bio,
    'avatar_url', p.avatar_url, 'status', p.status,
    'last_seen', to_char(p.last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
$$;

-- Locks the owner's profile, bumps its version and returns it; P0002 if absent.
CREATE FUNCTION twin.next_version(owner uuid) RETURNS bigint
  LANGUAGE plpgsql AS $$
DECLARE
  v bigint;
BEGIN
  UPDATE twin.profiles SET version = version + 1 WHERE user_id = owner RETURNING version INTO v;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user % does not exist', owner USING ERRCODE = 'no_data_found';
  END IF;
  RETURN v;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Triggers

CREATE FUNCTION twin.profiles_trigger() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  now_ts timestamptz := clock_timestamp();
  changed text[] := '{}';
  profile_changed boolean;
  status_changed boolean;
  data jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM twin.check_uuid(NEW.user_id, 'user_id');
    IF NEW.username IS NULL OR NEW.display_name IS NULL THEN
      RAISE EXCEPTION '% must not be null', CASE WHEN NEW.username IS NULL THEN 'username' ELSE 'display_name' END
        USING ERRCODE = 'null_value_not_allowed';
    END IF;
    NEW.username := twin.check_username(NEW.username);
    NEW.display_name := twin.short_text('display_name', NEW.display_name);
    NEW.bio := twin.long_text('bio', coalesce(NEW.bio, ''));
    IF NEW.avatar_url IS NOT NULL THEN
      NEW.avatar_url := twin.check_url(NEW.avatar_url);
    END IF;
    IF EXISTS (SELECT 1 FROM twin.profiles WHERE user_id = NEW.user_id) THEN
      RAISE EXCEPTION 'user % already exists', NEW.user_id USING ERRCODE = 'unique_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM twin.profiles WHERE lower(username) = lower(NEW.username)) THEN
      RAISE EXCEPTION 'username "%" is already taken', NEW.username USING ERRCODE = 'unique_violation';
    END IF;
    IF NEW.last_seen > now_ts THEN
      NEW.last_seen := now_ts;
    END IF;
    NEW.version := 1;
    NEW.created_at := now_ts;
    NEW.updated_at := now_ts;
    PERFORM twin.emit(NEW.user_id, 'ProfileCreated', 1, twin.profile_data(NEW));
    RETURN NEW;
  ELSIF TG_OP = 'UPDATE' THEN
    -- The version bump of a contact or block event (from their triggers) changes nothing else.
    IF pg_trigger_depth() > 1 THEN
      RETURN NEW;
    END IF;
    IF NEW.user_id IS DISTINCT FROM OLD.user_id THEN
      PERFORM twin.invalid('user_id', 'of a profile cannot be changed');
    END IF;
    IF NEW.username IS NULL OR NEW.display_name IS NULL THEN
      RAISE EXCEPTION '% must not be null', CASE WHEN NEW.username IS NULL THEN 'username' ELSE 'display_name' END
        USING ERRCODE = 'null_value_not_allowed';
    END IF;
    NEW.bio := coalesce(NEW.bio, '');
    -- Validate only what changes, so old rows never block unrelated edits.
    IF NEW.username <> OLD.username THEN
      NEW.username := twin.check_username(NEW.username);
      IF EXISTS (SELECT 1 FROM twin.profiles
                 WHERE lower(username) = lower(NEW.username) AND user_id <> NEW.user_id) THEN
        RAISE EXCEPTION 'username "%" is already taken', NEW.username USING ERRCODE = 'unique_violation';
      END IF;
      changed := changed || 'username'::text;
    END IF;
    IF NEW.display_name <> OLD.display_name THEN
      NEW.display_name := twin.short_text('display_name', NEW.display_name);
      IF NEW.display_name <> OLD.display_name THEN
        changed := changed || 'display_name'::text;
      END IF;
    END IF;
    IF NEW.bio <> OLD.bio THEN
      NEW.bio := twin.long_text('bio', NEW.bio);
      IF NEW.bio <> OLD.bio THEN
        changed := changed || 'bio'::text;
      END IF;
    END IF;
    IF NEW.avatar_url IS DISTINCT FROM OLD.avatar_url THEN
      IF NEW.avatar_url IS NOT NULL THEN
        NEW.avatar_url := twin.check_url(NEW.avatar_url);
      END IF;
      changed := changed || 'avatar_url'::text;
    END IF;
    profile_changed := cardinality(changed) > 0;
    status_changed := NEW.status <> OLD.status;
    IF status_changed THEN
      NEW.last_seen := now_ts;
      changed := changed || '{status,last_seen}'::text[];
    ELSIF NEW.last_seen > now_ts THEN
      NEW.last_seen := now_ts;
    END IF;
    NEW.created_at := OLD.created_at;
    IF NOT profile_changed AND NOT status_changed THEN
      NEW.version := OLD.version;
      NEW.updated_at := OLD.updated_at;
      RETURN NEW;
    END IF;
    NEW.version := OLD.version + 1;
    NEW.updated_at := now_ts;
    IF profile_changed THEN
      data := twin.profile_data(NEW) || jsonb_build_object('changed', changed);
      PERFORM twin.emit(NEW.user_id, 'ProfileUpdated', NEW.version, data);
    ELSE
      PERFORM twin.emit(NEW.user_id, 'PresenceChanged', NEW.version,
                        jsonb_build_object('status', NEW.status,
                                           'last_seen', to_char(NEW.last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')));
    END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'deleting profiles is not part of the PL/pgSQL twin' USING ERRCODE = 'feature_not_supported';
END
$$;

CREATE FUNCTION twin.contacts_trigger() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  now_ts timestamptz := clock_timestamp();
  v bigint;
  max_contacts int := coalesce(current_setting('realchat_profile.max_contacts', true), '10000')::int;
  other_exists boolean;
  blocked boolean;
  listed boolean;
  list_size bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM twin.check_uuid(NEW.user_id, 'user_id');
    PERFORM twin.check_uuid(NEW.contact_user_id, 'contact_user_id');
    IF NEW.user_id = NEW.contact_user_id THEN
      PERFORM twin.invalid('contact_user_id', 'must differ from user_id');
    END IF;
    IF NEW.nickname = '' THEN
      NEW.nickname := NULL;
    END IF;
    IF NEW.nickname IS NOT NULL THEN
      NEW.nickname := twin.short_text('nickname', NEW.nickname);
    END IF;
    NEW.is_favorite := coalesce(NEW.is_favorite, false);
    v := twin.next_version(NEW.user_id);
    SELECT EXISTS (SELECT 1 FROM twin.profiles WHERE user_id = NEW.contact_user_id),
           EXISTS (SELECT 1 FROM twin.blocks WHERE user_id = NEW.user_id AND blocked_user_id = NEW.contact_user_id),
           EXISTS (SELECT 1 FROM twin.contacts WHERE user_id = NEW.user_id AND contact_user_id = NEW.contact_user_id),
           (SELECT count(*) FROM (SELECT 1 FROM twin.contacts WHERE user_id = NEW.user_id LIMIT max_contacts) s)
      INTO other_exists, blocked, listed, list_size;
    IF NOT other_exists THEN
      RAISE EXCEPTION 'contact_user_id % does not exist', NEW.contact_user_id USING ERRCODE = 'no_data_found';
    END IF;
    IF blocked THEN
      PERFORM twin.invalid('contact_user_id', format('%s is blocked by user %s', NEW.contact_user_id, NEW.user_id));
    END IF;
    IF listed THEN
      RAISE EXCEPTION 'contact_user_id % is already a contact of user %', NEW.contact_user_id, NEW.user_id
        USING ERRCODE = 'unique_violation';
    END IF;
    IF list_size >= max_contacts THEN
      RAISE EXCEPTION 'user % has reached the limit of % contacts', NEW.user_id, max_contacts
        USING ERRCODE = 'program_limit_exceeded';
    END IF;
    NEW.created_at := now_ts;
    NEW.updated_at := now_ts;
    PERFORM twin.emit(NEW.user_id, 'ContactAdded', v,
                      jsonb_build_object('contact_user_id', NEW.contact_user_id, 'nickname', NEW.nickname,
                                         'is_favorite', NEW.is_favorite));
    RETURN NEW;
  ELSIF TG_OP = 'DELETE' THEN
    v := twin.next_version(OLD.user_id);
    PERFORM twin.emit(OLD.user_id, 'ContactRemoved', v, jsonb_build_object('contact_user_id', OLD.contact_user_id));
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'updating contacts is not part of the PL/pgSQL twin' USING ERRCODE = 'feature_not_supported';
END
$$;

CREATE TRIGGER profiles_events BEFORE INSERT OR UPDATE OR DELETE ON twin.profiles
  FOR EACH ROW EXECUTE FUNCTION twin.profiles_trigger();
CREATE TRIGGER contacts_events BEFORE INSERT OR UPDATE OR DELETE ON twin.contacts
  FOR EACH ROW EXECUTE FUNCTION twin.contacts_trigger();

-- ---------------------------------------------------------------------------------------
-- API (same names, parameters and attributes as the extension's)

CREATE FUNCTION twin.update_profile(user_id uuid, username text DEFAULT NULL, display_name text DEFAULT NULL,
                                    bio text DEFAULT NULL, avatar_url text DEFAULT NULL)
  RETURNS twin.profiles
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r twin.profiles;
BEGIN
  PERFORM twin.check_uuid($1, 'user_id');
  UPDATE twin.profiles p SET
    username = coalesce($2, p.username),
    display_name = coalesce($3, p.display_name),
    bio = coalesce($4, p.bio),
    avatar_url = CASE WHEN $5 IS NULL THEN p.avatar_url WHEN $5 = '' THEN NULL ELSE $5 END
  WHERE p.user_id = $1
  RETURNING p.* INTO r;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user % does not exist', $1 USING ERRCODE = 'no_data_found';
  END IF;
  RETURN r;
END
$$;

CREATE FUNCTION twin.set_status(user_id uuid, status profile.presence)
  RETURNS twin.profiles
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r twin.profiles;
BEGIN
  PERFORM twin.check_uuid($1, 'user_id');
  IF $2 IS NULL THEN
    RAISE EXCEPTION 'status must not be null' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  -- Going offline sets last_seen in the trigger; any other status sets it here.
  UPDATE twin.profiles p SET
    status = $2,
    last_seen = CASE WHEN $2 <> 'offline' THEN clock_timestamp() ELSE p.last_seen END
  WHERE p.user_id = $1
  RETURNING p.* INTO r;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user % does not exist', $1 USING ERRCODE = 'no_data_found';
  END IF;
  RETURN r;
END
$$;

CREATE FUNCTION twin.add_contact(user_id uuid, contact_user_id uuid, nickname text DEFAULT NULL,
                                 is_favorite boolean DEFAULT false)
  RETURNS twin.contacts
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r twin.contacts;
BEGIN
  PERFORM twin.check_uuid($1, 'user_id');
  PERFORM twin.check_uuid($2, 'contact_user_id');
  INSERT INTO twin.contacts (user_id, contact_user_id, nickname, is_favorite)
  VALUES ($1, $2, $3, coalesce($4, false))
  RETURNING * INTO r;
  RETURN r;
END
$$;

CREATE FUNCTION twin.remove_contact(user_id uuid, contact_user_id uuid)
  RETURNS boolean
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM twin.check_uuid($1, 'user_id');
  PERFORM twin.check_uuid($2, 'contact_user_id');
  DELETE FROM twin.contacts c WHERE c.user_id = $1 AND c.contact_user_id = $2;
  RETURN FOUND;
END
$$;
