#!/usr/bin/env bash
# The production topology on this machine, all on 127.0.0.1: a PostgreSQL primary with a
# synchronous hot standby (the library preloaded on both), PgBouncer in transaction pooling in
# front of the primary for applications, a three-node Kafka cluster (KRaft, topic with replication
# factor 3 and min.insync.replicas=2), and profile-publisher connected directly with a multi-host
# conninfo that follows the primary.
#
#   scripts/topology.sh up DIR [--no-publisher] [--single-kafka]
#                                                 start everything in DIR (new), write DIR/topology.env;
#                                                 --single-kafka: one broker, replication factor 1
#   scripts/topology.sh promote DIR               fail over: promote the standby, point PgBouncer at it
#   scripts/topology.sh down DIR                  stop everything started in DIR (the files stay)
#
# DIR/topology.env holds the ports and connection strings (source it): APP_DB (applications,
# through PgBouncer), APP_DB_DIRECT (applications, multi-host, read-write), PUBLISHER_DB, ADMIN_DB,
# STANDBY_DB (read-only queries), BROKERS, KAFKA_NODES (3 or 1; the nodes live in DIR/kafka, see
# scripts/kafka.sh node-kill/node-start), and the ports. Needs the extension installed
# (make install) and profile-publisher built (build/, or PUBLISHER_BIN). Failing over is
# `pg-cluster.sh stop DIR/primary immediate` (or a crash) then `topology.sh promote DIR`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/lib.sh"
publisher_bin=${PUBLISHER_BIN:-${BUILD_DIR:-$root/build}/publisher/profile-publisher}
db=profiles
topic=profile.events
partitions=6

die() { echo "topology: $*" >&2; exit 1; }
say() { echo "topology: $*" >&2; }

# The Kafka side, in one place: three nodes (node N in DIR/kafka/nodeN), or one broker in DIR/kafka.
kafka_up() {  # kafka_up DIR NODES PORT...: the topic replicated on every node, 2 in sync to write
  local dir=$1 nodes=$2
  shift 2
  if [ "$nodes" = 1 ]; then
    "$root/scripts/kafka.sh" start "$dir/kafka" "$1" "$partitions" >/dev/null &&
      "$root/scripts/kafka.sh" create-topic "$1" "$topic" "$partitions" >/dev/null
  else
    "$root/scripts/kafka.sh" cluster-start "$dir/kafka" "$@" "$partitions" >/dev/null &&
      "$root/scripts/kafka.sh" create-topic "$1" "$topic" "$partitions" 3 2 >/dev/null
  fi
}
kafka_down() {  # kafka_down DIR NODES
  if [ "$2" = 1 ]; then
    "$root/scripts/kafka.sh" stop "$1/kafka" >/dev/null 2>&1 || true
  else
    # SIGKILL: a clean cluster-stop took a minute once here on a loaded machine (one node waited
    # for its 60 s limit), and the publisher, stopped first, has nothing in flight.
    "$root/scripts/kafka.sh" cluster-kill "$1/kafka" >/dev/null 2>&1 || true
  fi
}
kafka_brokers() {  # kafka_brokers DIR NODES PORT
  if [ "$2" = 1 ]; then echo "127.0.0.1:$3"; else "$root/scripts/kafka.sh" cluster-brokers "$1/kafka"; fi
}

psql_admin() {  # psql_admin PORT DB SQL|-f FILE
  local port=$1 dbname=$2
  shift 2
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$dbname" "$@"
}

