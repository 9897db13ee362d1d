#!/usr/bin/env bash
# Runs every test of the project from a clean checkout: installs missing Debian
# packages, builds the extension and the C++ targets, starts throwaway
# PostgreSQL clusters (and Kafka for the publisher's end-to-end tests), runs
# each suite, stops everything, and ends with "N passed, N failed".
#
#   scripts/test.sh            everything
#   SKIP_E2E=1 scripts/test.sh without the Kafka suites (end to end and chaos)
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/lib.sh

bash scripts/install-deps.sh || exit 1

work=$(make_workdir realchat-test)
preloaded="$work/pg-preloaded"
plain="$work/pg-plain"
cleanup() {
  scripts/pg-cluster.sh stop "$preloaded" immediate >/dev/null 2>&1
  scripts/pg-cluster.sh stop "$plain" immediate >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
summary=()
record() { # record NAME PASSED FAILED
  passed=$((passed + $2))
  failed=$((failed + $3))
  summary+=("$(printf '%-28s %4d passed, %d failed' "$1" "$2" "$3")")
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

section "build: extension (PGXS)"
if ! install_extension; then
  record "build extension" 0 1
  echo "$passed passed, $failed failed"
  exit 1
fi

section "build: C++ targets (CMake)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
  cmake --build build -j"$(nproc)" 2>&1 | tail -3
build_ok=${PIPESTATUS[0]}
[ -x build/tests/integration/integration_tests ] || build_ok=1
if [ "$build_ok" -ne 0 ]; then
  record "build C++" 0 1
fi

section "servers: throwaway PostgreSQL 15 clusters"
port_preloaded=$(free_port)
port_plain=$(free_port)
scripts/pg-cluster.sh start "$preloaded" "$port_preloaded" --preload &&
  scripts/pg-cluster.sh start "$plain" "$port_plain" || { record "start PostgreSQL" 0 1; echo "$passed passed, $failed failed"; exit 1; }
psql -X -q -h 127.0.0.1 -p "$port_plain" -U postgres -d postgres -c "CREATE EXTENSION realchat_profile CASCADE" >/dev/null
psql -X -q -h 127.0.0.1 -p "$port_preloaded" -U postgres -d postgres -c "CREATE EXTENSION realchat_profile CASCADE" >/dev/null
echo "preloaded on 127.0.0.1:$port_preloaded, plain on 127.0.0.1:$port_plain"

section "pg_regress"
PGHOST=127.0.0.1 PGPORT=$port_preloaded PGUSER=postgres make installcheck >"$work/regress.log" 2>&1
regress_rc=$?
cat "$work/regress.log" | grep -E '^(ok|not ok|test )|tests' || true
ok=$(grep -cE '^(ok|test ).*\.\.\. ok' "$work/regress.log")
bad=$(grep -cE '^(not ok|test ).*\.\.\. FAILED|^not ok' "$work/regress.log")
[ "$regress_rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
[ "$bad" -gt 0 ] && [ -f regression.diffs ] && cat regression.diffs
record "pg_regress" "$ok" "$bad"

if [ "$build_ok" -eq 0 ]; then
  section "ctest: unit tests (no server)"
  ctest --test-dir build -LE 'integration|e2e' --output-on-failure >"$work/unit.log" 2>&1
  tail -4 "$work/unit.log"
  grep -E '\*\*\*Failed|Failed  ' "$work/unit.log" || true
  record_ctest "unit (googletest)" "$work/unit.log"

  section "ctest: integration tests (real PostgreSQL)"
  REALCHAT_TEST_DB="host=127.0.0.1 port=$port_preloaded user=postgres dbname=postgres" \
  REALCHAT_TEST_DB_PLAIN="host=127.0.0.1 port=$port_plain user=postgres dbname=postgres" \
    ctest --test-dir build -L integration --output-on-failure --timeout 300 >"$work/integration.log" 2>&1
  tail -4 "$work/integration.log"
  grep -E '\*\*\*Failed|Failed  ' -A30 "$work/integration.log" | head -80 || true
  record_ctest "integration (PostgreSQL)" "$work/integration.log"
fi

# A suite run by its own script, which ends with "N passed, N failed".
run_suite() { # run_suite NAME COMMAND...
  local name=$1 log line
  shift
  log="$work/$(tr ' /' '__' <<<"$name").log"
  section "$name"
  "$@" 2>&1 | tee "$log"
  line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | sed -E 's/^[A-Za-z]+: //')
  if [ -n "$line" ]; then
    record "$name" "$(cut -d' ' -f1 <<<"$line")" "$(cut -d' ' -f3 <<<"$line" | tr -d ,)"
  else
    record "$name" 0 1
  fi
}

run_suite "security and roles" tests/security/run.sh
run_suite "upgrade 1.0 to 1.1" tests/upgrade/run.sh
run_suite "backup and restore" tests/backup/run.sh
run_suite "fuzz (libFuzzer, bounded)" scripts/fuzz-suite.sh "${FUZZ_SECONDS:-30}"
run_suite "unit under ASan and UBSan" scripts/sanitize.sh
if [ -z "${SKIP_E2E:-}" ] && [ "$build_ok" -eq 0 ]; then
  BUILD_DIR="$root/build" run_suite "publisher end to end" tests/e2e/run.sh
  BUILD_DIR="$root/build" run_suite "chaos (short)" tests/chaos/run.sh
fi

section "summary"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
