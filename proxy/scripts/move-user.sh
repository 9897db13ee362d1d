#!/usr/bin/env bash
# Moves one user to another shard while everything keeps running, without losing or reordering
# an event (docs/sharding.md, Growth: moving one user).
#
#   proxy/scripts/move-user.sh DIR USER_ID TARGET     move the user to partition TARGET
#   proxy/scripts/move-user.sh DIR USER_ID --abort    give up a move cut short before its switch
#
# DIR is a proxy/scripts/shards.sh directory (either layout). Steps, each safe to run again:
# 1. freeze (proxy): calls writing for the user get 55006, reads still go to the source;
# 2. wait until no proxy transaction that began before the freeze is still running;
# 3. on the source, in one transaction kept open: lock the user's rows, and wait (unlocked,
#    bounded) until the source's publisher has sent every outbox row of the user; export;
# 4. the target imports the user in one transaction (triggers off: no event; the version and the
#    sent outbox rows come along), replacing what a cut-short run left there;
# 5. switch (proxy): the target serves the user;
# 6. the source drops the user (a shadow stays where its lists name them) and commits;
# 7. an exception equal to the hash's partition is dropped (a user moved back home).
# A run finds a cut-short earlier move in proxy.moved_users and finishes it first. With several
# proxy databases, steps 1, 2, 5 and 7 belong on each (this script knows the one in DIR/env).
# MOVE_TIMEOUT (seconds, default 30) bounds each wait.
set -euo pipefail

usage() { sed -n '2,22p' "$0" >&2; exit 2; }
[ $# -eq 3 ] || usage
dir=$1 user=$2 target=$3
. "$dir/env"
timeout=${MOVE_TIMEOUT:-30}

proxy() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$PROXY_DB" "$@"; }
shard_at() { # shard_at PARTITION SQL: one statement on that partition's database
  psql -X -q -At -v ON_ERROR_STOP=1 "$(proxy -c "SELECT profile.shard_connstr($1)") user=$PGUSER" -c "$2"
}
say() { echo "move-user: $*"; }

# The rest of a move whose switch is done (or was given up): the source drops the user.
finish_moved() {
  local src
  src=$(proxy -c "SELECT source FROM proxy.moved_users WHERE user_id = '$user' AND state = 'moved'")
  [ -n "$src" ] || return 0
  shard_at "$src" "SELECT shard.drop_moved_user('$user')" >/dev/null
  proxy -c "SELECT proxy.settle_user('$user')" >/dev/null
}

if [ "$target" = --abort ]; then
  proxy -c "SELECT proxy.unfreeze_user('$user')" >/dev/null
  finish_moved
  say "user $user is served by partition $(proxy -c "SELECT profile.shard_for('$user')")"
  exit 0
fi
[[ "$target" =~ ^[0-9]+$ ]] || usage

finish_moved
if [ "$(proxy -c "SELECT profile.shard_for('$user')")" = "$target" ] &&
   [ -z "$(proxy -c "SELECT 1 FROM proxy.moved_users WHERE user_id = '$user' AND state = 'frozen'")" ]; then
  say "user $user already lives on partition $target"
  exit 0
fi

# 1. freeze
started=$(date +%s%N)
source=$(proxy -c "SELECT proxy.freeze_user('$user', $target)")

# 2. calls routed before the freeze have finished (their shard commits came first)
since=$(proxy -c "SELECT clock_timestamp()")
for ((i = 0; ; i++)); do
  [ "$(proxy -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                 AND pid <> pg_backend_pid() AND xact_start < '$since'")" = 0 ] && break
  [ "$i" -lt $((timeout * 20)) ] || { say "proxy transactions from before the freeze still run; run again"; exit 1; }
  sleep 0.05
done

# 3. the source's transaction, held open by a psql session until step 6
src_conn="$(proxy -c "SELECT profile.shard_connstr($source)") user=$PGUSER"
coproc SRC { exec psql -X -q -At -v ON_ERROR_STOP=1 "$src_conn" 2>&1; }
src_pid=$SRC_PID src_in=${SRC[1]} src_out=${SRC[0]}  # bash unsets SRC* once the session ends
marker="--move-user-$$--"
src() { # src SQL: run in the source's session, print its output; false if the session failed
  printf '%s\n\\echo %s\n' "$1" "$marker" >&"$src_in" || return 1
  local line
  while IFS= read -r -t "$timeout" line <&"$src_out"; do
    [ "$line" = "$marker" ] && return 0
    echo "$line"
  done
  return 1
}
fail() { say "$*; the user stays frozen on partition $source: run again, or --abort"; exit 1; }
pending=""
for ((i = 0; i < timeout * 10; i++)); do
  pending=$(src "BEGIN; SELECT shard.lock_user_for_move('$user');") || fail "source: $pending"
  [ "$pending" = 0 ] && break
  # Not sent yet: let the publisher run (it needs no lock of ours, but waiting locked would hold
  # up the user's other shard-side changes for nothing), then look again.
  src "ROLLBACK; SELECT profile.request_wakeup();" >/dev/null || fail "source session failed"
  sleep 0.1
done
[ "$pending" = 0 ] || fail "the source's publisher did not send the user's last $pending events within ${timeout}s"
doc=$(mktemp)
trap 'rm -f "$doc"' EXIT
src "SELECT shard.export_user('$user');" >"$doc" || fail "export: $(cat "$doc")"

# 4. the target's copy
tgt_conn="$(proxy -c "SELECT profile.shard_connstr($target)") user=$PGUSER"
copied=$(psql -X -q -At -v ON_ERROR_STOP=1 "$tgt_conn" <<SQL
\\set doc \`cat '$doc'\`
SELECT shard.import_user(:'doc'::jsonb);
SQL
) || fail "import on partition $target failed"

# 5. switch, 6. the source lets go, 7. settle
proxy -c "SELECT proxy.switch_user('$user')" >/dev/null
src "SELECT shard.drop_moved_user('$user'); COMMIT;" >/dev/null ||
  { say "the source's drop failed; the target serves the user: run again to finish"; exit 1; }
eval "exec $src_in>&-"
wait "$src_pid" 2>/dev/null || true
ms=$((($(date +%s%N) - started) / 1000000))
proxy -c "SELECT proxy.settle_user('$user')" >/dev/null
say "user $user moved from partition $source to $target ($copied outbox rows, writes refused for ${ms} ms)"
