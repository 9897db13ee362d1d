#!/usr/bin/env bash
# A sharded Profile Service on 127.0.0.1 for tests and demos: one throwaway PostgreSQL cluster
# holding N shard databases (realchat_profile + the `shard` helpers) and the proxy database
# (PL/Proxy, its SQL/MED cluster `profile_shards`, the contract's `profile` schema).
#
#   proxy/scripts/shards.sh up N DIR     N a power of two (1, 2, 4, 8, ...); DIR must not exist
#   proxy/scripts/shards.sh down DIR     stop the cluster and remove DIR
#
# `up` writes DIR/env (PGHOST, PGPORT, PGUSER, PROXY_DB, SHARD_COUNT, SHARD_DB_PREFIX) for clients:
#   . DIR/env; psql -d "$PROXY_DB"                       the proxy (what applications use)
#   . DIR/env; psql -d "${SHARD_DB_PREFIX}2"             shard 2 directly (publishers, operators)
# The extension must be installed into the PostgreSQL found on PATH (make install).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/scripts/lib.sh"

proxy_db=profile_proxy
shard_prefix=profile_shard_

usage() { sed -n '2,12p' "$0" >&2; exit 2; }

sql() { # sql DB [psql args...]
  local db=$1
  shift
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

up() {
  local n=$1 dir=$2 i server_opts=""
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ $((n & (n - 1))) -eq 0 ] ||
    { echo "shards: N must be a power of two (PL/Proxy's partition count), got $n" >&2; exit 2; }
  [ -e "$dir" ] && { echo "shards: $dir exists" >&2; exit 2; }
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chmod 755 "$dir"
  port=$(free_port)
  "$root/scripts/pg-cluster.sh" start "$dir/pg" "$port" >/dev/null
  # A step that fails leaves no server behind.
  trap '"$root/scripts/pg-cluster.sh" stop "$dir/pg" immediate >/dev/null 2>&1' ERR
  for ((i = 0; i < n; i++)); do
    sql postgres -c "CREATE DATABASE ${shard_prefix}$i"
    sql "${shard_prefix}$i" -c "SET client_min_messages = warning" -c "CREATE EXTENSION realchat_profile CASCADE" \
      -f "$here/../sql/shard_helpers.sql"
    server_opts+="${server_opts:+, }p$i 'host=127.0.0.1 port=$port dbname=${shard_prefix}$i'"
  done
  sql postgres -c "CREATE DATABASE $proxy_db"
  sql "$proxy_db" <<SQL
CREATE EXTENSION plproxy;
CREATE EXTENSION pg_trgm;
-- The cluster: partition i is database ${shard_prefix}i. PL/Proxy rereads this on change.
CREATE SERVER profile_shards FOREIGN DATA WRAPPER plproxy
  OPTIONS (connection_lifetime '1800', $server_opts);
CREATE USER MAPPING FOR PUBLIC SERVER profile_shards OPTIONS (user 'postgres');
SQL
  sql "$proxy_db" -f "$here/../sql/proxy_routing.sql" -f "$here/../sql/proxy_remote.sql" -f "$here/../sql/proxy_api.sql"
  # Applications: EXECUTE on the contract's functions, as scripts/create-roles.sql grants on one database.
  sql "$proxy_db" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'profile_app') THEN CREATE ROLE profile_app NOLOGIN; END IF;
END $$;
GRANT USAGE ON SCHEMA profile TO profile_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA profile TO profile_app;
SQL
  cat >"$dir/env" <<ENV
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
export PROXY_DB=$proxy_db SHARD_COUNT=$n SHARD_DB_PREFIX=$shard_prefix
ENV
  echo "shards: $n shards and the proxy on 127.0.0.1:$port (. $dir/env)"
}

down() {
  local dir=$1
  [ -f "$dir/env" ] || [ -d "$dir/pg" ] || { echo "shards: $dir is not a shards.sh directory" >&2; exit 2; }
  "$root/scripts/pg-cluster.sh" stop "$dir/pg" immediate >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  up) [ $# -eq 3 ] || usage; up "$2" "$3" ;;
  down) [ $# -eq 2 ] || usage; down "$2" ;;
  *) usage ;;
esac
