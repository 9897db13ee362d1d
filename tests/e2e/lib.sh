# Shared by tests/e2e/run.sh: builds the publisher and
# the e2e tool, starts a throwaway PostgreSQL (extension preloaded) and a Kafka
# broker on free loopback ports under a temporary directory, and stops them on
# exit. Source it; it sets root, build, publisher, tool, event_checker, tmp, pg_port,
# kafka_port, brokers, db, topic, partitions, pids.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/lib.sh"
build=${BUILD_DIR:-$root/build-pub}
topic=profile.events
partitions=${PARTITIONS:-4}

log() { printf '%s e2e: %s\n' "$(date +%T)" "$*" >&2; }
die() { log "$*"; exit 2; }

build_and_install() {
  log "building profile-publisher and publisher_e2e_tool in $build"
  cmake -S "$root" -B "$build" -G Ninja >/dev/null || die "cmake configure failed"
  cmake --build "$build" --target profile-publisher publisher_e2e_tool event-checker >/dev/null || die "build failed"
  publisher=$build/publisher/profile-publisher
  tool=$build/publisher/publisher_e2e_tool
  event_checker=$build/tools/event-checker/event-checker
  log "installing the extension"
  install_extension || die "make install (extension) failed" # for PG_MAJOR's server
}

pids=()
writer_pid=""
kill9() { kill -9 "$1" 2>/dev/null && wait "$1" 2>/dev/null; }  # wait: no "Killed" job notice
cleanup() {
  local p
  for p in "${pids[@]}"; do kill9 "$p"; done
  [ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null
  "$root/scripts/kafka.sh" kill "$tmp/kafka" >/dev/null 2>&1
  "$root/scripts/pg-cluster.sh" stop "$tmp/pg" immediate >/dev/null 2>&1
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}

sql() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d e2e -c "$1"; }

# start_infra [pg-cluster.sh options]
start_infra() {
  tmp=$(mktemp -d /tmp/publisher-e2e.XXXXXX)
  chmod 755 "$tmp"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  pg_port=$(free_port)
  kafka_port=$(free_port_pair) || die "no free port for Kafka"
  brokers=127.0.0.1:$kafka_port
  db="host=127.0.0.1 port=$pg_port user=postgres dbname=e2e"
  log "PostgreSQL on $pg_port, Kafka on $kafka_port, temp $tmp"
  "$root/scripts/pg-cluster.sh" start "$tmp/pg" "$pg_port" --preload "$@" || die "PostgreSQL did not start"
  psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE e2e" || die "createdb failed"
  sql "CREATE EXTENSION realchat_profile CASCADE" || die "CREATE EXTENSION failed"
  "$root/scripts/kafka.sh" start "$tmp/kafka" "$kafka_port" "$partitions" >/dev/null || die "Kafka did not start"
  "$root/scripts/kafka.sh" create-topic "$kafka_port" "$topic" "$partitions" >/dev/null || die "topic creation failed"
}
