#!/usr/bin/env bash
# Throwaway PostgreSQL clusters for tests, demos and benchmarks: never the system cluster.
# Debian's PostgreSQL 15 by default; PG_MAJOR=18 for the PostgreSQL 18 of scripts/install-deps.sh.
#
#   scripts/pg-cluster.sh start DIR PORT [--preload] [--bench] [--sync-standby NAME]
#                                                                initdb DIR if new, start on 127.0.0.1:PORT
#   scripts/pg-cluster.sh standby DIR PORT PRIMARY_PORT [--name NAME] [--preload]
#                                                                a hot standby of the primary on PRIMARY_PORT
#   scripts/pg-cluster.sh promote DIR                            the standby becomes a primary
#   scripts/pg-cluster.sh stop DIR [MODE]                        stop (MODE: fast, immediate; default fast)
#   scripts/pg-cluster.sh restart DIR [MODE]                     stop with MODE, start again
#   scripts/pg-cluster.sh env DIR                                print PG* variables for clients
#
# --preload puts realchat_profile in shared_preload_libraries (wake-ups through shared memory).
# --bench keeps fsync on; tests turn it off, which survives an immediate shutdown (not an OS crash).
# --sync-standby NAME makes a new primary wait, at every commit, until the standby whose
# application_name is NAME has flushed the commit's WAL (synchronous_standby_names): an
# acknowledged commit is then on both. With NAME down, commits wait: it is the price.
# standby: pg_basebackup -R of the running primary into DIR (new), streaming replication as NAME
# (default "standby"), read-only queries allowed (hot standby). It keeps no synchronous_standby_names
# of its own, so once promoted it accepts commits without a standby (asynchronously).
# As root, the server runs as the unprivileged "postgres" user, since initdb refuses root.
set -euo pipefail

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,23p' "$0"; exit 2; }

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
    preload=""; fsync="off"; sync_standby=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --preload) preload="realchat_profile" ;;
        --bench) fsync="on" ;;
        --sync-standby) sync_standby=${2:?--sync-standby NAME}; shift ;;
        *) echo "pg-cluster: unknown option $1" >&2; exit 2 ;;
      esac
      shift
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
synchronous_standby_names = '$sync_standby'
CONF
    fi
    as_owner "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null \
      || { tail -20 "$dir/server.log" >&2; exit 1; }
    ;;
  standby)
    port=${3:?port}; primary_port=${4:?primary port}; shift 4
    name=standby; preload=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --name) name=${2:?--name NAME}; shift ;;
        --preload) preload="realchat_profile" ;;
        *) echo "pg-cluster: unknown option $1" >&2; exit 2 ;;
      esac
      shift
    done
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      chmod 700 "$dir"
      [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
      # -R writes standby.signal and primary_conninfo; -X stream copies the WAL of the backup too.
      as_owner "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir" -R -X stream \
        -c fast >"$dir.basebackup.log" 2>&1 || { cat "$dir.basebackup.log" >&2; exit 1; }
      : >"$dir/server.log"  # the primary's log came along too
      # The primary's settings came along; later lines win.
      cat >>"$dir/postgresql.conf" <<CONF
# standby of 127.0.0.1:$primary_port
port = $port
unix_socket_directories = '$dir'
shared_preload_libraries = '$preload'
synchronous_standby_names = ''
hot_standby = on
hot_standby_feedback = on
CONF
      # After the line -R wrote to postgresql.auto.conf (read last), so this one is in force.
      echo "primary_conninfo = 'host=127.0.0.1 port=$primary_port user=postgres application_name=$name'" \
        >>"$dir/postgresql.auto.conf"
    fi
    as_owner "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null \
      || { tail -20 "$dir/server.log" >&2; exit 1; }
    ;;
  promote)
    as_owner "$PGBIN/pg_ctl" -D "$dir" -w -t 60 promote >/dev/null
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