up() {
  local dir=$1 with_publisher=$2 kafka_nodes=$3
  [ -e "$dir/topology.env" ] && die "$dir already holds a topology (topology.sh down $dir; rm -rf $dir)"
  [ -f "$(pg_config --sharedir)/extension/realchat_profile.control" ] || die "the extension is not installed (make install)"
  [ -z "$with_publisher" ] || [ -x "$publisher_bin" ] || die "no profile-publisher at $publisher_bin (cmake --build build)"
  mkdir -p "$dir"
  chmod 755 "$dir"
  local p_port s_port b_port m_port k_ports
  p_port=$(free_port) s_port=$(free_port) b_port=$(free_port) m_port=$(free_port)
  k_ports=$(free_port_pairs "$kafka_nodes") || die "no free ports for Kafka"

  # Commits wait for standby1 from the start: the standby comes up before the first commit.
  "$root/scripts/pg-cluster.sh" start "$dir/primary" "$p_port" --preload --sync-standby standby1
  psql_admin "$p_port" postgres -c "ALTER SYSTEM SET realchat_profile.expiry_databases = '$db'" \
    -c "SELECT pg_reload_conf()" >/dev/null
  "$root/scripts/pg-cluster.sh" standby "$dir/standby" "$s_port" "$p_port" --name standby1 --preload
  psql_admin "$p_port" postgres -c "CREATE DATABASE $db"
  psql_admin "$p_port" "$db" -c "CREATE EXTENSION realchat_profile CASCADE" 2>/dev/null
  psql_admin "$p_port" "$db" -f "$root/scripts/create-roles.sql" >/dev/null
  psql_admin "$p_port" "$db" -c "CREATE ROLE app LOGIN IN ROLE profile_app" \
    -c "CREATE ROLE publisher LOGIN IN ROLE profile_publisher"
  say "PostgreSQL primary on 127.0.0.1:$p_port, synchronous standby on 127.0.0.1:$s_port"

  "$root/scripts/pgbouncer.sh" start "$dir/bouncer" "$b_port" --db "$db=host=127.0.0.1 port=$p_port dbname=$db" \
    --user app --user postgres
  say "PgBouncer (transaction pooling) on 127.0.0.1:$b_port"

  # shellcheck disable=SC2086 # one port per node
  kafka_up "$dir" "$kafka_nodes" $k_ports || die "Kafka did not start"
  local brokers k_port=${k_ports%%$'\n'*}
  brokers=$(kafka_brokers "$dir" "$kafka_nodes" "$k_port")
  say "Kafka ($kafka_nodes node(s)) on $brokers, topic $topic"

  local hosts="host=127.0.0.1,127.0.0.1 port=$p_port,$s_port"
  cat >"$dir/topology.env" <<ENV
PRIMARY_PORT=$p_port
STANDBY_PORT=$s_port
BOUNCER_PORT=$b_port
KAFKA_PORT=$k_port
KAFKA_NODES=$kafka_nodes
METRICS_PORT=$m_port
BROKERS=$brokers
TOPIC=$topic
APP_DB='host=127.0.0.1 port=$b_port user=app dbname=$db connect_timeout=5'
APP_DB_DIRECT='$hosts user=app dbname=$db target_session_attrs=read-write connect_timeout=3'
PUBLISHER_DB='$hosts user=publisher dbname=$db target_session_attrs=read-write connect_timeout=3'
ADMIN_DB='$hosts user=postgres dbname=$db target_session_attrs=read-write connect_timeout=3'
STANDBY_DB='host=127.0.0.1 port=$s_port user=app dbname=$db connect_timeout=5'
ENV
  [ -n "$with_publisher" ] && start_publisher "$dir"
  say "ready: . $dir/topology.env"
}

start_publisher() {  # start_publisher DIR
  local dir=$1
  (
    . "$dir/topology.env"
    nohup "$publisher_bin" --db "$PUBLISHER_DB" --brokers "$BROKERS" --poll-interval 1s \
      --metrics-addr "127.0.0.1:$METRICS_PORT" >>"$dir/publisher.log" 2>&1 &
    echo $! >"$dir/publisher.pid"
  )
  say "profile-publisher started (pid $(cat "$dir/publisher.pid"), log $dir/publisher.log)"
}

promote() {
  local dir=$1
  . "$dir/topology.env"
  "$root/scripts/pg-cluster.sh" promote "$dir/standby"
  # PgBouncer follows: its database now names the new primary; RELOAD (SIGHUP) drops the server
  # connections of a database whose connection string changed.
  sed -i "s/^$db = host=127.0.0.1 port=$PRIMARY_PORT /$db = host=127.0.0.1 port=$STANDBY_PORT /" "$dir/bouncer/pgbouncer.ini"
  kill -HUP "$(cat "$dir/bouncer/pgbouncer.pid")"
  say "standby on 127.0.0.1:$STANDBY_PORT promoted; PgBouncer points at it; the publisher and multi-host" \
    "clients find it by themselves (target_session_attrs=read-write)"
}

down() {
  local dir=$1 pid i
  pid=$(cat "$dir/publisher.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
    for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/publisher.pid"
  kafka_down "$dir" "$(sed -n 's/^KAFKA_NODES=//p' "$dir/topology.env" 2>/dev/null)"
  "$root/scripts/pgbouncer.sh" stop "$dir/bouncer" >/dev/null 2>&1 || true
  "$root/scripts/pg-cluster.sh" stop "$dir/standby" fast >/dev/null 2>&1 || true
  "$root/scripts/pg-cluster.sh" stop "$dir/primary" fast >/dev/null 2>&1 || true
  say "stopped everything in $dir"
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,19p' "$0"; exit 2; }
case "$cmd" in
  up)
    with_publisher=1 kafka_nodes=3
    for opt in "${@:3}"; do
      case "$opt" in
        --no-publisher) with_publisher="" ;;
        --single-kafka) kafka_nodes=1 ;;
        *) die "unknown option $opt" ;;
      esac
    done
    up "$dir" "$with_publisher" "$kafka_nodes"
    ;;
  promote) promote "$dir" ;;
  down) down "$dir" ;;
  *) die "unknown command $cmd" ;;
esac
