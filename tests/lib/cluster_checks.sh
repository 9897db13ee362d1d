# tests/lib/cluster_checks.sh: what a check script against one throwaway cluster needs (sourced).
#
#   start_check_cluster NAME [--preload]   a work directory, a cluster on a free port (PGHOST,
#                                          PGPORT, PGUSER exported), both gone on exit
#   check LABEL COMMAND...                 "ok - LABEL" when COMMAND succeeds, else "not ok - LABEL"
#   finish                                 "N passed, N failed"; exits non-zero after a failure
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/lib.sh"

passed=0
failed=0
check() {
  local label=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok - $label"
  else
    failed=$((failed + 1))
    echo "not ok - $label"
  fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

start_check_cluster() {
  work=$(make_workdir "realchat-$1")
  trap '"$root/scripts/pg-cluster.sh" stop "$work/pg" immediate >/dev/null 2>&1; rm -rf "$work"' EXIT
  local port
  port=$(free_port)
  "$root/scripts/pg-cluster.sh" start "$work/pg" "$port" ${2:-} || { check "start PostgreSQL" false; finish; }
  export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
}
