#!/usr/bin/env bash
# A sharded Profile Service on 127.0.0.1 for tests and demos: N shard databases (realchat_profile
# + the `shard` helpers) and the proxy database (PL/Proxy, its SQL/MED cluster `profile_shards`,
# the contract's `profile` schema), in throwaway PostgreSQL clusters.
#
#   proxy/scripts/shards.sh up N DIR [--cluster-per-shard]
#                                        N a power of two (1, 2, 4, 8, ...); DIR must not exist
#   proxy/scripts/shards.sh down DIR     stop the clusters and remove DIR
#
# Layouts: by default one cluster (DIR/pg) holds the proxy and every shard (proxy/scripts/split.sh
# needs this one). --cluster-per-shard gives shard i its own cluster DIR/pg-shard-i on its own
# port and the proxy its own (DIR/pg), so one shard can stop, crash or restart alone.
# `up` writes DIR/env for clients: PGHOST, PGPORT (the proxy's), PGUSER, PROXY_DB, SHARD_COUNT,
# SHARD_DB_PREFIX, SHARD_LAYOUT (single or cluster-per-shard), SHARD_PORT_i for every shard, and
# shard_conninfo I (a libpq connection string of shard I):
#   . DIR/env; psql -d "$PROXY_DB"                       the proxy (what applications use)
#   . DIR/env; psql "$(shard_conninfo 2)"                shard 2 directly (publishers, operators)
# The extension must be installed into the PostgreSQL found on PATH (make install).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/scripts/lib.sh"

proxy_db=profile_proxy
shard_prefix=profile_shard_

usage() { sed -n '2,19p' "$0" >&2; exit 2; }

sql() { # sql DB [psql args...]: on the proxy's cluster
  sql_at "$port" "$@"
}
sql_at() { # sql_at PORT DB [psql args...]
  local p=$1 db=$2
  shift 2
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$p" -U postgres -d "$db" "$@"
}

stop_all() { # stop_all DIR: every cluster of the setup, immediately
  local d
  for d in "$1"/pg "$1"/pg-shard-*; do
    [ -d "$d" ] && "$root/scripts/pg-cluster.sh" stop "$d" immediate >/dev/null 2>&1
  done
  return 0
}

up() {
  local n=$1 dir=$2 layout=$3 i d server_opts="" shard_ports=() pids=() ok=1
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ $((n & (n - 1))) -eq 0 ] ||
    { echo "shards: N must be a power of two (PL/Proxy's partition count), got $n" >&2; exit 2; }
  [ -e "$dir" ] && { echo "shards: $dir exists" >&2; exit 2; }
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chmod 755 "$dir"
  # A step that fails leaves no server behind.
  trap 'stop_all "$dir"' ERR
  port=$(free_port)
  if [ "$layout" = cluster-per-shard ]; then
    # The shards' clusters start side by side (initdb is most of the time); a port drawn for one
    # is never drawn again for another, which may not listen on it yet.
    for ((i = 0; i < n; i++)); do
      while :; do
        shard_ports[i]=$(free_port)
        [ "${shard_ports[i]}" != "$port" ] && ! grep -qw "${shard_ports[i]}" <<<"${shard_ports[*]:0:i}" && break
      done
      "$root/scripts/pg-cluster.sh" start "$dir/pg-shard-$i" "${shard_ports[i]}" >"$dir/pg-shard-$i.start.log" 2>&1 &
      pids+=($!)
    done
  else
    for ((i = 0; i < n; i++)); do shard_ports[i]=$port; done
  fi
  "$root/scripts/pg-cluster.sh" start "$dir/pg" "$port" >/dev/null || ok=0
  for i in "${!pids[@]}"; do wait "${pids[i]}" || { ok=0; cat "$dir/pg-shard-$i.start.log" >&2; }; done
  [ "$ok" = 1 ] || { stop_all "$dir"; echo "shards: a cluster did not start" >&2; exit 1; }
  # move-user.sh holds a moved user's rows on the source in a prepared transaction (two-phase
  # commit), which PostgreSQL allows only with max_prepared_transactions > 0: set, then restart.
  pids=()
  for ((i = 0; i < n; i++)); do
    if [ "$layout" = single ]; then d=$dir/pg; [ "$i" = 0 ] || break; else d=$dir/pg-shard-$i; fi
    { sql_at "${shard_ports[i]}" postgres -c "ALTER SYSTEM SET max_prepared_transactions = 16" &&
      "$root/scripts/pg-cluster.sh" restart "$d" >/dev/null; } &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do wait "${pids[i]}" || ok=0; done
  [ "$ok" = 1 ] || { stop_all "$dir"; echo "shards: a shard's cluster did not restart" >&2; exit 1; }
  for ((i = 0; i < n; i++)); do
    sql_at "${shard_ports[i]}" postgres -c "CREATE DATABASE ${shard_prefix}$i"
    sql_at "${shard_ports[i]}" "${shard_prefix}$i" -c "SET client_min_messages = warning" \
      -c "CREATE EXTENSION realchat_profile CASCADE" -f "$here/../sql/shard_helpers.sql"
    server_opts+="${server_opts:+, }p$i 'host=127.0.0.1 port=${shard_ports[i]} dbname=${shard_prefix}$i'"
  done
  sql postgres -c "CREATE DATABASE $proxy_db"
  # The extension's library in every proxy session: its realchat_profile.* settings exist and
  # are checked there as on a shard, and the proxy forwards them with each write
  # (proxy/sql/proxy_settings.sql). Only settings: its worker and shared memory need
  # shared_preload_libraries, which the proxy does not have.
  sql postgres -c "ALTER DATABASE $proxy_db SET session_preload_libraries = 'realchat_profile'"
  sql "$proxy_db" <<SQL
