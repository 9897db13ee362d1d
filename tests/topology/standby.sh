#!/usr/bin/env bash
# A primary with a synchronous hot standby (scripts/pg-cluster.sh --sync-standby / standby), the
# library preloaded on both: an acknowledged commit waits for the standby; the read functions
# answer on the standby as on the primary; every write function fails there with PostgreSQL's
# read-only error (25006); the expiry worker and the wake-up machinery stay quiet during recovery
# and the worker starts once the standby is promoted, which then takes writes.
#
#   tests/topology/standby.sh      about 30 s; ends with "N passed, N failed"
#
# Needs the extension installed (make install); builds pq_calls in $BUILD_DIR (default build).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_targets pq_calls
calls=$build/tests/topology/pq_calls
here=$root/tests/topology

tmp=$(make_workdir realchat-standby)
cleanup() {
  "$root/scripts/pg-cluster.sh" stop "$tmp/standby" immediate >/dev/null 2>&1
  "$root/scripts/pg-cluster.sh" stop "$tmp/primary" immediate >/dev/null 2>&1
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

p_port=$(free_port)
s_port=$(free_port)
primary="host=127.0.0.1 port=$p_port user=topo_app dbname=app connect_timeout=5"
standby="host=127.0.0.1 port=$s_port user=topo_app dbname=app connect_timeout=5"
psql_p() { psql -X -q -At -h 127.0.0.1 -p "$p_port" -U postgres -d "${2:-app}" -c "$1"; }
psql_s() { psql -X -q -At -h 127.0.0.1 -p "$s_port" -U postgres -d "${2:-app}" -c "$1"; }

# Commits wait for the standby from the start, so it comes up before the first commit.
"$root/scripts/pg-cluster.sh" start "$tmp/primary" "$p_port" --preload --sync-standby standby1 ||
  abort "the primary did not start"
# The expiry worker in database app every second, on both (the standby copies these settings).
psql_p "ALTER SYSTEM SET realchat_profile.expiry_databases = 'app'" postgres &&
  psql_p "ALTER SYSTEM SET realchat_profile.expiry_interval = '1s'" postgres &&
  psql_p "SELECT pg_reload_conf()" postgres >/dev/null || abort "configuring the expiry worker failed"
"$root/scripts/pg-cluster.sh" standby "$tmp/standby" "$s_port" "$p_port" --name standby1 --preload ||
  abort "the standby did not start"
log "primary on 127.0.0.1:$p_port, standby on 127.0.0.1:$s_port, temp $tmp"
check "the standby streams synchronously" \
  "$(wait_for 20 bash -c "[ \"\$(psql -X -At -h 127.0.0.1 -p $p_port -U postgres -d postgres -c \"SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'\")\" = sync ]"; echo $?)"
setup_database "$p_port" app >/dev/null || abort "setting up database app failed"

# ---------- data, then the standby caught up ----------
"$calls" "$primary" <"$here/api_calls.tsv" >"$tmp/primary-writes.out" || abort "the calls on the primary failed"
printf '%s\t%s\t%s\n' \
  'SELECT 1 FROM profile.block_user(user_id => $1, blocked_user_id => $2)' \
  00000000-0000-4000-8000-000000000003 00000000-0000-4000-8000-000000000001 \
  'SELECT 1 FROM profile.mute_user(user_id => $1, muted_user_id => $2)' \
  00000000-0000-4000-8000-000000000001 00000000-0000-4000-8000-000000000003 |
  "$calls" "$primary" >>"$tmp/primary-writes.out"
lsn=$(psql_p "SELECT pg_current_wal_lsn()")
caught_up() { [ "$(psql_s "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ]; }
check "the standby replayed the primary's writes" "$(wait_for 20 caught_up; echo $?)"

# ---------- reads on the standby ----------
reads='profile\.(get_profiles?|find_profile_by_username|search_profiles|list_(contacts|blocks|mutes)|is_(blocked|muted)|can_interact|relationships)\('
writes='profile\.(create_profile|update_|set_|delete_|add_|remove_|block_user|unblock_|mute_user|unmute_|heartbeat|clear_)'
grep -E "$reads" "$here/api_calls.tsv" | grep -vE "$writes" >"$tmp/reads.tsv"
"$calls" "$primary" <"$tmp/reads.tsv" >"$tmp/reads-primary.out" 2>&1
"$calls" "$standby" <"$tmp/reads.tsv" >"$tmp/reads-standby.out" 2>&1
n_reads=$(wc -l <"$tmp/reads.tsv")
functions=$(grep -oE "$reads" "$tmp/reads.tsv" | sort -u | wc -l)
check "reads answer on the standby ($n_reads calls of $functions read functions, no error)" \
  "$([ "$(grep -c '^ok$' "$tmp/reads-standby.out")" = "$n_reads" ] && [ "$functions" -ge 11 ]; echo $?)" \
  "$(grep -v '^ok' "$tmp/reads-standby.out" | grep -E '^(error|conn)' | head -3)"
diff "$tmp/reads-primary.out" "$tmp/reads-standby.out" >"$tmp/reads.diff"
check "reads on the standby equal those on the primary" "$?" "$(head -c 600 "$tmp/reads.diff")"

# ---------- writes on the standby ----------
"$calls" "$standby" <"$here/write_calls.tsv" >"$tmp/writes-standby.out" 2>&1
# The operator's writing functions, as an administrator.
printf 'SELECT * FROM profile.run_expiry()\nSELECT profile.purge_outbox()\n' |
  "$calls" "host=127.0.0.1 port=$s_port user=postgres dbname=app" >>"$tmp/writes-standby.out" 2>&1
n_writes=$(($(grep -cv '^#' "$here/write_calls.tsv") + 2))
read_only=$(grep -cE '^error 25006 ERROR:  cannot execute [A-Z ]+ in a read-only transaction' "$tmp/writes-standby.out")
check "every write function fails on the standby with 25006 \"cannot execute ... in a read-only transaction\" ($read_only of $n_writes)" \
  "$([ "$read_only" = "$n_writes" ]; echo $?)" "$(grep -vE '^(#|error 25006)' "$tmp/writes-standby.out" | head -3)"
sleep 3  # three rounds of the expiry interval
errors=$(grep -E 'ERROR|FATAL|PANIC|WARNING' "$tmp/standby/server.log" | grep -v 'in a read-only transaction' |
  grep -vE 'STATEMENT|terminating connection because of crash' | head -3)
check "the standby's log has no error but the refused writes" "$([ -z "$errors" ]; echo $?)" "$errors"
workers=$(psql_s "SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'realchat_profile expiry%'" postgres)
check "no expiry worker runs during recovery" "$([ "$workers" = 0 ]; echo $?)" "$workers running"
check "the wake-up request is answered on the standby (shared memory only)" \
  "$(psql_s "SELECT preloaded FROM profile.wakeup_stats()" | grep -qx t; echo $?)"

# ---------- synchronous commit ----------
"$root/scripts/pg-cluster.sh" stop "$tmp/standby" fast
start=$SECONDS
timeout 4 psql -X -q -At "$primary" -c "SELECT version FROM profile.set_status(user_id => '00000000-0000-4000-8000-000000000002', status => 'away')" \
  >"$tmp/unacknowledged.out" 2>&1
rc=$?
check "with the standby down a commit is not acknowledged (still waiting after 4 s)" "$([ "$rc" = 124 ]; echo $?)" \
  "exit $rc $(head -c 200 "$tmp/unacknowledged.out")"
"$root/scripts/pg-cluster.sh" start "$tmp/standby" "$s_port" || abort "the standby did not start again"
ack() { timeout 5 psql -X -q -At "$primary" -c "SELECT version FROM profile.heartbeat(user_id => '00000000-0000-4000-8000-000000000002')"; }
check "with the standby back commits are acknowledged again" "$(wait_for 20 ack; echo $?)"

# ---------- promotion ----------
"$root/scripts/pg-cluster.sh" promote "$tmp/standby" || abort "promotion failed"
check "the promoted standby is a primary" "$([ "$(psql_s "SELECT pg_is_in_recovery()")" = f ]; echo $?)"
printf 'SELECT version FROM profile.update_profile(user_id => $1, bio => $2)\t%s\tafter the failover\n' \
  00000000-0000-4000-8000-000000000001 | "$calls" "$standby" >"$tmp/promoted-write.out" 2>&1
check "the promoted standby takes writes (without a standby of its own: asynchronously)" \
  "$(grep -q '^ok$' "$tmp/promoted-write.out" && ! grep -q '^error' "$tmp/promoted-write.out"; echo $?)" \
  "$(tr '\n' ' ' <"$tmp/promoted-write.out")"
# The wake-up handshake on the promoted standby: a listener's request_wakeup(), then a write from
# another session that writes an event, must bring a notification (psql prints it after its next command).
psql -X -q -At -h 127.0.0.1 -p "$s_port" -U postgres -d app -c "LISTEN profile_outbox" \
  -c "SELECT profile.request_wakeup()" \
  -c "\\! psql -X -q -At -h 127.0.0.1 -p $s_port -U topo_app -d app -c \"SELECT version FROM profile.update_profile(user_id => '00000000-0000-4000-8000-000000000001', bio => 'woken')\"" \
  -c "SELECT 1" >"$tmp/wakeup.out" 2>&1
check "a wake-up request is answered by a NOTIFY on the promoted standby" \
  "$(grep -q 'Asynchronous notification "profile_outbox"' "$tmp/wakeup.out"; echo $?)" "$(tr '\n' ' ' <"$tmp/wakeup.out")"
worker_up() { [ "$(psql_s "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'realchat_profile expiry'" postgres)" -ge 1 ]; }
check "the expiry worker starts on the promoted standby" "$(wait_for 20 worker_up; echo $?)"
finish
