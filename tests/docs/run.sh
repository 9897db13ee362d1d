#!/usr/bin/env bash
# The documentation's examples run as written. Every ```sql block of README.md and docs/*.md runs,
# in the order of the page, with psql -v ON_ERROR_STOP=1, in a fresh database, as a reader would
# paste it; a block that fails is one failure, so an example that drifts from the code fails the
# suite. README.md starts from an empty database (its Install section creates the extension);
# the pages of docs/ describe an installed extension, so theirs starts with it created.
#
#   tests/docs/run.sh      ends with "N passed, N failed"; exits non-zero on any failure
#
# Markers, an HTML comment on the line before a fence (markdown shows neither):
#   <!-- not run: WHY -->  before a ```sql block that must not run (it needs a setting, shows output)
#   <!-- run -->           before a ```sh block that must run (bash, from the repository root, with
#                          the PG* variables of the database); other shell blocks are not run
# The database is named mydb, the name the examples give "your database".
#
# Server: the one PGHOST/PGPORT/PGUSER name if PGPORT is set (the caller has installed the
# extension there; roles the examples create are dropped afterwards), else a throwaway cluster
# on a free loopback port, stopped on exit. The extension must be installed (make install).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/scripts/lib.sh"

db=mydb
work=$(make_workdir realchat-docs)
own_cluster=""
db_created=""
cleanup() {
  [ -n "$db_created" ] && psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
  [ -n "$own_cluster" ] && "$root/scripts/pg-cluster.sh" stop "$own_cluster" immediate >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

if [ -z "${PGPORT:-}" ]; then
  own_cluster="$work/pg"
  port=$(free_port)
  if ! "$root/scripts/pg-cluster.sh" start "$own_cluster" "$port" --preload; then
    echo "not ok - start PostgreSQL"
    failed=1
    finish
  fi
  export PGPORT=$port
fi
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
unset PGDATABASE PGSERVICE PGOPTIONS
echo "docs: PostgreSQL on $PGHOST:$PGPORT"

admin() { psql -X -q -At -v ON_ERROR_STOP=1 -d postgres "$@"; }

if [ "$(admin -c "SELECT count(*) FROM pg_database WHERE datname = '$db'")" != 0 ]; then
  echo "not ok - database $db already exists on this server; the examples need a fresh one"
  failed=1
  finish
fi

# Splits a page into its blocks: writes NNN.sql / NNN.sh (to run) and NNN.check (shell blocks not
# run) into DIR and prints one line per block: "LINE KIND FILE [REASON]", KIND run, check or skip.
extract() { # extract PAGE DIR
  awk -v dir="$2" '
    function flush_marker() { marker = "" }
    /^[ \t]*<!--[ \t]*not run/ { marker = $0; next }
    /^[ \t]*<!--[ \t]*run[ \t]*-->/ { marker = "run"; next }
    !inside && /^[ \t]*```/ {
      inside = 1
      lang = $0
      sub(/^[ \t]*```[ \t]*/, "", lang)
      sub(/[ \t].*$/, "", lang)
      start = NR
      n++
      file = ""
      if (lang == "sql" && marker !~ /not run/) file = sprintf("%s/%03d.sql", dir, n)
      if ((lang == "sh" || lang == "bash") && marker == "run") file = sprintf("%s/%03d.sh", dir, n)
      if ((lang == "sh" || lang == "bash") && marker != "run") file = sprintf("%s/%03d.check", dir, n)
      if (file != "") {
        printf "" > file
        print start, (file ~ /check$/ ? "check" : "run"), file
      } else if (lang == "sql") {
        reason = marker
        sub(/^[ \t]*<!--[ \t]*not run:?[ \t]*/, "", reason)
        sub(/[ \t]*-->.*$/, "", reason)
        print start, "skip", "-", reason
      }
      flush_marker()
      next
    }
    inside && /^[ \t]*```[ \t]*$/ { inside = 0; if (file != "") close(file); next }
    inside { if (file != "") print > file; next }
    /[^ \t]/ { flush_marker() }
  ' "$1"
}

# A shell block that is not run must still parse, and every path of this repository it names
# (scripts/demo.sh, tests/chaos/run.sh, ...) must exist.
check_shell() { # check_shell FILE
  local word bad=0
  bash -n "$1" || bad=1
  for word in $(grep -v '^[[:space:]]*#' "$1" | sed 's/#.*//' |
    grep -oE '(^|[[:space:]"=])(\./)?(scripts|tests|bench|tools|fuzz|systemd|kafka|docs|extension|publisher)/[A-Za-z0-9_./-]*'); do
    word=${word#[\"=]}
    word=${word#./}
    word=${word%.}
    [ -e "$root/$word" ] || { echo "error: $word does not exist"; bad=1; }
  done
  return "$bad"
}

run_page() { # run_page PAGE (relative to the repository root)
  local page=$1 dir list line kind file reason log rc what before=""
  dir="$work/$(tr '/.' '__' <<<"$page")"
  mkdir -p "$dir"
  list=$(extract "$root/$page" "$dir")
  [ -n "$list" ] || return 0

  if grep -q ' run ' <<<"$list"; then
    before=$(admin -c "SELECT string_agg(quote_ident(rolname), ',') FROM pg_roles")
    admin -c "CREATE DATABASE $db" >/dev/null || { failed=$((failed + 1)); echo "not ok - $page: CREATE DATABASE"; return; }
    db_created=1
    if [ "$page" != README.md ]; then
      psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION realchat_profile CASCADE" >/dev/null ||
        { failed=$((failed + 1)); echo "not ok - $page: CREATE EXTENSION"; }
    fi
  fi

  while read -r line kind file reason; do
    [ -n "$line" ] || continue
    if [ "$kind" = skip ]; then
      echo "skip - $page:$line (sql): ${reason:-no reason given}"
      continue
    fi
    log="$file.log"
    case "$file" in
      *.check) check_shell "$file" >"$log" 2>&1 ;;
      *.sql) timeout 120 psql -X -v ON_ERROR_STOP=1 -d "$db" -f "$file" </dev/null >"$log" 2>&1 ;;
      *.sh) (cd "$root" && PGDATABASE=$db timeout 120 bash -eo pipefail "$file") </dev/null >"$log" 2>&1 ;;
    esac
    rc=$?
    case "$file" in
      *.check) what="sh, not run: parses, its paths exist" ;;
      *) what=${file##*.} ;;
    esac
    if [ "$rc" -eq 0 ]; then
      passed=$((passed + 1))
      echo "ok - $page:$line ($what)"
    else
      failed=$((failed + 1))
      echo "not ok - $page:$line ($what) exited with status $rc:"
      # psql names the extracted file; name the page's line instead
      grep -E 'ERROR|FATAL|error|DETAIL|HINT' "$log" | head -5 |
        awk -v f="psql:$file:" -v page="$page" -v base="$line" '
          index($0, f) == 1 { rest = substr($0, length(f) + 1); n = rest + 0; sub(/^[0-9]+/, "", rest); $0 = page ":" base + n rest }
          { print "    " $0 }'
    fi
  done <<<"$list"

  [ -n "$before" ] || return 0
  admin -c "DROP DATABASE $db" >/dev/null && db_created=""
  admin -c "SELECT quote_ident(rolname) FROM pg_roles WHERE quote_ident(rolname) <> ALL (string_to_array('$before', ','))" |
    while read -r role; do admin -c "DROP ROLE $role" >/dev/null; done
}

run_page README.md
for page in "$root"/docs/*.md; do
  run_page "docs/$(basename "$page")"
done
finish
