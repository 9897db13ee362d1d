-- hijack_plant.sql (as mallory): plants look-alikes of what the extension's SQL uses, in its own
-- schema and in public: functions, operators, an aggregate, and tables with the extension's
-- table names holding decoy rows. Each planted routine records its call in mallory.hijack_log
-- and then behaves like the built-in, so a call is caught even where its result would not show.
SET search_path = pg_catalog;

CREATE TABLE mallory.hijack_log (schema_name text, what text, at timestamptz DEFAULT pg_catalog.clock_timestamp());
-- Whoever runs a planted routine (the extension runs as a superuser) can record the call.
GRANT USAGE ON SCHEMA mallory TO PUBLIC;
GRANT INSERT, SELECT ON mallory.hijack_log TO PUBLIC;
CREATE TABLE mallory.results (label text PRIMARY KEY, value text);

CREATE FUNCTION mallory.note(schema_name text, what text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog AS $$
BEGIN
  RAISE NOTICE 'planted %.% called', schema_name, what;
  INSERT INTO mallory.hijack_log (schema_name, what) VALUES (schema_name, what);
END
$$;

DO $plant$
DECLARE
  s text;
BEGIN
  FOREACH s IN ARRAY ARRAY['mallory', 'public'] LOOP
    -- Functions the extension's queries, defaults and index use.
    EXECUTE format($f$CREATE FUNCTION %1$I.lower(text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, 'lower(text)'); RETURN pg_catalog.lower($1); END$b$$f$, s);
    EXECUTE format($f$CREATE FUNCTION %1$I.lower(varchar) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, 'lower(varchar)'); RETURN pg_catalog.lower($1); END$b$$f$, s);
    EXECUTE format($f$CREATE FUNCTION %1$I.upper(text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, 'upper(text)'); RETURN pg_catalog.upper($1); END$b$$f$, s);
    EXECUTE format($f$CREATE FUNCTION %1$I.btrim(text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, 'btrim(text)'); RETURN pg_catalog.btrim($1); END$b$$f$, s);
    EXECUTE format($f$CREATE FUNCTION %1$I.length(text) RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, 'length(text)'); RETURN pg_catalog.length($1); END$b$$f$, s);
    EXECUTE format($f$CREATE FUNCTION %1$I.now() RETURNS timestamptz LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, 'now()'); RETURN pg_catalog.now(); END$b$$f$, s);
    EXECUTE format($f$CREATE FUNCTION %1$I.clock_timestamp() RETURNS timestamptz LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, 'clock_timestamp()'); RETURN pg_catalog.clock_timestamp(); END$b$$f$, s);
    EXECUTE format($f$CREATE FUNCTION %1$I.gen_random_uuid() RETURNS uuid LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, 'gen_random_uuid()'); RETURN pg_catalog.gen_random_uuid(); END$b$$f$, s);

    -- count(*) and min(timestamptz), as aggregates that record their use.
    EXECUTE format($f$CREATE FUNCTION %1$I.count_step(bigint) RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, 'count(*)'); RETURN $1 OPERATOR(pg_catalog.+) 1; END$b$$f$, s);
    EXECUTE format('CREATE AGGREGATE %1$I.count(*) (SFUNC = %1$I.count_step, STYPE = bigint, INITCOND = 0)', s);
    EXECUTE format($f$CREATE FUNCTION %1$I.min_step(timestamptz, timestamptz) RETURNS timestamptz LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, 'min(timestamptz)'); RETURN pg_catalog.least($1, $2); END$b$$f$, s);
    EXECUTE format('CREATE AGGREGATE %1$I.min(timestamptz) (SFUNC = %1$I.min_step, STYPE = timestamptz)', s);

    -- Comparison operators on the types the extension compares, each backed by a recording function.
    EXECUTE format($f$CREATE FUNCTION %1$I.uuid_eq_planted(uuid, uuid) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, '=(uuid,uuid)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END$b$$f$, s);
    EXECUTE format('CREATE OPERATOR %1$I.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = %1$I.uuid_eq_planted)', s);
    EXECUTE format($f$CREATE FUNCTION %1$I.uuid_ne_planted(uuid, uuid) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, '<>(uuid,uuid)'); RETURN $1 OPERATOR(pg_catalog.<>) $2; END$b$$f$, s);
    EXECUTE format('CREATE OPERATOR %1$I.<> (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = %1$I.uuid_ne_planted)', s);
    EXECUTE format($f$CREATE FUNCTION %1$I.text_eq_planted(text, text) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, '=(text,text)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END$b$$f$, s);
    EXECUTE format('CREATE OPERATOR %1$I.= (LEFTARG = text, RIGHTARG = text, FUNCTION = %1$I.text_eq_planted)', s);
    EXECUTE format($f$CREATE FUNCTION %1$I.text_ne_planted(text, text) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, '<>(text,text)'); RETURN $1 OPERATOR(pg_catalog.<>) $2; END$b$$f$, s);
    EXECUTE format('CREATE OPERATOR %1$I.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = %1$I.text_ne_planted)', s);
    EXECUTE format($f$CREATE FUNCTION %1$I.text_cat_planted(text, text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, '||(text,text)'); RETURN $1 OPERATOR(pg_catalog.||) $2; END$b$$f$, s);
    EXECUTE format('CREATE OPERATOR %1$I.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = %1$I.text_cat_planted)', s);
    EXECUTE format($f$CREATE FUNCTION %1$I.presence_eq_planted(profile.presence, profile.presence) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, '=(presence,presence)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END$b$$f$, s);
    EXECUTE format('CREATE OPERATOR %1$I.= (LEFTARG = profile.presence, RIGHTARG = profile.presence, FUNCTION = %1$I.presence_eq_planted)', s);
    EXECUTE format($f$CREATE FUNCTION %1$I.presence_ne_planted(profile.presence, profile.presence) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, '<>(presence,presence)'); RETURN $1 OPERATOR(pg_catalog.<>) $2; END$b$$f$, s);
    EXECUTE format('CREATE OPERATOR %1$I.<> (LEFTARG = profile.presence, RIGHTARG = profile.presence, FUNCTION = %1$I.presence_ne_planted)', s);
    EXECUTE format($f$CREATE FUNCTION %1$I.int8_eq_planted(bigint, bigint) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, '=(bigint,bigint)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END$b$$f$, s);
    EXECUTE format('CREATE OPERATOR %1$I.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = %1$I.int8_eq_planted)', s);
    EXECUTE format($f$CREATE FUNCTION %1$I.int8_gt_planted(bigint, bigint) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, '>(bigint,bigint)'); RETURN $1 OPERATOR(pg_catalog.>) $2; END$b$$f$, s);
    EXECUTE format('CREATE OPERATOR %1$I.> (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = %1$I.int8_gt_planted)', s);
    EXECUTE format($f$CREATE FUNCTION %1$I.int8_pl_planted(bigint, integer) RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, '+(bigint,integer)'); RETURN $1 OPERATOR(pg_catalog.+) $2; END$b$$f$, s);
    EXECUTE format('CREATE OPERATOR %1$I.+ (LEFTARG = bigint, RIGHTARG = integer, FUNCTION = %1$I.int8_pl_planted)', s);
    EXECUTE format($f$CREATE FUNCTION %1$I.tstz_lt_planted(timestamptz, timestamptz) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, '<(timestamptz,timestamptz)'); RETURN $1 OPERATOR(pg_catalog.<) $2; END$b$$f$, s);
    EXECUTE format('CREATE OPERATOR %1$I.< (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = %1$I.tstz_lt_planted)', s);
    EXECUTE format($f$CREATE FUNCTION %1$I.tstz_mi_planted(timestamptz, interval) RETURNS timestamptz LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, '-(timestamptz,interval)'); RETURN $1 OPERATOR(pg_catalog.-) $2; END$b$$f$, s);
    EXECUTE format('CREATE OPERATOR %1$I.- (LEFTARG = timestamptz, RIGHTARG = interval, FUNCTION = %1$I.tstz_mi_planted)', s);
    EXECUTE format($f$CREATE FUNCTION %1$I.jsonb_field_planted(jsonb, text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog
      AS $b$BEGIN PERFORM mallory.note(%1$L, '->>(jsonb,text)'); RETURN $1 OPERATOR(pg_catalog.->>) $2; END$b$$f$, s);
    EXECUTE format('CREATE OPERATOR %1$I.->> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = %1$I.jsonb_field_planted)', s);

    -- Tables named like the extension's, each with a decoy row that would show in a result.
    EXECUTE format($f$CREATE TABLE %1$I.profiles (user_id uuid, username text, display_name text, bio text,
      avatar_url text, status profile.presence, last_seen timestamptz, version bigint,
      created_at timestamptz, updated_at timestamptz)$f$, s);
    EXECUTE format($f$INSERT INTO %1$I.profiles VALUES ('b1000000-0000-4000-8000-000000000001', 'decoy', 'Decoy',
      'planted', NULL, 'busy', NULL, 999, pg_catalog.now(), pg_catalog.now())$f$, s);
    EXECUTE format($f$CREATE TABLE %1$I.contacts (user_id uuid, contact_user_id uuid, nickname text, is_favorite boolean,
      created_at timestamptz, updated_at timestamptz)$f$, s);
    EXECUTE format($f$INSERT INTO %1$I.contacts VALUES ('b1000000-0000-4000-8000-000000000001',
      'b1000000-0000-4000-8000-0000000000dd', 'decoy', true, pg_catalog.now(), pg_catalog.now())$f$, s);
    EXECUTE format($f$CREATE TABLE %1$I.blocks (user_id uuid, blocked_user_id uuid, reason text, created_at timestamptz)$f$, s);
    EXECUTE format($f$INSERT INTO %1$I.blocks VALUES ('b1000000-0000-4000-8000-000000000001',
      'b1000000-0000-4000-8000-0000000000dd', 'decoy', pg_catalog.now())$f$, s);
    EXECUTE format($f$CREATE TABLE %1$I.outbox (id bigint, topic text, key text, payload jsonb, created_at timestamptz,
      published_at timestamptz, quarantined_at timestamptz, last_error text)$f$, s);
    EXECUTE format($f$INSERT INTO %1$I.outbox VALUES (1, 'decoy', 'decoy', '{}', pg_catalog.now(), NULL, NULL, NULL)$f$, s);
    EXECUTE format($f$CREATE TABLE %1$I.profile_outbox (LIKE %1$I.outbox)$f$, s);
    EXECUTE format('INSERT INTO %1$I.profile_outbox SELECT * FROM %1$I.outbox', s);
    -- Writes the extension might send to a planted table are kept (and visible to the checks).
    EXECUTE format('GRANT ALL ON %1$I.profiles, %1$I.contacts, %1$I.blocks, %1$I.outbox, %1$I.profile_outbox TO PUBLIC', s);
  END LOOP;
END
$plant$;
