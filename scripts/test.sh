#!/usr/bin/env bash
# Runs every test of the project from a clean checkout: installs missing Debian
# packages, builds the extension and the C++ targets, starts throwaway
# PostgreSQL clusters (and Kafka for the publisher's end-to-end tests), runs
# each suite, stops everything, and ends with "N passed, N failed".
#
# pg_regress, the integration tests and the security suite run against PostgreSQL 15 (Debian's)
# and 18 (scripts/install-deps.sh); the Kafka suites against 15 unless E2E_PG_MAJOR=18.
#
#   scripts/test.sh                  everything
#   SKIP_E2E=1 scripts/test.sh       without the Kafka suites (end to end and chaos)
#   E2E_PG_MAJOR=18 scripts/test.sh  the Kafka suites against PostgreSQL 18
set -uo pipefail
unset PG_MAJOR # each suite below names its major

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib.sh

bash scripts/install-deps.sh || exit 1

work=$(make_workdir realchat-test)
pg18_src="$root/build-pg18"
cleanup() {
  local dir
  for dir in "$work"/pg-*; do
    [ -d "$dir" ] && scripts/pg-cluster.sh stop "$dir" immediate >/dev/null 2>&1
  done
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
summary=()
record() { # record NAME PASSED FAILED
  passed=$((passed + $2))
  failed=$((failed + $3))
  summary+=("$(printf '%-32s %4d passed, %d failed' "$1" "$2" "$3")")
}
section() { printf '\n=== %s ===\n' "$*"; }

# ctest prints "NN% tests passed, F tests failed out of T".
record_ctest() { # record_ctest NAME LOGFILE
  local line total fails
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$2" | tail -1)
  if [ -z "$line" ]; then
    record "$1" 0 1
    return
  fi
  fails=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
  record "$1" $((total - fails)) "$fails"
}

# A suite run by its own script, which ends with "N passed, N failed".
run_suite() { # run_suite NAME COMMAND...
  local name=$1 log line
  shift
  log="$work/$(tr ' /()' '____' <<<"$name").log"
  section "$name"
  "$@" 2>&1 | tee "$log"
  line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | sed -E 's/^[A-Za-z]+: //')
  if [ -n "$line" ]; then
    record "$name" "$(cut -d' ' -f1 <<<"$line")" "$(cut -d' ' -f3 <<<"$line" | tr -d ,)"
  else
    record "$name" 0 1
  fi
}

section "build: extension (PGXS) for PostgreSQL 15"
if ! install_extension; then
  record "build extension (15)" 0 1
  echo "$passed passed, $failed failed"
  exit 1
fi

# PostgreSQL 18 builds its own copy of the sources (scripts/lib.sh, install_extension_copy).
section "build: extension (PGXS) for PostgreSQL 18"
pg18_ok=0
install_extension_copy "$(pg18_home)/bin/pg_config" "$pg18_src" || { pg18_ok=1; record "build extension (18)" 0 1; }

section "build: C++ targets (CMake)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
  cmake --build build -j"$(nproc)" 2>&1 | tail -3
build_ok=${PIPESTATUS[0]}
[ -x build/tests/integration/integration_tests ] || build_ok=1
if [ "$build_ok" -ne 0 ]; then
  record "build C++" 0 1
fi

if [ "$build_ok" -eq 0 ]; then
  section "ctest: unit tests (no server)"
  ctest --test-dir build -LE 'integration|e2e' --output-on-failure >"$work/unit.log" 2>&1
  tail -4 "$work/unit.log"
  grep -E '\*\*\*Failed|Failed  ' "$work/unit.log" || true
  record_ctest "unit (googletest)" "$work/unit.log"
fi

