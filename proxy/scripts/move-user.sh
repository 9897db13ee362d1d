#!/usr/bin/env bash
# Moves one user to another shard while everything keeps running, without losing or reordering
# an event (docs/sharding.md, Growth: moving one user).
#
#   proxy/scripts/move-user.sh DIR USER_ID TARGET     move the user to partition TARGET
#   proxy/scripts/move-user.sh DIR USER_ID --abort    give up a move cut short before its switch
#
# DIR is a proxy/scripts/shards.sh directory (either layout). Steps:
# 1. freeze (proxy): calls writing for the user get 55006, reads still go to the source;
# 2. wait until no proxy transaction that began before the freeze is still running;
# 3. on the source, one transaction: lock the user's rows, and wait (unlocked, bounded) until the
#    source's publisher has sent every outbox row of the user; export; drop the user (a shadow
#    stays where lists there name them); PREPARE TRANSACTION: the locks outlive this script;
# 4. the target imports the user in one transaction (triggers off: no event; the version and the
#    sent outbox rows come along), replacing what a cut-short run left there;
# 5. switch (proxy): the target serves the user;
# 6. COMMIT PREPARED on the source;
# 7. an exception equal to the hash's partition is dropped (a user moved back home).
# A run first finishes or rolls back a cut-short earlier move (proxy.moved_users and the source's
# prepared transaction say how far it got). With several proxy databases, steps 1, 2, 5 and 7
# belong on each (this script knows the one in DIR/env). The shards need
# max_prepared_transactions > 0 (shards.sh sets it). MOVE_TIMEOUT (seconds, default 30) bounds
# each wait.
set -euo pipefail

usage() { sed -n '2,26p' "$0" >&2; exit 2; }
[ $# -eq 3 ] || usage
dir=$1 user=$2 target=$3
. "$dir/env"
timeout=${MOVE_TIMEOUT:-30}
gid="move_user_$user"

proxy() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$PROXY_DB" "$@"; }
conninfo() { echo "$(proxy -c "SELECT profile.shard_connstr($1)") user=$PGUSER"; }
shard_at() { # shard_at PARTITION SQL: one statement on that partition's database
  psql -X -q -At -v ON_ERROR_STOP=1 "$(conninfo "$1")" -c "$2"
}
prepared_on() { # prepared_on PARTITION: is this move's prepared transaction waiting there?
  [ "$(shard_at "$1" "SELECT count(*) FROM pg_prepared_xacts WHERE gid = '$gid' AND database = current_database()")" = 1 ]
}
say() { echo "move-user: $*"; }

# A cut-short earlier move: finished when its switch was done (or its copy is complete on the
# target), rolled back on the source otherwise (the move then starts again, or stops on --abort).
recover() {
  local row state src tgt
  row=$(proxy -c "SELECT concat_ws(' ', state, source, target) FROM proxy.moved_users WHERE user_id = '$user'")
  [ -n "$row" ] || return 0
  read -r state src tgt <<<"$row"
  if [ "$state" = frozen ] && prepared_on "$src"; then
    if [ "$1" != abort ] && [ "$(shard_at "$tgt" "SELECT shard.user_exists('$user')")" = t ]; then
      proxy -c "SELECT proxy.switch_user('$user')" >/dev/null
      state=moved
    else
      shard_at "$src" "ROLLBACK PREPARED '$gid'" >/dev/null
    fi
  fi
  if [ "$state" = moved ]; then
    if prepared_on "$src"; then
      shard_at "$src" "COMMIT PREPARED '$gid'" >/dev/null
    else
      shard_at "$src" "SELECT shard.drop_moved_user('$user')" >/dev/null  # a given-up copy
    fi
    proxy -c "SELECT proxy.settle_user('$user')" >/dev/null
  fi
}

if [ "$target" = --abort ]; then
  recover abort
  proxy -c "SELECT proxy.unfreeze_user('$user')" >/dev/null
  recover abort
  say "user $user is served by partition $(proxy -c "SELECT profile.shard_for('$user')")"
  exit 0
fi
[[ "$target" =~ ^[0-9]+$ ]] || usage

recover move
if [ "$(proxy -c "SELECT profile.shard_for('$user')")" = "$target" ] &&
   [ -z "$(proxy -c "SELECT 1 FROM proxy.moved_users WHERE user_id = '$user' AND state = 'frozen'")" ]; then
  say "user $user lives on partition $target"
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

# 3. the source's transaction, in a psql session held open until it is prepared
[ "$(shard_at "$source" "SHOW max_prepared_transactions")" != 0 ] ||
  { proxy -c "SELECT proxy.unfreeze_user('$user')" >/dev/null; recover abort
    say "partition $source has max_prepared_transactions = 0; nothing moved"; exit 1; }
coproc SRC { exec psql -X -q -At -v ON_ERROR_STOP=1 "$(conninfo "$source")" 2>&1; }
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
src "SELECT shard.drop_moved_user('$user'); PREPARE TRANSACTION '$gid';" >/dev/null || fail "source: prepare failed"
eval "exec $src_in>&-"
wait "$src_pid" 2>/dev/null || true

# 4. the target's copy
copied=$(psql -X -q -At -v ON_ERROR_STOP=1 "$(conninfo "$target")" <<SQL
\set doc \`cat '$doc'\`
SELECT shard.import_user(:'doc'::jsonb);
SQL
) || fail "import on partition $target failed"

# 5. switch, 6. the source lets go, 7. settle
proxy -c "SELECT proxy.switch_user('$user')" >/dev/null
ms=$((($(date +%s%N) - started) / 1000000))
shard_at "$source" "COMMIT PREPARED '$gid'" >/dev/null ||
  { say "COMMIT PREPARED on partition $source failed; the target serves the user: run again to finish"; exit 1; }
proxy -c "SELECT proxy.settle_user('$user')" >/dev/null
say "user $user moved from partition $source to $target ($copied outbox rows, writes refused for ${ms} ms)"
