#!/usr/bin/env bash
# The scripts colour their output only for a person at a terminal: never into a pipe or a file
# (CI logs, `| tee`), and not when NO_COLOR is set. Colour comes from one helper, heading() in
# scripts/lib.sh; this runs it with its output to a pipe, a file and a terminal (util-linux
# `script` gives it one), and checks that no other script writes escape sequences itself.
#
#   tests/scripts/colour.sh      ends with "N passed, N failed"
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
esc=$'\033'
passed=0
failed=0
check() { # check NAME EXPECTED(escape|plain) OUTPUT
  local got=plain
  [[ "$3" == *"$esc"* ]] && got=escape
  if [ "$got" = "$2" ] && [[ "$3" == *"== Step one"* ]]; then
    passed=$((passed + 1))
    echo "ok - $1"
  else
    failed=$((failed + 1))
    echo "not ok - $1: wanted $2 output, got: $(printf '%q' "$3")"
  fi
}

helper=". '$root/scripts/lib.sh'; heading Step one"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

check "heading into a pipe has no escape" plain "$(unset NO_COLOR; bash -c "$helper" | cat)"
(unset NO_COLOR; bash -c "$helper" >"$tmp")
check "heading into a file has no escape" plain "$(cat "$tmp")"
# `script` runs the command on a pseudo-terminal; its own output goes to our pipe.
on_terminal() { timeout 20 script -qec "bash -c \"$helper\"" /dev/null </dev/null; }
check "heading on a terminal is bold" escape "$(unset NO_COLOR; on_terminal)"
check "heading on a terminal with NO_COLOR=1 has no escape" plain "$(export NO_COLOR=1; on_terminal)"
check "heading on a terminal with an empty NO_COLOR is bold" escape "$(export NO_COLOR=; on_terminal)"

# Every other script goes through heading(): no escape sequence or tput anywhere else.
others=$(cd "$root" && grep -rlE --include='*.sh' '\\033\[|\\e\[|\\x1[bB]\[|\btput\b' scripts tests bench tools |
  grep -vxF -e scripts/lib.sh -e tests/scripts/colour.sh)
if [ -z "$others" ]; then
  passed=$((passed + 1))
  echo "ok - no script but scripts/lib.sh writes escape sequences"
else
  failed=$((failed + 1))
  echo "not ok - escape sequences outside scripts/lib.sh's heading(): $others"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
