#!/usr/bin/env bash
# bench/run.sh: the benchmark suite (issue 5); see bench/README.md.
#
#   bench/run.sh [--quick] [--rounds N] [--duration SECONDS] [--only SECTIONS] [--keep] [--out FILE]
#
#   --quick        one round of 3 s per measurement and a 100,000-row publisher backlog
#                  (a few minutes); the default (full) is 3 rounds of 10 s and 1,000,000 rows
#   --rounds N     interleaved rounds per measurement (the median is reported)
#   --duration S   seconds per pgbench run
#   --only LIST    comma-separated sections: write, read, expiry, search, notify, publisher (default: all)
#   --scenarios L  only these scenarios of the write and read sections (e.g. heartbeat,update_profile)
#   --keep         keep the work directory (clusters, logs, raw results) for inspection
#   --out FILE     also write the summary (markdown) to FILE
#   --profile      also sample every process with perf during one more run of update_profile
#                  and get_profile (extension and baseline, 8 clients), the full drain and the
#                  1,000 events/s latency run; where the CPU went, by process and by function,
#                  goes to WORKDIR/profile-*.txt (use with --keep)
#
# Starts its own PostgreSQL 15 cluster (fsync on, extension preloaded) on a free port of
# 127.0.0.1, and a Kafka broker for the publisher section; stops them on exit. Every
# comparison runs side by side in this one script, variants interleaved round by round,
# and is reported as a ratio to its baseline, since absolute numbers drift on a shared machine.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/lib.sh

mode=full
rounds=3
duration=10
backlog=1000000
sections="write,read,expiry,search,notify,publisher"
scenarios=""
keep=0
profile=0
out=""
users=200000
owners=20
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick; rounds=1; duration=3; backlog=100000 ;;
    --full) mode=full ;;
    --rounds) rounds=${2:?}; shift ;;
    --duration) duration=${2:?}; shift ;;
    --only) sections=${2:?}; shift ;;
    --scenarios) scenarios=${2:?}; shift ;;
    --keep) keep=1 ;;
    --profile) profile=1 ;;
    --out) out=${2:?}; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ "$rounds" =~ ^[1-9][0-9]?$ ]] || { echo "bench: --rounds must be 1..99" >&2; exit 2; }
[[ "$duration" =~ ^[1-9][0-9]{0,2}$ ]] || { echo "bench: --duration must be 1..999 seconds" >&2; exit 2; }
has() { [[ ",$sections," == *",$1,"* ]]; }
want() { [ -z "$scenarios" ] || [[ ",$scenarios," == *",$1,"* ]]; }

bash scripts/install-deps.sh >/dev/null
install_extension

work=$(make_workdir realchat-bench)
pgdir="$work/pg"
port=$(free_port)
results="$work/results.tsv"
summary="$work/summary.md"
bg_pids=()
kafka_dir=""
cleanup() {
  local rc=$?
  for pid in "${bg_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "$kafka_dir" ] && scripts/kafka.sh stop "$kafka_dir" >/dev/null 2>&1
  scripts/pg-cluster.sh stop "$pgdir" immediate >/dev/null 2>&1
  if [ "$keep" -eq 1 ]; then echo "bench: kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
q() { timeout 900 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d bench "$@"; }
qv() { q -At "$@"; }

log "mode $mode: $rounds round(s) of ${duration}s per measurement; work dir $work"
scripts/pg-cluster.sh start "$pgdir" "$port" --preload --bench
psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE bench"
q -c "CREATE EXTENSION realchat_profile CASCADE" -f bench/setup.sql -f bench/plpgsql_twin.sql
q -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" 2>/dev/null || true

printf 'section\tscenario\tclients\tvariant\tround\tvalue\tcpu_us\n' >"$results"
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "${7:-}" >>"$results"; }

# --- data -------------------------------------------------------------------------------
t0=$(date +%s.%N)
q -c "CALL bench.populate($users, $owners)"
t1=$(date +%s.%N)
q -c "CALL bench.copy_to_mirrors()"
t2=$(date +%s.%N)
# Runs are separated by an explicit VACUUM and CHECKPOINT; autovacuum workers starting in the
# middle of some runs and not others would only add noise.
for t in profile.profiles profile.contacts profile.outbox raw.profiles raw.contacts raw.outbox \
         twin.profiles twin.contacts twin.outbox; do
  q -c "ALTER TABLE $t SET (autovacuum_enabled = off)"
