#!/usr/bin/env bash
# The API through PgBouncer (transaction pooling, scripts/pgbouncer.sh): every API function called
# with the extended protocol and named notation gives the results and the events a direct call
# gives, while one client's calls land on different server connections (no session state); a named
# prepared statement does not survive transaction pooling in PgBouncer 1.18; the publisher refuses
# to run through PgBouncer; with PostgreSQL stopped a call fails within seconds with PgBouncer's
# error, and calls work again once PostgreSQL is back.
#
#   tests/topology/pgbouncer.sh      about 30 s; ends with "N passed, N failed"
#
# Needs the extension installed (make install); builds pq_calls and profile-publisher in
# $BUILD_DIR (default build). Everything listens on 127.0.0.1, in a temporary directory, and is
# stopped on exit (KEEP_TMP=1 keeps the directory).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_targets pq_calls profile-publisher
calls=$build/tests/topology/pq_calls
publisher=$build/publisher/profile-publisher
here=$root/tests/topology

tmp=$(make_workdir realchat-pgbouncer)
cleanup() {
  "$root/scripts/pgbouncer.sh" stop "$tmp/bouncer" >/dev/null 2>&1
  "$root/scripts/pg-cluster.sh" stop "$tmp/pg" immediate >/dev/null 2>&1
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pg_port=$(free_port)
bouncer_port=$(free_port)
"$root/scripts/pg-cluster.sh" start "$tmp/pg" "$pg_port" --preload || abort "PostgreSQL did not start"
setup_database "$pg_port" via_bouncer >/dev/null || abort "setting up database via_bouncer failed"
setup_database "$pg_port" direct >/dev/null || abort "setting up database direct failed"
# server_round_robin: idle server connections are handed out in turn, so one client's consecutive
# transactions visibly run on different backends.
PGBOUNCER_EXTRA="server_round_robin = 1" "$root/scripts/pgbouncer.sh" start "$tmp/bouncer" "$bouncer_port" \
  --db "via_bouncer=host=127.0.0.1 port=$pg_port dbname=via_bouncer" \
  --db "named=host=127.0.0.1 port=$pg_port dbname=via_bouncer" \
  --user topo_app --user postgres || abort "PgBouncer did not start"
log "PostgreSQL on 127.0.0.1:$pg_port, PgBouncer on 127.0.0.1:$bouncer_port, temp $tmp"

via_bouncer="host=127.0.0.1 port=$bouncer_port user=topo_app dbname=via_bouncer connect_timeout=5"
direct="host=127.0.0.1 port=$pg_port user=topo_app dbname=direct connect_timeout=5"
admin_bouncer_db="host=127.0.0.1 port=$pg_port user=postgres dbname=via_bouncer"
admin_direct_db="host=127.0.0.1 port=$pg_port user=postgres dbname=direct"

# ---------- one client, several server connections ----------
# Four clients at once make PgBouncer open four server connections; afterwards one client's
# autocommit statements are spread over them.
for i in 1 2 3 4; do
  printf 'SELECT pg_sleep(0.5)\n' | "$calls" "$via_bouncer" >/dev/null &
done
wait
printf 'SELECT pg_backend_pid()\n%.0s' {1..8} | "$calls" "$via_bouncer" >"$tmp/pids.out"
backends=$(grep -cvE '^ok$' "$tmp/pids.out" | tr -d ' ')
distinct=$(grep -vE '^ok$' "$tmp/pids.out" | sort -u | wc -l)
check "one client's 8 transactions ran on several server connections ($distinct distinct backends)" \
  "$([ "$backends" = 8 ] && [ "$distinct" -ge 2 ]; echo $?)" "$(tr '\n' ' ' <"$tmp/pids.out")"

# ---------- every API function: through PgBouncer and directly ----------
"$calls" "$via_bouncer" <"$here/api_calls.tsv" >"$tmp/bouncer.out"
bouncer_rc=$?
"$calls" "$direct" <"$here/api_calls.tsv" >"$tmp/direct.out"
direct_rc=$?
check "the call list ran to the end through PgBouncer and directly" \
  "$([ "$bouncer_rc" = 0 ] && [ "$direct_rc" = 0 ]; echo $?)" "rc $bouncer_rc / $direct_rc"
statements=$(grep -cv '^#' "$here/api_calls.tsv")
answers=$(grep -cE '^(ok|error )' "$tmp/bouncer.out")
check "every statement answered through PgBouncer ($answers of $statements)" "$([ "$answers" = "$statements" ]; echo $?)"
diff <(mask_times <"$tmp/direct.out") <(mask_times <"$tmp/bouncer.out") >"$tmp/results.diff"
check "results through PgBouncer equal the direct ones (timestamps aside)" "$?" "$(head -c 600 "$tmp/results.diff")"
# Every function of the API appears in the list (grants name them all).
missing=""
for fn in $(sed -n 's/^  profile\.\([a-z_]*\)(.*/\1/p' "$root/scripts/create-roles.sql" | sort -u); do
  case "$fn" in request_wakeup | next_xid | outbox_stats | purge_outbox) continue ;; esac
  grep -q "profile\.$fn(" "$here/api_calls.tsv" || missing+="$fn "
