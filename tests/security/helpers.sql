-- helpers.sql: check functions for the security suite, created in pg_temp by each session.
-- Every check returns one line, "ok - LABEL" or "not ok - LABEL: DETAIL", which run.sh counts.
-- They pin their own search path and name operators fully, so they work unchanged in a session
-- whose search path is full of planted objects.

-- STMT must fail with SQLSTATE EXPECTED.
CREATE FUNCTION pg_temp.expect_error(label text, stmt text, expected text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  EXECUTE stmt;
  RETURN 'not ok - ' || label || ': succeeded, expected SQLSTATE ' || expected;
EXCEPTION WHEN OTHERS THEN
  IF SQLSTATE OPERATOR(pg_catalog.=) expected THEN
    RETURN 'ok - ' || label;
  END IF;
  RETURN 'not ok - ' || label || ': SQLSTATE ' || SQLSTATE || ' (' || SQLERRM || '), expected ' || expected;
END
$$;

-- STMT must succeed; its effects stay.
CREATE FUNCTION pg_temp.expect_ok(label text, stmt text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  EXECUTE stmt;
  RETURN 'ok - ' || label;
EXCEPTION WHEN OTHERS THEN
  RETURN 'not ok - ' || label || ': SQLSTATE ' || SQLSTATE || ' (' || SQLERRM || ')';
END
$$;

-- STMT must succeed and return true in its first column.
CREATE FUNCTION pg_temp.expect_true(label text, stmt text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  result boolean;
BEGIN
  EXECUTE stmt INTO result;
  IF result IS TRUE THEN
    RETURN 'ok - ' || label;
  END IF;
  RETURN 'not ok - ' || label || ': got ' || coalesce(result::text, 'null');
EXCEPTION WHEN OTHERS THEN
  RETURN 'not ok - ' || label || ': SQLSTATE ' || SQLSTATE || ' (' || SQLERRM || ')';
END
$$;

-- A condition computed by the caller; DETAIL explains a failure.
CREATE FUNCTION pg_temp.check(label text, condition boolean, detail text DEFAULT '') RETURNS text
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN condition IS TRUE THEN 'ok - ' || label
              ELSE 'not ok - ' || label || ': ' || coalesce(nullif(detail, ''), 'condition is ' || coalesce(condition::text, 'null'))
         END
$$;
