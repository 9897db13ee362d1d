#!/usr/bin/env bash
# Runs scripts/fuzz.sh for a bounded time and counts each fuzz target as one test.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
bash scripts/fuzz.sh "$seconds" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
passed=$(grep -c 'stat::number_of_executed_units' "$log")
failed=$(grep -c 'FAILED' "$log")
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