done
populate_s=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
copy_s=$(python3 -c "print(f'{$t2 - $t1:.1f}')")
events=$(qv -c "SELECT count(*) FROM profile.outbox")
log "populated $users users and $((owners * 1000)) contacts through the triggers in ${populate_s}s ($events events); mirrors copied in ${copy_s}s"
record setup populate 1 rows_per_s 1 "$(python3 -c "print(round($events / ($t1 - $t0)))")"
record setup populate 1 seconds 1 "$populate_s"

# Every measured run starts from the same state: empty outboxes, vacuumed tables, a checkpoint.
reset_state() {
  q -c "TRUNCATE profile.outbox, raw.outbox, twin.outbox" \
    -c "VACUUM profile.profiles, profile.contacts, raw.profiles, raw.contacts, twin.profiles, twin.contacts" \
    -c "CHECKPOINT"
}

# Server CPU: the postmaster's cutime+cstime grows by the CPU of every backend it reaps, so
# its growth across a pgbench run is the CPU the run's backends used (pgbench's own is not
# in it). On a shared machine this is steadier than tps, which others' load moves.
server_cpu_ticks() {
  local pm
  pm=$(head -1 "$pgdir/postmaster.pid")
  awk '{print $16 + $17}' "/proc/$pm/stat"
}

# pgb CLIENTS SCRIPT: one pgbench measurement; prints "TPS CPU_US_PER_TRANSACTION".
pgb() {
  local clients=$1 script=$2 threads logf cpu0 cpu1 tps txns
  threads=$((clients < 2 ? 1 : 2))
  logf="$work/pgbench-${script%.sql}-c$clients.log"
  cpu0=$(server_cpu_ticks)
  if ! timeout $((duration + 120)) pgbench -n -M prepared -c "$clients" -j "$threads" -T "$duration" \
      -h 127.0.0.1 -p "$port" -U postgres \
      -D users="$users" -D owners="$owners" -D first=$((owners + 1)) \
      -f "bench/sql/$script" bench >"$logf" 2>&1; then
    tail -20 "$logf" >&2
    echo "bench: pgbench failed on $script with $clients clients" >&2
    return 1
  fi
  # Let the postmaster reap the backends (bounded wait).
  for _ in $(seq 1 50); do
    [ "$(pgrep -c -P "$(head -1 "$pgdir/postmaster.pid")" -f "postgres: postgres bench" || true)" = 0 ] && break
    sleep 0.1
  done
  cpu1=$(server_cpu_ticks)
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$logf" | tail -1)
  txns=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$logf" | tail -1)
  python3 -c "print(f'{$tps:.1f}', f'{($cpu1 - $cpu0) * 1e6 / $(getconf CLK_TCK) / max($txns, 1):.0f}')"
}

# measure SECTION SCENARIO CLIENTS VARIANT ROUND SCRIPT
measure() {
  local res
  reset_state
  res=$(pgb "$3" "$6")
  record "$1" "$2" "$3" "$4" "$5" "${res% *}" "${res#* }"
  log "$1 $2 c=$3 $4 round $5: ${res% *} tps, ${res#* } us server CPU per transaction"
}

# --- write path -------------------------------------------------------------------------
if has write; then
  log "write path: extension vs PL/pgSQL twin vs raw-SQL floor, -M prepared"
  for round in $(seq 1 "$rounds"); do
    for clients in 1 8 32; do
      want update_profile && for v in ext noset twin raw; do
        measure write update_profile "$clients" "$v" "$round" "write_update_profile_$v.sql"
      done
      want set_status && for v in ext twin raw; do
        measure write set_status "$clients" "$v" "$round" "write_set_status_$v.sql"
      done
      want add_remove_contact && for v in ext twin raw; do
        measure write add_remove_contact "$clients" "$v" "$round" "write_contacts_$v.sql"
      done
      want heartbeat && for v in ext raw; do
        measure write heartbeat "$clients" "$v" "$round" "write_heartbeat_$v.sql"
      done
    done
  done
fi

