#!/usr/bin/env bash
# A throwaway PgBouncer (Debian's 1.18) in transaction pooling mode for tests, demos and benchmarks.
#
#   scripts/pgbouncer.sh start DIR PORT --db NAME=CONNSTR [--db ...] [--user ROLE ...] [--pool-size N]
#   scripts/pgbouncer.sh stop DIR                 SIGTERM (the pidfile's process), wait, then SIGKILL
#   scripts/pgbouncer.sh restart DIR              stop, then start again with DIR's configuration as it is
#                                                 (clients see their connections cut)
#   scripts/pgbouncer.sh status DIR               exit 0 if running, 3 if not
#
# Example: start /tmp/x/bouncer 6432 --db profiles='host=127.0.0.1 port=5433 dbname=profiles'
# Listens on 127.0.0.1:PORT only. Clients log in as any ROLE given with --user (default: postgres;
# repeatable); PgBouncer trusts them as the clusters of scripts/pg-cluster.sh do (initdb -A trust),
# and logs in to PostgreSQL with the client's role. PostgreSQL's own authentication is what
# protects a deployment; there PgBouncer uses auth_query or scram secrets instead.
#
# "Database down" fails fast: with PostgreSQL unreachable a call gets an error within about
# query_wait_timeout (5 s), not after PgBouncer's default two minutes. Override any setting with
# PGBOUNCER_EXTRA='name = value' lines (appended to the [pgbouncer] section).
set -euo pipefail

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bouncer=${PGBOUNCER_BIN:-/usr/sbin/pgbouncer}
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,18p' "$0"; exit 2; }

stop() {
  running || return 0
  local pid i
  pid=$(cat "$dir/pgbouncer.pid")
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

launch() {  # launch PORT: run DIR/pgbouncer.ini, wait until it listens
  local port=$1 i
  # More clients than the default 1024 descriptors allow (max_client_conn plus server sockets).
  ulimit -n 4096 2>/dev/null || true
  as_owner "$bouncer" -d -q "$dir/pgbouncer.ini" || { tail -20 "$dir/pgbouncer.log" >&2 2>/dev/null; exit 1; }
  for ((i = 0; i < 100; i++)); do
    ss -Htln "sport = :$port" | grep -q . && return 0
    sleep 0.1
  done
  echo "pgbouncer: not listening on 127.0.0.1:$port after 10 s" >&2
  tail -20 "$dir/pgbouncer.log" >&2 2>/dev/null
  exit 1
}

running() {
  local pid
  pid=$(cat "$dir/pgbouncer.pid" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

case "$cmd" in
  start)
    port=${3:?port}; shift 3
    dbs=() users=() pool_size=20
    while [ $# -gt 0 ]; do
      case "$1" in
        --db) dbs+=("${2:?--db NAME=CONNSTR}"); shift 2 ;;
        --user) users+=("${2:?--user ROLE}"); shift 2 ;;
        --pool-size) pool_size=${2:?--pool-size N}; shift 2 ;;
        *) echo "pgbouncer: unknown option $1" >&2; exit 2 ;;
      esac
    done
    [ ${#dbs[@]} -gt 0 ] || { echo "pgbouncer: at least one --db NAME=CONNSTR" >&2; exit 2; }
    [ ${#users[@]} -gt 0 ] || users=(postgres)
    [ -x "$bouncer" ] || { echo "pgbouncer: $bouncer not found (scripts/install-deps.sh)" >&2; exit 1; }
    running && { echo "pgbouncer: already running in $dir" >&2; exit 1; }
    mkdir -p "$dir"
    {
      echo "[databases]"
      for db in "${dbs[@]}"; do echo "${db%%=*} = ${db#*=}"; done
      cat <<CONF
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
pidfile = $dir/pgbouncer.pid
logfile = $dir/pgbouncer.log
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = postgres
stats_users = postgres
pool_mode = transaction
default_pool_size = $pool_size
max_client_conn = 2000
; Drivers send these at login; PgBouncer would refuse the connection otherwise.
ignore_startup_parameters = extra_float_digits,options
; Fail fast when PostgreSQL is down: a refused or hung connect is given up after
; server_connect_timeout, the next attempt comes after server_login_retry, and a client that
; waits for a server connection gets "query_wait_timeout" after that many seconds. While the
; last login failed and no server connection is left, PgBouncer fails new queries at once.
server_connect_timeout = 3
server_login_retry = 1
query_wait_timeout = 5
; Dead servers found within seconds, not after the kernel's two hours.
tcp_keepalive = 1
tcp_keepidle = 10
tcp_keepintvl = 5
tcp_keepcnt = 3
log_connections = 0
log_disconnections = 0
${PGBOUNCER_EXTRA:-}
CONF
    } >"$dir/pgbouncer.ini"
    : >"$dir/userlist.txt"
    for u in "${users[@]}"; do printf '"%s" ""\n' "$u" >>"$dir/userlist.txt"; done
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
    launch "$port"
    ;;
  stop) stop ;;
  restart)
    [ -f "$dir/pgbouncer.ini" ] || { echo "pgbouncer: no pgbouncer.ini in $dir" >&2; exit 1; }
    stop
    launch "$(sed -n 's/^listen_port = //p' "$dir/pgbouncer.ini")"
    ;;
  status)
    running || exit 3
    ;;
  *) echo "pgbouncer: unknown command $cmd" >&2; exit 2 ;;
esac
