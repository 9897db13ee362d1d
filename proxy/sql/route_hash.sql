-- The routing hash, defined once for the proxy (profile.route_hash) and the shards
-- (shard.route_hash, used when a partition is split): included with \ir after
-- \set route_schema NAME.
--
-- route_hash is the uuid's last 32 bits (big-endian, as a signed int4). It depends on nothing but
-- the uuid's bytes: no PostgreSQL hash function whose output could change between versions or
-- platforms. The last bits are random in v4 and in v7 uuids alike (v7's first 48 bits are a time
-- stamp, which would pile new users onto one shard). A null id routes to 0, so the shard there
-- reports the contract's 22004 for it. Qualified throughout: it is inlined into callers' queries.
CREATE FUNCTION :"route_schema".route_hash(user_id uuid) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT COALESCE(('x' OPERATOR(pg_catalog.||) pg_catalog.right(pg_catalog.replace(user_id::text, '-', ''), 8))::bit(32)::integer, 0)
$$;
