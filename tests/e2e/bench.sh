#!/usr/bin/env bash
# Throughput of profile-publisher draining a backlog with --once, against a
# throwaway PostgreSQL (fsync on, extension preloaded) and a real Kafka broker.
# The backlog is made through the API: USERS create_profile calls, then
# set_status/update_profile calls up to EVENTS events. Afterwards the
# checker reads the whole topic and compares it with the table.
#
#   tests/e2e/bench.sh [EVENTS] [USERS]      default 300000 events, 20000 users
#
# Prints rows/s (wall clock from start to exit of the publisher) and the CPU
# the publisher used. On a shared machine, look at the load average it prints.
# PUBLISHER_ARGS adds options to the publisher's command line.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

events=${1:-300000}
users=${2:-20000}
[ "$events" -ge "$users" ] || die "EVENTS must be at least USERS"

build_and_install
start_infra --bench

log "making a backlog of $events events for $users users through the API"
per_user=$(( (events - users + users - 1) / users ))
sql "CREATE TEMP TABLE u AS SELECT gen_random_uuid() AS id, g FROM generate_series(1, $users) g;
     SELECT count(*) FROM u, LATERAL profile.create_profile(user_id => u.id, username => 'bench' || g, display_name => 'Bench ' || g) p;
     SELECT count(*) FROM (SELECT u.id, s FROM u, generate_series(1, $per_user) s ORDER BY s, u.g
                           LIMIT $events - $users) x,
       LATERAL profile.update_profile(user_id => x.id, display_name => 'Updated ' || x.s) p;" >/dev/null \
  || die "backlog failed"
sql "VACUUM ANALYZE profile.outbox" >/dev/null
pending=$(sql "SELECT pending FROM profile.outbox_stats()")
log "backlog: $pending pending rows, average payload $(sql "SELECT round(avg(octet_length(payload::text))) FROM profile.outbox") bytes"

log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$tmp/cpu" "$publisher" --db "$db" --brokers "$brokers" --once --metrics-addr off ${PUBLISHER_ARGS:-} \
  2>"$tmp/publisher.log" || { tail "$tmp/publisher.log" >&2; die "publisher failed"; }
end=$(date +%s.%N)
published=$(grep -o 'caught_up published_total=[0-9]*' "$tmp/publisher.log" | cut -d= -f2)
left=$(sql "SELECT pending FROM profile.outbox_stats()")
read -r user_s sys_s <"$tmp/cpu"
awk -v n="$published" -v s="$start" -v e="$end" -v u="$user_s" -v y="$sys_s" -v l="$left" 'BEGIN {
  printf "bench: published=%d pending_after=%d seconds=%.2f rate=%.0f rows/s publisher_cpu=%.2fs (%.1f us/row)\n",
         n, l, e - s, n / (e - s), u + y, (u + y) * 1e6 / n }'
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
timeout 600 "$tool" check --db "$db" --brokers "$brokers" --topic "$topic" --timeout 300
