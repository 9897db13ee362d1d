# bench/perf.sh: sourced by run.sh and publisher.sh. With PROFILE=1, `perf_start NAME` ...
# `perf_stop` samples every process of the machine in between (perf record -a, 499 Hz) and
# writes where the CPU went to WORK/profile-NAME.txt: by process (swapper is idle time), then
# the hottest functions (self time) by process and library. Without PROFILE=1 both do nothing.
perf_start() { # perf_start NAME
  [ "${PROFILE:-0}" = 1 ] || return 0
  command -v perf >/dev/null || apt-get install -y -qq linux-perf >/dev/null
  perf_name=$1
  perf record -a -F 499 -o "$WORK/perf-$1.data" >"$WORK/perf-record-$1.log" 2>&1 &
  perf_pid=$!
  sleep 1
}
perf_stop() {
  [ -n "${perf_pid:-}" ] || return 0
  kill -INT "$perf_pid"; wait "$perf_pid" || true
  local data="$WORK/perf-$perf_name.data"
  { echo "# CPU samples by process (swapper: idle)"
    perf report -i "$data" --stdio --sort comm --percent-limit 0.3 2>/dev/null | grep -v '^#' | grep -v '^$'
    echo; echo "# hottest functions (self time), by process and library"
    perf report -i "$data" --stdio --sort comm,dso,symbol --percent-limit 0.4 2>/dev/null |
      grep -v '^#' | grep -v '^$' | cut -c1-130 | sed 's/ *$//'
  } >"$WORK/profile-$perf_name.txt"
  printf '[%s] profile in %s\n' "$(date +%H:%M:%S)" "$WORK/profile-$perf_name.txt" >&2
  rm -f "$data"
  perf_pid=""
}
