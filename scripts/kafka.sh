#!/usr/bin/env bash
# A real Kafka for tests and demos: one node (KRaft, broker and controller in one JVM), or a cluster
# of three such nodes. Jars come from Maven Central through kafka/pom.xml; nothing is installed
# system-wide.
#
#   scripts/kafka.sh fetch                               resolve the broker's jars into the cache
#   scripts/kafka.sh start DIR PORT [PARTITIONS]         format DIR if new, start, wait until ready
#   scripts/kafka.sh stop DIR                            SIGTERM, after 60 s SIGKILL
#   scripts/kafka.sh kill DIR                            SIGKILL at once (crash tests)
#   scripts/kafka.sh status DIR                          exit 0 if running, 3 if not
#   scripts/kafka.sh wait-ready PORT [SECONDS]           wait until the broker answers metadata
#   scripts/kafka.sh create-topic PORT NAME PARTITIONS [REPLICAS [MIN_ISR]]
#                                                        create (if missing), wait for its leaders
#                                                        (and, with REPLICAS > 1, full in-sync sets)
#   scripts/kafka.sh describe-topic PORT NAME            partitions, replicas, in-sync sets, configs
# Cluster mode (three nodes in DIR/node1..3, node N listening on PORTN and PORTN+1):
#   scripts/kafka.sh cluster-start DIR PORT1 PORT2 PORT3 [PARTITIONS]   format if new, start all three
#   scripts/kafka.sh cluster-stop DIR | cluster-kill DIR                every node
#   scripts/kafka.sh cluster-brokers DIR                 print the bootstrap list
#   scripts/kafka.sh node-start DIR N | node-stop DIR N | node-kill DIR N   one node (N = node.id)
#   scripts/kafka.sh leader BROKERS TOPIC PARTITION      print the node.id leading that partition
#
# The broker listens on 127.0.0.1:PORT, its controller on 127.0.0.1:PORT+1. PARTITIONS (default 6)
# is num.partitions for auto-created topics. Env: KAFKA_HOME (jar cache, default
# ~/.cache/realchat-kafka), KAFKA_JAVA_HOME (default Debian's Java 17), KAFKA_HEAP_OPTS,
# KAFKA_START_TIMEOUT (seconds, default 90). See docs/kafka-broker.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pom="$root/kafka/pom.xml"
log_config="$root/kafka/log4j2.properties"
cache=${KAFKA_HOME:-$HOME/.cache/realchat-kafka}
libs="$cache/libs"
# Java 17 explicitly: other JDKs on the machine (e.g. a newer Temurin) are not what was verified.
java_home=${KAFKA_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
java="$java_home/bin/java"
# C1 only: on a 2-core machine the C2 compiler thread took a fifth of the CPU for minutes
# after the broker's load changed, which doubled commit-to-consumer p99 (bench/README.md).
# A fixed heap, as Kafka's own start script has: one that starts small grows by full
# collections (one stopped the broker for 126 ms at 1,000 events/s), and its young generation,
# small with it, was collected every 0.7 s; each pause holds every event in flight
# (bench/README.md, "Read cache").
heap_opts=${KAFKA_HEAP_OPTS:--Xms512m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
start_timeout=${KAFKA_START_TIMEOUT:-90}

die() { echo "kafka: $*" >&2; exit 1; }
usage() { sed -n '2,26p' "$0" >&2; exit 2; }

need_java() {
  [ -x "$java" ] || die "no Java at $java_home (install openjdk-17-jre-headless or set KAFKA_JAVA_HOME)"
}

# Jars are copied once per pom version; the stamp holds the pom's checksum.
fetch() {
  need_java
  local sum; sum=$(sha256sum "$pom" | cut -d' ' -f1)
  [ "$(cat "$libs/.pom.sha256" 2>/dev/null)" = "$sum" ] && return 0
  mkdir -p "$cache"
  (
    flock -w 600 9 || die "timed out waiting for another fetch"
    [ "$(cat "$libs/.pom.sha256" 2>/dev/null)" = "$sum" ] && exit 0
    local tmp="$cache/libs.tmp.$$"
    rm -rf "$tmp"
    echo "kafka: resolving jars into $libs" >&2
    JAVA_HOME="$java_home" timeout 600 mvn -q -B -f "$pom" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" -DincludeScope=runtime >"$cache/fetch.log" 2>&1 \
      || { tail -30 "$cache/fetch.log" >&2; rm -rf "$tmp"; die "mvn failed (log: $cache/fetch.log)"; }
    echo "$sum" >"$tmp/.pom.sha256"
    rm -rf "$libs"
    mv "$tmp" "$libs"
  ) 9>"$cache/.fetch.lock"
}

# Runs a Kafka command-line class quietly (warnings and errors only).
run_tool() {
  timeout 120 "$java" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$log_config" -Drealchat.kafka.log.level=WARN \
    -cp "$libs/*" "$@"
}

need_kcat() {
  command -v kcat >/dev/null || die "kcat is needed to check the broker (apt-get install kcat)"
}

# True while PID is a Kafka broker JVM: a recycled pid or an unreaped zombie (empty cmdline) is not.
is_broker() {
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'
}

# True while PID exists and is not a zombie (for the moments before the JVM has exec'd).
is_alive() {
  local state
  state=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) && [ -n "$state" ] && [ "$state" != Z ]
}

# Prints the broker's pid if DIR's pid file names a live one.
live_pid() {
  local pid
  pid=$(cat "$1/kafka.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && is_broker "$pid" || return 1
  echo "$pid"
}

# Metadata answers from the broker itself (an open port alone is not ready). A cluster's node
# answers with every broker registered so far.
metadata_ok() {
  kcat -b "127.0.0.1:$1" -L -m 2 2>/dev/null | grep -Eq '^ [1-9][0-9]* brokers:'
}

wait_ready() {
  local port=$1 seconds=${2:-$start_timeout} deadline
  need_kcat
  deadline=$((SECONDS + seconds))
  until metadata_ok "$port"; do
    [ "$SECONDS" -lt "$deadline" ] || die "no metadata from 127.0.0.1:$port after ${seconds}s"
    sleep 0.5
  done
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A Kafka cluster id: 16 random bytes, URL-safe base64 without padding. Kafka's own generator
# avoids a leading '-', which command lines would read as an option.
random_cluster_id() {
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    [ "${id:0:1}" != "-" ] && { echo "$id"; return; }
  done
}

# A cluster node's DIR holds node.conf (node_id=N, voters=1@HOST:PORT,...), written by
# cluster-start: the node then joins that static quorum, and the internal topics are replicated.
write_config() {
  local dir=$1 port=$2 partitions=$3 controller=$(($2 + 1)) node_id=1 voters="" quorum replicas=1 min_isr=1
  if [ -f "$dir/node.conf" ]; then
    node_id=$(sed -n 's/^node_id=//p' "$dir/node.conf")
    voters=$(sed -n 's/^voters=//p' "$dir/node.conf")
    replicas=3 min_isr=2
  fi
  if [ -n "$voters" ]; then
    quorum="controller.quorum.voters=$voters"
  else
    quorum="controller.quorum.bootstrap.servers=127.0.0.1:$controller"
  fi
  cat >"$dir/server.properties" <<CONF
# Written by scripts/kafka.sh on every start; edits are lost.
process.roles=broker,controller
node.id=$node_id
$quorum
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=$partitions
auto.create.topics.enable=true
offsets.topic.replication.factor=$replicas
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=$replicas
transaction.state.log.min.isr=$min_isr
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=$replicas
share.coordinator.state.topic.min.isr=$min_isr
# Auto-created topics: one copy on a single node; on a cluster, on every node, and an acks=all
# write needs two of them (the cluster survives one node down without refusing writes).
default.replication.factor=$replicas
min.insync.replicas=$min_isr
unclean.leader.election.enable=false
group.initial.rebalance.delay.ms=0
# After a SIGKILL the new incarnation cannot register until the old one's session expires
# (default 9 s); a shorter session makes crash-restart tests faster.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=4000
# The default 128 MiB cleaner buffer does not fit a small heap.
log.cleaner.dedupe.buffer.size=16777216
CONF
}

stop_pid() {
  local pid=$1 signal=$2 seconds=$3 deadline
  kill "-$signal" "$pid" 2>/dev/null || return 0
  deadline=$((SECONDS + seconds))
  while is_broker "$pid"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

start() {
  local dir=$1 port=$2 partitions=${3:-6} pid deadline
  if ! [[ "$port" =~ ^[1-9][0-9]*$ ]] || [ "$port" -ge 65535 ]; then die "bad port $port"; fi
  [[ "$partitions" =~ ^[1-9][0-9]*$ ]] || die "bad partition count $partitions"
  need_kcat
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  # The controller's address is stored in the formatted metadata: a directory keeps its port.
  if [ -f "$dir/port" ] && [ "$(cat "$dir/port")" != "$port" ]; then
    die "$dir was created for port $(cat "$dir/port"), not $port"
  fi
  if pid=$(live_pid "$dir"); then
    wait_ready "$port"
    return 0
  fi
  rm -f "$dir/kafka.pid"
  # Fail clearly here rather than with a bind exception deep in the broker's log.
  for p in "$port" $((port + 1)); do
    ! port_in_use "$p" || die "127.0.0.1:$p is already in use (broker needs PORT and PORT+1)"
  done
  fetch
  write_config "$dir" "$port" "$partitions"
  if [ ! -f "$dir/data/meta.properties" ]; then
    [ ! -f "$dir/node.conf" ] || die "$dir is a cluster node that was never formatted (use cluster-start)"
    run_tool kafka.tools.StorageTool format --standalone --ignore-formatted \
      -t "$(random_cluster_id)" -c "$dir/server.properties" >"$dir/format.log" 2>&1 \
      || { cat "$dir/format.log" >&2; die "formatting $dir/data failed"; }
    echo "$port" >"$dir/port"
  fi
  # One previous log is kept, so the readiness line found is always this start's.
  [ -f "$dir/server.log" ] && mv -f "$dir/server.log" "$dir/server.log.1"
  : >"$dir/server.log"
  # setsid: the broker outlives the caller's shell and its Ctrl-C.
  # shellcheck disable=SC2086  # heap_opts is a list of JVM flags
  setsid "$java" $heap_opts -Djava.awt.headless=true -XX:+ExitOnOutOfMemoryError \
    -Dlog4j2.configurationFile="$log_config" -Drealchat.kafka.log.level=INFO \
    -cp "$libs/*" kafka.Kafka "$dir/server.properties" \
    </dev/null >>"$dir/server.log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/kafka.pid"
  deadline=$((SECONDS + start_timeout))
  until grep -q 'Kafka Server started' "$dir/server.log" && metadata_ok "$port"; do
    if ! is_alive "$pid"; then
      tail -30 "$dir/server.log" >&2
      rm -f "$dir/kafka.pid"
      die "broker exited during start-up (log: $dir/server.log)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -30 "$dir/server.log" >&2
      stop_pid "$pid" TERM 10 || stop_pid "$pid" KILL 10 || true
      rm -f "$dir/kafka.pid"
      die "broker not ready after ${start_timeout}s, stopped it (log: $dir/server.log)"
    fi
    sleep 0.5
  done
}

stop() {
  local dir=$1 pid
  if pid=$(live_pid "$dir"); then
    stop_pid "$pid" TERM 60 || {
      echo "kafka: pid $pid ignored SIGTERM for 60s, sending SIGKILL" >&2
      stop_pid "$pid" KILL 10 || die "pid $pid survived SIGKILL"
    }
  fi
  rm -f "$dir/kafka.pid"
}

kill_now() {
  local dir=$1 pid
  if pid=$(live_pid "$dir"); then
    stop_pid "$pid" KILL 10 || die "pid $pid survived SIGKILL"
  fi
  rm -f "$dir/kafka.pid"
}

status() {
  local dir=$1 pid
  if pid=$(live_pid "$dir"); then
    echo "running pid $pid port $(cat "$dir/port" 2>/dev/null || echo '?')"
  else
    echo "stopped"
    exit 3
  fi
}

# Partition count of TOPIC when every partition has a leader (and, with REPLICAS given, that many
# in-sync replicas); nothing while it has not.
topic_ready_partitions() {
  kcat -b "127.0.0.1:$1" -L -t "$2" -m 2 2>/dev/null | awk -v t="\"$2\"" -v r="${3:-0}" '
    $1 == "topic" && $2 == t { found = 1; if ($0 ~ /Broker:/) bad = 1; n = $4; next }
    found && $1 == "partition" {
      seen++; if ($4 == "-1," || $0 ~ /Broker:/) bad = 1
      if (r > 1) { isrs = $0; sub(/.*isrs: /, "", isrs); if (split(isrs, a, ",") < r) bad = 1 }
    }
    END { if (found && !bad && seen == n && n > 0) print n }'
}

create_topic() {
  local port=$1 name=$2 partitions=$3 replicas=${4:-1} min_isr=${5:-} n deadline extra=()
  [[ "$partitions" =~ ^[1-9][0-9]*$ ]] || die "bad partition count $partitions"
  [[ "$replicas" =~ ^[1-9][0-9]*$ ]] || die "bad replication factor $replicas"
  if [ -n "$min_isr" ]; then
    [[ "$min_isr" =~ ^[1-9][0-9]*$ ]] && [ "$min_isr" -le "$replicas" ] || die "bad min.insync.replicas $min_isr"
    extra=(--config "min.insync.replicas=$min_isr")
  fi
  need_java
  [ -f "$libs/.pom.sha256" ] || fetch
  wait_ready "$port" 30
  run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$port" \
    --create --if-not-exists --topic "$name" --partitions "$partitions" --replication-factor "$replicas" \
    "${extra[@]}" >/dev/null || die "could not create topic $name"
  deadline=$((SECONDS + 30))
  until n=$(topic_ready_partitions "$port" "$name" "$replicas") && [ -n "$n" ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "topic $name has no leaders (or not $replicas in-sync replicas) after 30s"
    sleep 0.3
  done
  [ "$n" = "$partitions" ] || echo "kafka: topic $name already exists with $n partitions" >&2
}

describe_topic() {
  need_java
  [ -f "$libs/.pom.sha256" ] || fetch
  run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$1" --describe --topic "$2"
}

# ---------- cluster mode: three combined broker+controller nodes, one static quorum ----------

cluster_nodes=3

node_dir() { echo "$1/node$2"; }

node_port() {
  cat "$(node_dir "$1" "$2")/port" 2>/dev/null || die "$1 has no node $2 (run cluster-start first)"
}

check_node() {
  [[ "$2" =~ ^[1-9][0-9]*$ ]] && [ "$2" -le "$cluster_nodes" ] || die "no node $2 (nodes are 1 to $cluster_nodes)"
  [ -f "$(node_dir "$1" "$2")/node.conf" ] || die "$1 is not a cluster directory (run cluster-start first)"
}

# Every node is formatted with the same cluster id and the same static voter list before any
# starts: a quorum of three cannot be grown from a standalone controller by formatting alone.
cluster_format() {
  local dir=$1 partitions=$2 id voters="" i p
  shift 2
  for ((i = 1; i <= cluster_nodes; i++)); do
    p=${!i}
    voters+="${voters:+,}$i@127.0.0.1:$((p + 1))"
  done
  id=$(random_cluster_id)
  for ((i = 1; i <= cluster_nodes; i++)); do
    local node; node=$(node_dir "$dir" "$i")
    mkdir -p "$node"
    printf 'node_id=%s\nvoters=%s\n' "$i" "$voters" >"$node/node.conf"
    write_config "$node" "${!i}" "$partitions"
    run_tool kafka.tools.StorageTool format --ignore-formatted -t "$id" -c "$node/server.properties" \
      >"$node/format.log" 2>&1 || { cat "$node/format.log" >&2; die "formatting $node/data failed"; }
    echo "${!i}" >"$node/port"
  done
  echo "$id" >"$dir/cluster-id"
}

cluster_start() {
  local dir=$1 partitions=$2 i p rc=0 pids=() deadline
  shift 2
  [ $# -eq "$cluster_nodes" ] || die "cluster-start needs $cluster_nodes ports"
  for p in "$@"; do
    if ! [[ "$p" =~ ^[1-9][0-9]*$ ]] || [ "$p" -ge 65535 ]; then die "bad port $p"; fi
  done
  need_kcat
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  fetch
  if [ -f "$dir/cluster-id" ]; then
    for ((i = 1; i <= cluster_nodes; i++)); do
      [ "$(node_port "$dir" "$i")" = "${!i}" ] || die "$dir was created with other ports ($(cluster_brokers "$dir"))"
    done
  else
    cluster_format "$dir" "$partitions" "$@"
  fi
  # Together: a node's broker is ready only once the controllers have a quorum (two of three).
  for ((i = 1; i <= cluster_nodes; i++)); do
    "$root/scripts/kafka.sh" start "$(node_dir "$dir" "$i")" "${!i}" "$partitions" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  if [ "$rc" -ne 0 ]; then
    cluster_each "$dir" kill_now
    die "the cluster in $dir did not start"
  fi
  # Ready when one node's metadata lists every broker.
  deadline=$((SECONDS + start_timeout))
  until kcat -b "$(cluster_brokers "$dir")" -L -m 2 2>/dev/null | grep -q "^ $cluster_nodes brokers:"; do
    [ "$SECONDS" -lt "$deadline" ] || die "not every broker registered after ${start_timeout}s"
    sleep 0.5
  done
}

cluster_each() {  # cluster_each DIR FUNCTION: run FUNCTION NODE_DIR for every node, in parallel
  local dir=$1 fn=$2 i pids=() rc=0 p
  for ((i = 1; i <= cluster_nodes; i++)); do
    [ -d "$(node_dir "$dir" "$i")" ] || continue
    "$fn" "$(node_dir "$dir" "$i")" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return "$rc"
}

cluster_brokers() {
  local dir=$1 i list=""
  for ((i = 1; i <= cluster_nodes; i++)); do list+="${list:+,}127.0.0.1:$(node_port "$dir" "$i")"; done
  echo "$list"
}

# The node.id leading TOPIC's PARTITION, as the cluster's metadata says now (-1: none).
partition_leader() {
  local brokers=$1 topic=$2 partition=$3 leader
  need_kcat
  leader=$(kcat -b "$brokers" -L -t "$topic" -m 5 2>/dev/null |
    awk -v p="$partition" '$1 == "partition" && $2 == p "," { sub(",", "", $4); print $4; exit }') || true
  [ -n "$leader" ] || die "no metadata for $topic partition $partition from $brokers"
  echo "$leader"
}

cmd=${1:-}
case "$cmd" in
  fetch) fetch ;;
  start) [ $# -ge 3 ] || usage; start "$2" "$3" "${4:-6}" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  kill) [ $# -eq 2 ] || usage; kill_now "$2" ;;
  status) [ $# -eq 2 ] || usage; status "$2" ;;
  wait-ready) [ $# -ge 2 ] || usage; wait_ready "$2" "${3:-$start_timeout}" ;;
  create-topic) [ $# -ge 4 ] && [ $# -le 6 ] || usage; create_topic "$2" "$3" "$4" "${5:-1}" "${6:-}" ;;
  describe-topic) [ $# -eq 3 ] || usage; describe_topic "$2" "$3" ;;
  cluster-start) [ $# -ge 5 ] && [ $# -le 6 ] || usage; cluster_start "$2" "${6:-6}" "$3" "$4" "$5" ;;
  cluster-stop) [ $# -eq 2 ] || usage; cluster_each "$2" stop ;;
  cluster-kill) [ $# -eq 2 ] || usage; cluster_each "$2" kill_now ;;
  cluster-brokers) [ $# -eq 2 ] || usage; cluster_brokers "$2" ;;
  node-start)
    [ $# -eq 3 ] || usage; check_node "$2" "$3"
    start "$(node_dir "$2" "$3")" "$(node_port "$2" "$3")" \
      "$(sed -n 's/^num.partitions=//p' "$(node_dir "$2" "$3")/server.properties")" ;;
  node-stop) [ $# -eq 3 ] || usage; check_node "$2" "$3"; stop "$(node_dir "$2" "$3")" ;;
  node-kill) [ $# -eq 3 ] || usage; check_node "$2" "$3"; kill_now "$(node_dir "$2" "$3")" ;;
  leader) [ $# -eq 4 ] || usage; partition_leader "$2" "$3" "$4" ;;
  *) usage ;;
esac