done
check "the call list covers every function granted to profile_app" "$([ -z "$missing" ]; echo $?)" "missing: $missing"
errors=$(grep -oE '^error [0-9A-Z]{5}' "$tmp/bouncer.out" | cut -d' ' -f2 | sort -u | tr '\n' ' ')
check "errors keep the contract's SQLSTATEs through PgBouncer (22004 22023 23505 P0002)" \
  "$([ "$errors" = "22004 22023 23505 P0002 " ]; echo $?)" "$errors"

events_of() {  # events_of CONNINFO: the outbox in id order, without event ids and times
  psql -X -At -F ' ' "$1" -c "SELECT key, payload->>'version', payload->>'event_type', payload->'data', traceparent
                              FROM profile.outbox ORDER BY id" | mask_times
}
events_of "$admin_direct_db" >"$tmp/direct.events"
events_of "$admin_bouncer_db" >"$tmp/bouncer.events"
n_events=$(wc -l <"$tmp/bouncer.events")
diff "$tmp/direct.events" "$tmp/bouncer.events" >"$tmp/events.diff"
check "the events written through PgBouncer equal the direct ones ($n_events events)" \
  "$([ -s "$tmp/events.diff" ] && echo 1 || [ "$n_events" -ge 25 ]; echo $?)" "$(head -c 600 "$tmp/events.diff")"
check "SET LOCAL in a transaction works through PgBouncer (the traceparent reached the outbox)" \
  "$(grep -q ' 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01$' "$tmp/bouncer.events"; echo $?)"

# ---------- named prepared statements ----------
# PgBouncer 1.18 forwards Parse of a named statement to the server connection of the moment; in
# transaction pooling the next Bind may go to another one (1.21 added max_prepared_statements).
"$calls" --named "host=127.0.0.1 port=$bouncer_port user=topo_app dbname=named" >"$tmp/named.out" 2>&1
check "a named prepared statement fails through PgBouncer 1.18 once the pool changes hands (26000)" \
  "$(grep -q 'another client holds a transaction: error 26000' "$tmp/named.out"; echo $?)" "$(cat "$tmp/named.out")"
"$calls" --named "$direct" >"$tmp/named-direct.out" 2>&1
check "the same named prepared statement works directly" \
  "$(grep -q 'another client holds a transaction: ok' "$tmp/named-direct.out"; echo $?)" "$(cat "$tmp/named-direct.out")"

# ---------- the publisher connects directly ----------
start=$SECONDS
timeout 30 "$publisher" --db "host=127.0.0.1 port=$bouncer_port user=postgres dbname=via_bouncer" \
  --brokers 127.0.0.1:1 >"$tmp/publisher-bouncer.log" 2>&1
rc=$?
took=$((SECONDS - start))
check "the publisher refuses to run through PgBouncer (exit $rc after ${took}s)" \
  "$([ "$rc" != 0 ] && [ "$rc" != 124 ] && [ "$took" -le 10 ]; echo $?)"
check "its message names the pooler and says to connect directly" \
  "$(grep -q 'goes through a connection pooler such as PgBouncer.*point --db at PostgreSQL itself' \
       "$tmp/publisher-bouncer.log"; echo $?)" "$(tail -1 "$tmp/publisher-bouncer.log")"
