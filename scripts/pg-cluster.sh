#!/usr/bin/env bash
# Throwaway PostgreSQL clusters for tests, demos and benchmarks: never the system cluster.
# Debian's PostgreSQL 15 by default; PG_MAJOR=18 for the PostgreSQL 18 of scripts/install-deps.sh.
#
#   scripts/pg-cluster.sh start DIR PORT [--preload] [--bench]   initdb DIR if new, start on 127.0.0.1:PORT
#   scripts/pg-cluster.sh stop DIR [MODE]                        stop (MODE: fast, immediate; default fast)
#   scripts/pg-cluster.sh restart DIR [MODE]                     stop with MODE, start again
#   scripts/pg-cluster.sh env DIR                                print PG* variables for clients
#
# --preload puts realchat_profile in shared_preload_libraries (wake-ups through shared memory).
# --bench keeps fsync on; tests turn it off, which survives an immediate shutdown (not an OS crash).
# As root, the server runs as the unprivileged "postgres" user, since initdb refuses root.
set -euo pipefail

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,13p' "$0"; exit 2; }

# An existing cluster is always run by the programs of its own major.
existing=$(cat "$dir/PG_VERSION" 2>/dev/null || true)
[ -n "$existing" ] && PG_MAJOR=$existing
. "$(dirname "$0")/lib.sh"
if [ "${PG_MAJOR:-15}" = 18 ]; then
  PGBIN=$(pg18_home)/bin
  [ -x "$PGBIN/initdb" ] || { echo "pg-cluster: no PostgreSQL 18 in $PGBIN (scripts/install-deps.sh)" >&2; exit 1; }
fi
PGBIN=${PGBIN:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}
[ -x "$PGBIN/initdb" ] || PGBIN=/usr/lib/postgresql/15/bin

case "$cmd" in
  start)
    port=${3:?port}; shift 3
    preload=""; fsync="off"
    for opt in "$@"; do
      case "$opt" in
        --preload) preload="realchat_profile" ;;
        --bench) fsync="on" ;;
        *) echo "pg-cluster: unknown option $opt" >&2; exit 2 ;;
      esac
    done
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_owner "$PGBIN/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
        || { cat "$dir.initdb.log" >&2; exit 1; }
      cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
shared_preload_libraries = '$preload'
fsync = $fsync
max_connections = 200
shared_buffers = 256MB
max_wal_size = 2GB
log_min_messages = warning
log_line_prefix = '%m [%p] '
CONF
    fi
    as_owner "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null \
      || { tail -20 "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    mode=${3:-fast}
    [ -f "$dir/postmaster.pid" ] || exit 0
    as_owner "$PGBIN/pg_ctl" -D "$dir" -m "$mode" -w -t 60 stop >/dev/null
    ;;
  restart)
    mode=${3:-fast}
    as_owner "$PGBIN/pg_ctl" -D "$dir" -m "$mode" -w -t 60 stop >/dev/null
    as_owner "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null
    ;;
  env)
    port=$(sed -n 's/^port = \([0-9]*\)$/\1/p' "$dir/postgresql.conf" | tail -1)
    echo "export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres"
    ;;
  *) echo "pg-cluster: unknown command $cmd" >&2; exit 2 ;;
esac
