#!/usr/bin/env bash
# Fuzzes the pure C++ core with libFuzzer (clang-14, ASan + UBSan).
#
#   scripts/fuzz.sh [SECONDS]    run each target for SECONDS (default 30)
#
# Configures build-fuzz/ (apart from the normal build), builds fuzz_text_rules
# and fuzz_payload, and runs each over a scratch copy of fuzz/corpus/<target>,
# so the checked-in seeds only change by hand. Exits non-zero if any target
# crashes; the crashing input is left in build-fuzz/artifacts/<target>/ and
# belongs in fuzz/corpus/<target>/ as a regression seed once fixed.
set -euo pipefail

seconds=${1:-30}
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz: SECONDS must be a whole number, got '$seconds'" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-fuzz
targets=(text_rules payload)

mkdir -p "$build"
cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREALCHAT_FUZZ=ON >"$build/configure.log" 2>&1 \
  || { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" --target "${targets[@]/#/fuzz_}"

status=0
for target in "${targets[@]}"; do
  corpus=$build/corpus/$target
  artifacts=$build/artifacts/$target
  log=$build/fuzz_$target.log
  rm -rf "$corpus"
  mkdir -p "$corpus" "$artifacts"
  cp "$root/fuzz/corpus/$target/"* "$corpus/"

  options=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/")
  # 4096 bytes: room for the longest avatar_url and for the 4x NFC bound on bio
  options+=(-max_len=4096)
  [ -f "$root/fuzz/$target.dict" ] && options+=(-dict="$root/fuzz/$target.dict")

  echo "fuzz: fuzz_$target for ${seconds}s"
  if "$build/fuzz/fuzz_$target" "${options[@]}" "$corpus" >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" | sed "s/^/fuzz: fuzz_$target /" || true
  else
    status=1
    echo "fuzz: fuzz_$target FAILED; log $log, input in $artifacts/" >&2
    grep -E -A25 'ERROR|invariant broken|runtime error' "$log" | head -60 >&2 || true
  fi
done
exit $status
