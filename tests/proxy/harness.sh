# tests/proxy/harness.sh: what the sharding suites share (sourced after `set -uo pipefail`):
# $root and scripts/lib.sh, the tally, and a work directory whose shards are stopped and
# removed on exit.
#
#   pass NAME / fail NAME                 "ok - NAME" / "not ok - NAME"
#   check NAME EXPECTED ACTUAL            pass when the two are equal
#   finish                                "N passed, N failed"; exits non-zero after a failure
#   proxy_workdir NAME                    sets $work; on exit proxy/scripts/shards.sh down
#                                         "$work/shards" and removes it (KEEP=1 keeps both)
#   proxy_up N                            N shards and the proxy in $work/shards, their env
#                                         sourced (a failure to start is a failed check)
#   proxy [PSQL ARGS] / shard I [ARGS]    psql on the proxy database / on shard I
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/lib.sh"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "not ok - $*"; }
check() { # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (expected '$2', got '$3')"; fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

proxy_cleanup() {
  "$root/proxy/scripts/shards.sh" down "$work/shards" >/dev/null 2>&1
  rm -rf "$work"
}
proxy_workdir() {
  work=$(make_workdir "$1")
  if [ -n "${KEEP:-}" ]; then echo "$1: kept in $work"; else trap proxy_cleanup EXIT; fi
}
proxy_up() {
  if ! "$root/proxy/scripts/shards.sh" up "$1" "$work/shards" >"$work/up.log" 2>&1; then
    cat "$work/up.log"
    fail "start $1 shards and the proxy"
    finish
  fi
  . "$work/shards/env"
}
proxy() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$PROXY_DB" "$@"; }
shard() { local i=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "${SHARD_DB_PREFIX}$i" "$@"; }
