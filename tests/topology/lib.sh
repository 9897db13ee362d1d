# tests/topology/lib.sh: what the topology suites share (sourced): the build of their clients,
# checks counted as "ok - ..." / "not ok - ...", and a bounded wait.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/lib.sh"
build=${BUILD_DIR:-$root/build}
[[ "$build" = /* ]] || build=$root/$build

log() { printf '%s topology: %s\n' "$(date +%T)" "$*" >&2; }

passed=0
failed=0
check() {  # check NAME CONDITION-EXIT-STATUS [DETAIL]
  if [ "$2" -eq 0 ]; then
    passed=$((passed + 1)); echo "ok - $1"
  else
    failed=$((failed + 1)); echo "not ok - $1${3:+: $3}"
  fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}
abort() { log "$*"; check "$*" 1; finish; }

# build_targets TARGET...: CMake targets into $build (configured if new).
build_targets() {
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || abort "cmake configure failed"
  fi
  cmake --build "$build" --target "$@" >"$build/topology-build.log" 2>&1 ||
    { grep -E 'error|FAILED' "$build/topology-build.log" | head -20 >&2; abort "build failed"; }
  [ -f "$(pg_config --sharedir)/extension/realchat_profile.control" ] || abort "the extension is not installed (make install)"
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds; false after SECONDS.
wait_for() {
  local limit=$1 i
  shift
  for ((i = 0; i < limit * 5; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

# Timestamps in pq_calls output, which two runs of the same calls cannot share.
mask_times() {
  sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(\+00(:00)?|Z)?/TIME/g'
}

# Prepares database DB on PORT for the API: the extension, the roles of scripts/create-roles.sql,
# and the login topo_app (an application: EXECUTE on the API only).
setup_database() {  # setup_database PORT DB
  psql -X -q -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "CREATE DATABASE $2" &&
    psql -X -q -h 127.0.0.1 -p "$1" -U postgres -d "$2" -c "CREATE EXTENSION realchat_profile CASCADE" 2>/dev/null &&
    psql -X -q -h 127.0.0.1 -p "$1" -U postgres -d "$2" -f "$root/scripts/create-roles.sql" >/dev/null &&
    psql -X -q -h 127.0.0.1 -p "$1" -U postgres -d "$2" -c \
      "DO \$\$ BEGIN CREATE ROLE topo_app LOGIN IN ROLE profile_app; EXCEPTION WHEN duplicate_object THEN END \$\$"
}