# The suites that need a server, against one major: a preloaded and a plain cluster for
# pg_regress and the integration tests (the client side is the same for every major), then
# the security suite with its own cluster.
server_suites() { # server_suites MAJOR SOURCE_DIR
  local major=$1 src=$2 preloaded="$work/pg-$1-preloaded" plain="$work/pg-$1-plain"
  local port_preloaded port_plain regress_rc ok bad
  section "servers: throwaway PostgreSQL $major clusters"
  port_preloaded=$(free_port)
  port_plain=$(free_port)
  if ! { PG_MAJOR=$major scripts/pg-cluster.sh start "$preloaded" "$port_preloaded" --preload &&
         PG_MAJOR=$major scripts/pg-cluster.sh start "$plain" "$port_plain"; }; then
    record "start PostgreSQL $major" 0 1
    return
  fi
  PG_MAJOR=$major bash -c '. scripts/lib.sh; for p in "$@"; do
      psql -X -q -h 127.0.0.1 -p "$p" -U postgres -d postgres -c "CREATE EXTENSION realchat_profile CASCADE" >/dev/null; done' \
    _ "$port_plain" "$port_preloaded"
  echo "PostgreSQL $major: preloaded on 127.0.0.1:$port_preloaded, plain on 127.0.0.1:$port_plain"

  section "pg_regress ($major)"
  PG_MAJOR=$major PGHOST=127.0.0.1 PGPORT=$port_preloaded PGUSER=postgres \
    bash -c '. scripts/lib.sh; make -C "$1" installcheck PG_CONFIG="$(command -v pg_config)"' _ "$src" >"$work/regress-$major.log" 2>&1
  regress_rc=$?
  grep -E '^(ok|not ok|test )|tests' "$work/regress-$major.log" || true
  # "test NAME ... ok" up to 15, TAP's "ok N - NAME" from 16.
  ok=$(grep -cE '^test .*\.\.\. ok|^ok [0-9]+ ' "$work/regress-$major.log")
  bad=$(grep -cE '^test .*\.\.\. FAILED|^not ok [0-9]+ ' "$work/regress-$major.log")
  [ "$regress_rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
  [ "$bad" -gt 0 ] && [ -f "$src/regression.diffs" ] && cat "$src/regression.diffs"
  record "pg_regress ($major)" "$ok" "$bad"

  if [ "$build_ok" -eq 0 ]; then
    section "ctest: integration tests (real PostgreSQL $major)"
    REALCHAT_TEST_DB="host=127.0.0.1 port=$port_preloaded user=postgres dbname=postgres" \
    REALCHAT_TEST_DB_PLAIN="host=127.0.0.1 port=$port_plain user=postgres dbname=postgres" \
      ctest --test-dir build -L integration --output-on-failure --timeout 300 >"$work/integration-$major.log" 2>&1
    tail -4 "$work/integration-$major.log"
    grep -E '\*\*\*Failed|Failed  ' -A30 "$work/integration-$major.log" | head -80 || true
    record_ctest "integration (PostgreSQL $major)" "$work/integration-$major.log"
  fi
  # The documentation's SQL examples, once, on the default major's preloaded cluster.
  if [ "$major" = 15 ]; then
    PGHOST=127.0.0.1 PGPORT=$port_preloaded PGUSER=postgres run_suite "documentation examples" tests/docs/run.sh
  fi
  scripts/pg-cluster.sh stop "$preloaded" immediate >/dev/null 2>&1
  scripts/pg-cluster.sh stop "$plain" immediate >/dev/null 2>&1

  PG_MAJOR=$major run_suite "security and roles ($major)" tests/security/run.sh
}

server_suites 15 "$root"
[ "$pg18_ok" -eq 0 ] && server_suites 18 "$pg18_src"

run_suite "upgrade 1.0 to 1.1" tests/upgrade/run.sh
run_suite "backup and restore" tests/backup/run.sh
run_suite "sharding (PL/Proxy, 4 shards)" tests/proxy/run.sh
run_suite "sharding: pg_regress files through the proxy (4 shards)" tests/proxy/contract.sh
run_suite "sharding: the bad-input table through the proxy (4 shards)" tests/proxy/bad_input.sh
run_suite "topology: PgBouncer" tests/topology/pgbouncer.sh
run_suite "topology: hot standby" tests/topology/standby.sh
run_suite "script colour" tests/scripts/colour.sh

run_suite "fuzz (libFuzzer, bounded)" scripts/fuzz-suite.sh "${FUZZ_SECONDS:-30}"
run_suite "unit under ASan and UBSan" scripts/sanitize.sh
if [ -z "${SKIP_E2E:-}" ] && [ "$build_ok" -eq 0 ]; then
  e2e_major=${E2E_PG_MAJOR:-15}
  PG_MAJOR=$e2e_major BUILD_DIR="$root/build" run_suite "publisher end to end ($e2e_major)" tests/e2e/run.sh
  PG_MAJOR=$e2e_major BUILD_DIR="$root/build" run_suite "chaos (short, $e2e_major)" tests/chaos/run.sh
  PG_MAJOR=$e2e_major BUILD_DIR="$root/build" run_suite "Kafka cluster ($e2e_major)" tests/topology/kafka_cluster.sh
  PG_MAJOR=$e2e_major BUILD_DIR="$root/build" run_suite "chaos (short, Kafka cluster, $e2e_major)" tests/chaos/run.sh --topology
  BUILD_DIR="$root/build" run_suite "sharded publishers (4 shards)" tests/proxy/publishers.sh
  PG_MAJOR=$e2e_major BUILD_DIR="$root/build" run_suite "topology: failover ($e2e_major)" tests/topology/failover.sh
  PG_MAJOR=$e2e_major BUILD_DIR="$root/build" run_suite "read cache end to end ($e2e_major)" tests/cache/run.sh
fi

section "summary"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