# --- read path --------------------------------------------------------------------------
if has read; then
  # The viewer reads meet every rule: a quarter of the users show presence to contacts only
  # (a probe of their contacts per read), one in sixteen to nobody (reciprocity for viewers).
  q -c "UPDATE profile.profiles SET presence_audience = CASE WHEN right(user_id::text, 1) IN ('0', '1', '2', '3')
                                                              THEN 'contacts'::profile.audience ELSE 'nobody' END
        WHERE right(user_id::text, 1) IN ('0', '1', '2', '3', '4')"
  log "read path: extension vs the plain SELECT returning the same rows"
  for round in $(seq 1 "$rounds"); do
    for clients in 1 8; do
      want get_profile && for v in ext noset plain; do
        measure read get_profile "$clients" "$v" "$round" "read_get_profile_$v.sql"
      done
      want get_profiles_100 && for v in ext plain; do
        measure read get_profiles_100 "$clients" "$v" "$round" "read_get_profiles_$v.sql"
      done
      want list_contacts_1000 && for v in ext plain; do
        measure read list_contacts_1000 "$clients" "$v" "$round" "read_list_contacts_$v.sql"
      done
      want get_profile_viewer && for v in ext plain; do
        measure read get_profile_viewer "$clients" "$v" "$round" "read_get_profile_viewer_$v.sql"
      done
      want get_profiles_100_viewer && for v in ext plain; do
        measure read get_profiles_100_viewer "$clients" "$v" "$round" "read_get_profiles_viewer_$v.sql"
      done
      want relationships_100 && for v in ext plain; do
        measure read relationships_100 "$clients" "$v" "$round" "read_relationships_$v.sql"
      done
    done
  done
fi

# --- expiry -----------------------------------------------------------------------------
# run_expiry() on 100,000 users who all went idle at once (users 100,001..200,000 online, last
# active 20 minutes ago, away_after 10 minutes): its events/s, and the throughput of 8
# update_profile clients (any user, so half of them are among the idle) while it runs, against
# the same clients with nothing else running, interleaved round by round. Two ways to run it:
# one run_expiry() call (one transaction, every batch in it), and the background worker of a
# preloaded library (a transaction per batch of 500), which production uses.
if has expiry; then
  idle_from=$((users / 2 + 1))
  q -c "ALTER DATABASE bench SET realchat_profile.away_after = '10min'" \
    -c "ALTER DATABASE bench SET realchat_profile.offline_after = '1h'"
  # arm_idle: the idle users online, then their last activity 20 minutes back (the trigger keeps
  # a last_seen set by hand that is not in the future); no event from the second step.
  arm_idle() {
    q -c "UPDATE profile.profiles SET status = 'online' WHERE user_id >= bench.uid($idle_from) AND status <> 'online'" \
      -c "DELETE FROM profile.presence_state" \
      -c "UPDATE profile.profiles SET last_seen = now() - interval '20 minutes' WHERE user_id >= bench.uid($idle_from)"
    reset_state
  }
  expiry_worker() { # expiry_worker on|off: the preloaded library's worker in this database, or not
    if [ "$1" = on ]; then
      q -c "ALTER SYSTEM SET realchat_profile.expiry_databases = 'bench'" -c "ALTER SYSTEM SET realchat_profile.expiry_interval = '200ms'"
    else
      q -c "ALTER SYSTEM RESET realchat_profile.expiry_databases" -c "ALTER SYSTEM RESET realchat_profile.expiry_interval"
    fi
    q -c "SELECT pg_reload_conf()" >/dev/null
  }
  away_count() { qv -c "SELECT count(*) FROM profile.profiles WHERE user_id >= bench.uid($idle_from) AND status = 'away'"; }
  idle_n=$((users - idle_from + 1))
  # At most 2 rounds: each re-arms the idle users three times (a minute or two). The writers run
  # for at least 10 s, starting half a second after the expiry does, so their whole run overlaps it
  # (100,000 changes take tens of seconds here).
  expiry_s=$((duration > 10 ? duration : 10))
  log "expiry: $idle_n idle users; 8 update_profile clients with and without expiry running"
  for round in $(seq 1 $((rounds < 2 ? rounds : 2))); do
    arm_idle
    duration=$expiry_s measure expiry update_profile_during 8 none "$round" write_update_profile_ext.sql
    for how in call worker; do
      arm_idle
      t0=$(date +%s.%N)
      if [ "$how" = call ]; then
        (qv -c "SELECT sum(count) FROM profile.run_expiry()" >"$work/expiry-$how.out"; date +%s.%N >"$work/expiry-$how.end") &
      else
        (expiry_worker on
         for _ in $(seq 1 600); do [ "$(away_count)" -ge "$idle_n" ] && break; sleep 0.5; done
         date +%s.%N >"$work/expiry-$how.end") &
      fi
      bg=$!
      bg_pids+=("$bg")
      sleep 0.5
      res=$(duration=$expiry_s pgb 8 write_update_profile_ext.sql)
      wait "$bg"
      [ "$how" = worker ] && expiry_worker off
      t1=$(cat "$work/expiry-$how.end")
      away=$(away_count)
      [ "$away" -eq "$idle_n" ] || log "expiry $how round $round: only $away of $idle_n users went away"
      record expiry update_profile_during 8 "$how" "$round" "${res% *}" "${res#* }"
      record expiry events_per_s 0 "$how" "$round" "$(python3 -c "print(round($away / ($t1 - $t0)))")"
      record expiry seconds 0 "$how" "$round" "$(python3 -c "print(f'{$t1 - $t0:.1f}')")"
      log "expiry $how round $round: $away users away in $(python3 -c "print(f'{$t1 - $t0:.1f}')")s; writers ${res% *} tps meanwhile"
    done
  done
  q -c "ALTER DATABASE bench RESET realchat_profile.away_after" -c "ALTER DATABASE bench RESET realchat_profile.offline_after"