timeout 4 "$publisher" --db "$admin_bouncer_db" --brokers 127.0.0.1:1 >"$tmp/publisher-direct.log" 2>&1
check "the publisher connected directly passes the same check" \
  "$(grep -q 'msg=db_connected' "$tmp/publisher-direct.log" && ! grep -q pooler "$tmp/publisher-direct.log"; echo $?)" \
  "$(tail -2 "$tmp/publisher-direct.log")"

# ---------- PostgreSQL down: fast failure ----------
# A client connected while PostgreSQL stops, whose next call comes 3 s later.
{ printf 'SELECT 1\n'; sleep 3; printf 'SELECT profile.can_interact(a => $1, b => $2)\t%s\t%s\n' \
    00000000-0000-4000-8000-000000000001 00000000-0000-4000-8000-000000000002; } |
  "$calls" "$via_bouncer" >"$tmp/down-connected.out" 2>&1 &
connected_pid=$!
sleep 1
"$root/scripts/pg-cluster.sh" stop "$tmp/pg" fast || abort "stopping PostgreSQL failed"
t0=$(date +%s%N)
wait "$connected_pid"
ms=$((($(date +%s%N) - t0) / 1000000))
ms=$((ms > 2000 ? ms - 2000 : 0))  # its call started 2 s after the stop
check "PostgreSQL down: a connected client's call fails within 8 s ($ms ms)" \
  "$([ "$ms" -le 8000 ] && grep -q '^connection-lost' "$tmp/down-connected.out"; echo $?)" \
  "$(tail -2 "$tmp/down-connected.out")"
# PgBouncer answers with an ErrorResponse and closes. A simple-protocol query (psql) reads the
# message; an extended-protocol client sees the connection reset instead, because PgBouncer closes
# with the client's Bind/Execute/Sync still unread, so TCP resets and the message is lost: either
# way a connection failure within seconds, which the caller treats like "database down".
for attempt in first second; do
  t0=$(date +%s%N)
  psql -X -At "$via_bouncer" -c "SELECT * FROM profile.get_profile(user_id => '00000000-0000-4000-8000-000000000001')" \
    >"$tmp/down-$attempt.out" 2>&1
  ms=$((($(date +%s%N) - t0) / 1000000))
  log "PostgreSQL down, $attempt new client (simple protocol): $ms ms: $(head -1 "$tmp/down-$attempt.out")"
  check "PostgreSQL down: a new client's call fails within 8 s ($attempt: $ms ms)" "$([ "$ms" -le 8000 ]; echo $?)"
  check "PostgreSQL down: the error says why ($attempt)" \
    "$(grep -qE 'query_wait_timeout|server login has been failing|cannot connect to server' "$tmp/down-$attempt.out"; echo $?)" \
    "$(tr '\n' ' ' <"$tmp/down-$attempt.out")"
done
t0=$(date +%s%N)
printf 'SELECT * FROM profile.get_profile(user_id => $1)\t00000000-0000-4000-8000-000000000001\n' |
  "$calls" "$via_bouncer" >"$tmp/down-extended.out" 2>&1
ms=$((($(date +%s%N) - t0) / 1000000))
check "PostgreSQL down: an extended-protocol call fails as a lost connection within 8 s ($ms ms)" \
  "$([ "$ms" -le 8000 ] && grep -q '^connection-lost' "$tmp/down-extended.out"; echo $?)" \
  "$(tr '\n' ' ' <"$tmp/down-extended.out")"

# ---------- PostgreSQL back ----------
"$root/scripts/pg-cluster.sh" start "$tmp/pg" "$pg_port" --preload || abort "PostgreSQL did not start again"
back() { printf 'SELECT count(*) FROM profile.get_profiles(user_ids => $1)\t{00000000-0000-4000-8000-000000000001}\n' |
  "$calls" "$via_bouncer" 2>/dev/null | grep -qx 1; }
# The first call after a failed login may still get server_login_retry's error: callers retry.
check "calls through PgBouncer work again within 10 s of PostgreSQL's restart" "$(wait_for 10 back; echo $?)"
finish