CREATE EXTENSION plproxy;
CREATE EXTENSION pg_trgm;
-- The cluster: partition i is database ${shard_prefix}i. PL/Proxy rereads this on change.
CREATE SERVER profile_shards FOREIGN DATA WRAPPER plproxy
  OPTIONS (connection_lifetime '1800', $server_opts);
CREATE USER MAPPING FOR PUBLIC SERVER profile_shards OPTIONS (user 'postgres');
SQL
  sql "$proxy_db" -f "$here/../sql/proxy_routing.sql" -f "$here/../sql/proxy_remote.sql" -f "$here/../sql/proxy_api.sql" \
    -f "$here/../sql/proxy_moves.sql"
  # Applications: EXECUTE on the contract's functions, as scripts/create-roles.sql grants on one database.
  sql "$proxy_db" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'profile_app') THEN CREATE ROLE profile_app NOLOGIN; END IF;
END $$;
GRANT USAGE ON SCHEMA profile TO profile_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA profile TO profile_app;
SQL
  {
    echo "export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres"
    echo "export PROXY_DB=$proxy_db SHARD_COUNT=$n SHARD_DB_PREFIX=$shard_prefix SHARD_LAYOUT=$layout"
    for ((i = 0; i < n; i++)); do echo "export SHARD_PORT_$i=${shard_ports[i]}"; done
    # shellcheck disable=SC2016
    echo 'shard_conninfo() { local v=SHARD_PORT_$1; echo "host=127.0.0.1 port=${!v} user=postgres dbname=${SHARD_DB_PREFIX}$1"; }'
  } >"$dir/env"
  if [ "$layout" = cluster-per-shard ]; then
    echo "shards: $n shards in a cluster each (DIR/pg-shard-i, 127.0.0.1 ports ${shard_ports[*]}), the proxy on 127.0.0.1:$port (. $dir/env)"
  else
    echo "shards: $n shards and the proxy on 127.0.0.1:$port (. $dir/env)"
  fi
}

down() {
  local dir=$1
  [ -f "$dir/env" ] || [ -d "$dir/pg" ] || { echo "shards: $dir is not a shards.sh directory" >&2; exit 2; }
  stop_all "$dir"
  rm -rf "$dir"
}

case "${1:-}" in
  up)
    if [ $# -eq 4 ] && [ "$4" = --cluster-per-shard ]; then up "$2" "$3" cluster-per-shard
    elif [ $# -eq 3 ]; then up "$2" "$3" single
    else usage; fi ;;
  down) [ $# -eq 2 ] || usage; down "$2" ;;
  *) usage ;;
esac