fi

# --- search -----------------------------------------------------------------------------
# search_profiles latency over 1,000,000 profiles (200,000 with --quick): the users beyond the
# populated ones are "<first>_<surname><n>" with display names "<First> <Surname> <n>", so a
# display-name query matches a few hundred rows and a 3-character username prefix ("use",
# "ada", "gra", ...) 100,000 or more. Two workloads: the mix of bench/sql/search_profiles.sql
# (8-character username prefixes and display-name queries), and the first 3 characters of a
# random user's username (bench/sql/search_prefix3.sql). p50 and p99 of every transaction's
# latency (pgbench --log); the plans of the function's two queries go into the summary.
if has search; then
  search_users=$([ "$mode" = quick ] && echo "$users" || echo 1000000)
  q -c "CREATE FUNCTION bench.surname(k int) RETURNS text LANGUAGE sql IMMUTABLE AS
          \$\$ SELECT (ARRAY['Lovelace', 'Hopper', 'Turing', 'Noether', 'Curie', 'Germain', 'Franklin',
                               'Meitner', 'Goodall', 'Liskov'])[1 + k % 10] \$\$" \
    -c "CREATE FUNCTION bench.first_name(i int) RETURNS text LANGUAGE sql IMMUTABLE AS
          \$\$ SELECT (ARRAY['Ada', 'Grace', 'Alan', 'Emmy', 'Marie', 'Sophie', 'Rosalind', 'Lise'])[1 + i % 8] \$\$" \
    -c "CREATE FUNCTION bench.prefix3(i int) RETURNS text LANGUAGE sql IMMUTABLE AS
          \$\$ SELECT CASE WHEN i <= $users THEN 'use' ELSE lower(left(bench.first_name(i), 3)) END \$\$"
  if [ "$search_users" -gt "$users" ]; then
    t0=$(date +%s.%N)
    q -c "INSERT INTO profile.profiles (user_id, username, display_name)
          SELECT bench.uid(i), lower(bench.first_name(i) || '_' || bench.surname(i / 8)) || i,
                 bench.first_name(i) || ' ' || bench.surname(i / 8) || ' ' || (i % 1000)
          FROM generate_series($users + 1, $search_users) i"
    log "search: $((search_users - users)) more profiles in $(python3 -c "print(f'{$(date +%s.%N) - $t0:.0f}')")s"
  fi
  q -c "VACUUM ANALYZE profile.profiles"
  # The plans the function runs (its two queries, as prepared with a parameter), with timings.
  { for query in use ada 'Lovelace 123'; do
      echo "search_profiles('$query'): usernames starting with it, then (only if fewer than the limit) display names"
      q -At -c "PREPARE prefix(text) AS SELECT p.user_id FROM profile.profiles p
                  WHERE lower(p.username) ~>=~ lower(\$1) AND lower(p.username) ~<~ (lower(\$1) || chr(1114111))
                  ORDER BY lower(p.username) USING ~<~ LIMIT 64" \
            -c "EXPLAIN (ANALYZE, COSTS OFF) EXECUTE prefix('$query')" \
            -c "PREPARE names(text) AS SELECT p.user_id FROM profile.profiles p
                  WHERE lower(p.display_name) LIKE '%' || lower(\$1) || '%'
                    AND NOT (lower(p.username) ~>=~ lower(\$1) AND lower(p.username) ~<~ (lower(\$1) || chr(1114111)))
                  ORDER BY similarity(lower(p.display_name), lower(\$1)) DESC, lower(p.username), p.user_id LIMIT 64" \
            -c "EXPLAIN (ANALYZE, COSTS OFF) EXECUTE names('$query')" | sed 's/^/    /'
    done; } >"$work/search-explain.txt"
  for clients in 1 8; do
    for round in $(seq 1 "$rounds"); do
      for workload in mixed prefix3; do
        script=$([ "$workload" = mixed ] && echo search_profiles.sql || echo search_prefix3.sql)
        rm -f "$work"/search_log.*
        threads=$((clients < 2 ? 1 : 2))
        (cd "$work" && timeout $((duration + 120)) pgbench -n -M prepared -c "$clients" -j "$threads" -T "$duration" \
           -h 127.0.0.1 -p "$port" -U postgres -D users="$search_users" -l --log-prefix=search_log \
           -f "$root/bench/sql/$script" bench >"$work/pgbench-search-c$clients.log" 2>&1) \
          || { tail -20 "$work/pgbench-search-c$clients.log" >&2; exit 1; }
        read -r p50 p99 < <(cat "$work"/search_log.* | python3 -c "
import sys
v = sorted(int(l.split()[2]) for l in sys.stdin if l.strip())
print(f'{v[len(v) // 2] / 1000:.2f}', f'{v[min(len(v) - 1, int(len(v) * 0.99))] / 1000:.2f}')")
        record search "search_$workload" "$clients" p50_ms "$round" "$p50"
        record search "search_$workload" "$clients" p99_ms "$round" "$p99"
        log "search $workload c=$clients round $round: p50 ${p50} ms, p99 ${p99} ms"
      done
    done
  done
fi

# --- profiles of the calls that miss their targets ---------------------------------------
# One more run of each side of a comparison under perf (8 clients), not counted in the figures.
if [ "$profile" -eq 1 ]; then
  WORK=$work PROFILE=1
  . bench/perf.sh
  for pair in write:write_update_profile_ext write:write_update_profile_raw \
              read:read_get_profile_ext read:read_get_profile_plain; do
    has "${pair%%:*}" || continue
    reset_state
    perf_start "${pair#*:}"
    pgb 8 "${pair#*:}.sql" >/dev/null
    perf_stop
  done
fi

# --- NOTIFY -----------------------------------------------------------------------------
# Preloaded: writers NOTIFY only when a publisher asked (none here, so never); not preloaded:
# every writing transaction NOTIFYs. The raw floor with and without pg_notify shows the
# same cost without the extension.
set_preload() { # set_preload on|off: restart the cluster with or without the library preloaded
  # The last setting in postgresql.conf wins; ALTER SYSTEM cannot write an empty list.
  sed -i '/# bench: not preloaded$/d' "$pgdir/postgresql.conf"
  [ "$1" = on ] || echo "shared_preload_libraries = ''  # bench: not preloaded" >>"$pgdir/postgresql.conf"
  scripts/pg-cluster.sh restart "$pgdir" fast
  q -c "SELECT pg_prewarm(c) FROM unnest(ARRAY['profile.profiles', 'profile.profiles_pkey', 'raw.profiles', 'raw.profiles_pkey']::regclass[]) c" >/dev/null 2>&1 || true
  [ "$(qv -c "SELECT preloaded FROM profile.wakeup_stats()")" = "$([ "$1" = on ] && echo t || echo f)" ] \
    || { echo "bench: preload state is not $1 after restart" >&2; return 1; }
}
if has notify; then
  log "NOTIFY: 32 writers, extension preloaded vs not, raw SQL with and without pg_notify"
  for round in $(seq 1 "$rounds"); do
    for preload in on off; do
      set_preload "$preload"
      label=$([ "$preload" = on ] && echo preloaded || echo not_preloaded)
      measure notify update_profile 32 "ext_$label" "$round" write_update_profile_ext.sql
      measure notify update_profile 32 "raw_$label" "$round" write_update_profile_raw.sql
      measure notify update_profile 32 "raw_notify_$label" "$round" write_update_profile_raw_notify.sql
    done
  done
  set_preload on
fi

# --- publisher --------------------------------------------------------------------------
if has publisher; then
  if [ -x bench/publisher.sh ]; then
    PORT="$port" PGDIR="$pgdir" WORK="$work" RESULTS="$results" BACKLOG="$backlog" DURATION="$duration" ROUNDS="$rounds" PROFILE="$profile" \
      bash bench/publisher.sh || { log "publisher section failed"; record publisher status 0 failed 1 1; }
  else
    record publisher status 0 missing 1 1
  fi
fi

# --- summary ----------------------------------------------------------------------------
machine="$(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/summarize.py "$results" "$mode" "$rounds" "$duration" "$machine" >"$summary"
if [ -s "$work/search-explain.txt" ]; then
  { echo "## search_profiles plans (EXPLAIN ANALYZE of its two queries)"; echo; cat "$work/search-explain.txt"; echo; } >>"$summary"
fi
cat "$summary"
if [ -n "$out" ]; then
  cp "$summary" "$out"
  cp "$results" "$out.tsv"
fi
