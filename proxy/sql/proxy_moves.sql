-- The proxy database, part 4: the proxy's side of moving one user between shards
-- (proxy/scripts/move-user.sh; docs/sharding.md, Growth). The routing exception itself,
-- proxy.moved_users, is read by profile.route and profile.route_write (proxy_routing.sql).

-- Step 1: freeze. From the commit on, calls writing for the user are refused (55006) and reads
-- still go to the source. Returns the source partition. Re-running a move that is still frozen
-- towards the same target returns the same source; a user already moved starts from where they are.
CREATE FUNCTION proxy.freeze_user(user_id uuid, target integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  m proxy.moved_users;
  n integer := profile.partition_count();
  src integer;
BEGIN
  IF user_id IS NULL OR target IS NULL OR target < 0 OR target >= n THEN
    RAISE EXCEPTION 'target partition % is not one of the % partitions', target, n
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO m FROM proxy.moved_users x WHERE x.user_id = freeze_user.user_id FOR UPDATE;
  IF FOUND AND m.state = 'frozen' THEN
    IF m.target <> target THEN
      RAISE EXCEPTION 'user % is being moved to partition %, not %', user_id, m.target, target
        USING ERRCODE = 'object_in_use';
    END IF;
    RETURN m.source;
  END IF;
  src := CASE WHEN FOUND THEN m.target ELSE profile.route_hash(user_id) & (n - 1) END;
  IF src = target THEN
    RAISE EXCEPTION 'user % already lives on partition %', user_id, target USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO proxy.moved_users AS x (user_id, source, target, state)
  VALUES (user_id, src, target, 'frozen')
  ON CONFLICT ON CONSTRAINT moved_users_pkey DO UPDATE
    SET source = excluded.source, target = excluded.target, state = 'frozen', frozen_at = clock_timestamp();
  RETURN src;
END
$$;

-- Step 4: the target serves the user (reads and writes). A user moved back to their hash's
-- partition needs no exception any more. Idempotent.
CREATE FUNCTION proxy.switch_user(user_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE proxy.moved_users x SET state = 'moved'
  WHERE x.user_id = switch_user.user_id AND x.state = 'frozen';
END
$$;

-- Step 6, after the source dropped the user: an exception that equals the hash's partition goes.
CREATE FUNCTION proxy.settle_user(user_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM proxy.moved_users x
  WHERE x.user_id = settle_user.user_id AND x.state = 'moved'
    AND x.target = profile.route_hash(x.user_id) & (profile.partition_count() - 1);
END
$$;

-- Giving up a frozen move (before step 4): the user is served by the source again, and the
-- exception now records the target as the place to clean (a copy may have been written there);
-- move-user.sh --abort then drops that copy and settles.
CREATE FUNCTION proxy.unfreeze_user(user_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE proxy.moved_users x SET source = x.target, target = x.source, state = 'moved'
  WHERE x.user_id = unfreeze_user.user_id AND x.state = 'frozen';
END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA proxy FROM PUBLIC;
