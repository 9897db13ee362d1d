#!/usr/bin/env bash
# A throwaway Redis (Debian's redis-server, 7.0 or later for Redis Functions) for tests, the demo
# and the benchmarks: 127.0.0.1 only, no persistence, memory bounded. Never the system service.
#
#   scripts/redis.sh start DIR PORT      write DIR/redis.conf, start, wait until it answers PING
#   scripts/redis.sh stop DIR            SHUTDOWN NOSAVE, after 20 s SIGKILL
#   scripts/redis.sh kill DIR            SIGKILL at once (crash tests)
#   scripts/redis.sh status DIR          exit 0 if running, 3 if not
#   scripts/redis.sh cli DIR ARGS...     redis-cli against DIR's instance
#
# Env: REDIS_MAXMEMORY (default 256mb), REDIS_POLICY (default allkeys-lru). The read cache
# tolerates eviction of any key: a user whose state is incomplete reads as a miss (README,
# "Read cache"), so the least recently used users go first and memory never grows past the bound.
set -euo pipefail

maxmemory=${REDIS_MAXMEMORY:-256mb}
policy=${REDIS_POLICY:-allkeys-lru}

die() { echo "redis: $*" >&2; exit 1; }
usage() { sed -n '2,14p' "$0" >&2; exit 2; }

command -v redis-server >/dev/null || die "redis-server is not installed (scripts/install-deps.sh)"

is_redis() {
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q '^redis-server'
}

live_pid() {
  local pid
  pid=$(cat "$1/redis.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && is_redis "$pid" || return 1
  echo "$pid"
}

cli() {
  local dir=$1; shift
  redis-cli -h 127.0.0.1 -p "$(cat "$dir/port")" "$@"
}

wait_gone() {
  local pid=$1 seconds=$2 deadline=$((SECONDS + $2))
  while is_redis "$pid"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

start() {
  local dir=$1 port=$2 pid deadline
  if ! [[ "$port" =~ ^[1-9][0-9]*$ ]] || [ "$port" -gt 65535 ]; then die "bad port $port"; fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if pid=$(live_pid "$dir"); then
    [ "$(cat "$dir/port")" = "$port" ] || die "$dir runs on port $(cat "$dir/port"), not $port"
    return 0
  fi
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "127.0.0.1:$port is already in use"
  echo "$port" >"$dir/port"
  cat >"$dir/redis.conf" <<CONF
# Written by scripts/redis.sh on every start; edits are lost.
bind 127.0.0.1
port $port
protected-mode yes
daemonize no
dir $dir
pidfile $dir/redis.pid
logfile $dir/redis.log
# A cache: nothing to persist, an empty restart is a supported event.
save ""
appendonly no
maxmemory $maxmemory
maxmemory-policy $policy
maxmemory-samples 10
CONF
  rm -f "$dir/redis.pid"
  # setsid: the server outlives the caller's shell and its Ctrl-C.
  setsid redis-server "$dir/redis.conf" </dev/null >>"$dir/redis.out" 2>&1 &
  pid=$!
  deadline=$((SECONDS + 20))
  until [ "$(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null)" = PONG ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -20 "$dir/redis.log" "$dir/redis.out" >&2 2>/dev/null || true
      die "redis-server exited during start-up (log: $dir/redis.log)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || { kill -9 "$pid" 2>/dev/null; die "no PONG after 20s"; }
    sleep 0.1
  done
  echo "$pid" >"$dir/redis.pid"
}

stop() {
  local dir=$1 pid
  if pid=$(live_pid "$dir"); then
    cli "$dir" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
    wait_gone "$pid" 20 || { kill -9 "$pid" 2>/dev/null; wait_gone "$pid" 10 || die "pid $pid survived SIGKILL"; }
  fi
  rm -f "$dir/redis.pid"
}

kill_now() {
  local dir=$1 pid
  if pid=$(live_pid "$dir"); then
    kill -9 "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 || die "pid $pid survived SIGKILL"
  fi
  rm -f "$dir/redis.pid"
}

status() {
  local dir=$1 pid
  if pid=$(live_pid "$dir"); then
    echo "running pid $pid port $(cat "$dir/port")"
  else
    echo "stopped"
    exit 3
  fi
}

case "${1:-}" in
  start) [ $# -eq 3 ] || usage; start "$2" "$3" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  kill) [ $# -eq 2 ] || usage; kill_now "$2" ;;
  status) [ $# -eq 2 ] || usage; status "$2" ;;
  cli) [ $# -ge 2 ] || usage; d=$2; shift 2; cli "$d" "$@" ;;
  *) usage ;;
esac
