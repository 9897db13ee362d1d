#!/usr/bin/env bash
# End-to-end tests of profile-publisher with a real PostgreSQL (the extension
# installed and preloaded) and a real Kafka broker, both throwaway, on free
# loopback ports under a temporary directory. Everything started here is
# stopped on exit. Prints one line per test and "N passed, N failed" last.
#
#   tests/e2e/run.sh [TEST ...]     default: all, in order
#
# Env: BUILD_DIR (default build-pub), KEEP_TMP=1 keeps the temporary directory.
set -uo pipefail

all_tests=(config_errors api_to_kafka late_commit notify_latency kill_publisher broker_outage
           postgres_restart standby_takeover hostile_rows sigterm_flush fatal_producer_error bulk_commit
           prepared_commit traceparent)
tests=("${@:-${all_tests[@]}}")

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
build_and_install
start_infra
metrics_a=$(free_port)
metrics_b=$(free_port)

# ---------- publisher processes ----------
# Fallback poll of 10 s: anything faster than that went through NOTIFY. The
# publisher does not create topics (a missing one is quarantined after 3 s).
# Options after "--" come last and override these.
start_publisher() {  # NAME METRICS_PORT [VAR=VALUE ...] [-- OPTION ...] -> sets pid_NAME
  local name=$1 port=$2; shift 2
  local vars=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  env "${vars[@]}" "$publisher" --db "$db" --brokers "$brokers" --poll-interval 10s --metrics-addr "127.0.0.1:$port" \
    -X allow.auto.create.topics=false -X topic.metadata.propagation.max.ms=3000 "$@" \
    >>"$tmp/publisher-$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  printf -v "pid_$name" '%s' "$pid"
}
metric() {  # PORT NAME -> value or empty
  curl -s --max-time 2 "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n { print $2 }'
}
wait_for() {  # SECONDS COMMAND...: retry the command until it succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -ge $deadline ] && return 1; sleep 0.2; done
}
is_leader() { [ "$(metric "$1" profile_publisher_leader)" = 1 ]; }
leader_port() {  # the metrics port of the publisher that leads now
  local p; for p in "$metrics_a" "$metrics_b"; do is_leader "$p" && { echo "$p"; return; }; done
}
ensure_publisher() {  # some publisher leads (a single test may run alone)
  [ -n "$(leader_port)" ] && return 0
  start_publisher a "$metrics_a"
  wait_for 20 is_leader "$metrics_a"
}
alive() { kill -0 "$1" 2>/dev/null; }
stop_publishers() { local p; for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }

writer_pid=""
write_bg() {  # background API load: OPS RATE SEED
  timeout 300 "$tool" write --db "$db" --users 40 --ops "$1" --rate "$2" --seed "$3" --conns 2 \
    >>"$tmp/writer.log" 2>&1 &
  writer_pid=$!
}
wait_writer() { wait "$writer_pid"; writer_pid=""; tail -1 "$tmp/writer.log" >&2; }
check() { timeout 200 "$tool" check --db "$db" --brokers "$brokers" --topic "${1:-$topic}" --timeout "${2:-120}"; }

# ---------- tests ----------

# Bad options and an unusable database: non-zero exit, one line, no secret.
test_config_errors() {
  local out rc
  out=$("$publisher" --brokers "$brokers" -X no.such.setting=1 2>&1); rc=$?
  [ $rc -ne 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && grep -q 'no.such.setting' <<<"$out" \
    || { log "bad -X: rc=$rc out=$out"; return 1; }
  out=$("$publisher" --brokers "$brokers" --batch-size 0 2>&1); rc=$?
  [ $rc -ne 0 ] && grep -q -- '--batch-size' <<<"$out" || { log "bad batch size: $out"; return 1; }
  out=$(timeout 30 "$publisher" --db "host=127.0.0.1 port=$pg_port user=postgres dbname=no_such_db password=s3cret" \
        --brokers "$brokers" --metrics-addr off 2>"$tmp/stderr" >/dev/null; echo "rc=$?")
  grep -q '^rc=1$' <<<"$out" || { log "missing database: $out"; return 1; }
  grep -v '^ts=' "$tmp/stderr" | grep -q 'does not exist' || { log "no clear line: $(cat "$tmp/stderr")"; return 1; }
  ! grep -q s3cret "$tmp/stderr" || { log "password printed"; return 1; }
  log "config errors exit non-zero with: $(grep -v '^ts=' "$tmp/stderr")"
}

# API calls -> Kafka: everything arrives, key = user id, headers, order per user.
test_api_to_kafka() {
  start_publisher a "$metrics_a"
  wait_for 20 is_leader "$metrics_a" || { log "publisher a never became leader"; return 1; }
  timeout 300 "$tool" write --db "$db" --users 40 --ops 3000 --conns 2 --seed 1 >&2 || return 1
  check
}

# A transaction with a lower outbox id that commits after a higher one.
test_late_commit() {
  ensure_publisher || return 1
  timeout 120 "$tool" late-commit --db "$db" --brokers "$brokers" --topic "$topic"
}

# With a 10 s fallback poll, events arrive well under a second after commit.
test_notify_latency() {
  ensure_publisher || return 1
  timeout 120 "$tool" latency --db "$db" --brokers "$brokers" --topic "$topic" --samples 5 --max-ms 1000
}

# kill -9 mid-stream and restart: nothing lost (duplicates allowed).
test_kill_publisher() {
  write_bg 6000 1500 2
  sleep 1.5
  kill9 "$pid_a"; log "killed publisher a (pid $pid_a) mid-stream"
  sleep 1
  start_publisher a "$metrics_a"
  wait_writer
  check
}

# The broker stops for a while as writes go on; everything arrives, in order.
test_broker_outage() {
  write_bg 3000 400 3
  sleep 1.5
  "$root/scripts/kafka.sh" stop "$tmp/kafka" >/dev/null; log "broker stopped"
  sleep 5
  local pending; pending=$(sql "SELECT count(*) FROM profile.outbox WHERE published_at IS NULL")
  "$root/scripts/kafka.sh" start "$tmp/kafka" "$kafka_port" "$partitions" >/dev/null || { log "broker restart failed"; return 1; }
  log "broker started again ($pending rows were pending)"
  [ "$pending" -gt 0 ] || { log "no rows waited for the broker: the outage was not exercised"; return 1; }
  wait_writer
  alive "$pid_a" || { log "publisher died during the outage"; return 1; }
  check "$topic" 180
}

# PostgreSQL restarts (immediate shutdown): the publisher reconnects and goes on.
test_postgres_restart() {
  local before; before=$(metric "$metrics_a" profile_publisher_db_reconnects_total)
  write_bg 3000 500 4
  sleep 1.5
  "$root/scripts/pg-cluster.sh" restart "$tmp/pg" immediate || { log "restart failed"; return 1; }
  log "PostgreSQL restarted"
  wait_writer
  wait_for 30 is_leader "$metrics_a" || { log "publisher did not lead again"; return 1; }
  alive "$pid_a" || { log "publisher exited"; return 1; }
  local after; after=$(metric "$metrics_a" profile_publisher_db_reconnects_total)
  [ "${after:-0}" -gt "${before:-0}" ] || { log "no reconnect counted ($before -> $after)"; return 1; }
  check
}

# Two publishers: one leads; kill -9 it and the other takes over within seconds.
test_standby_takeover() {
  start_publisher b "$metrics_b"
  sleep 3
  local la lb; la=$(metric "$metrics_a" profile_publisher_leader); lb=$(metric "$metrics_b" profile_publisher_leader)
  [ "$la$lb" = 10 ] || { log "expected a=1 b=0, got a=$la b=$lb"; return 1; }
  write_bg 4000 800 5
  sleep 1
  kill9 "$pid_a"; local t0=$SECONDS; log "killed leader a"
  wait_for 20 is_leader "$metrics_b" || { log "standby b never took over"; return 1; }
  log "standby b took over after $((SECONDS - t0)) s"
  wait_writer
  check || return 1
  # b stays the publisher for the rest; a comes back as a standby.
  start_publisher a "$metrics_a"
  sleep 2
  [ "$(metric "$metrics_a" profile_publisher_leader)" = 0 ] || { log "a should be a standby"; return 1; }
}

# Hostile rows: quarantined with a clear error, other users keep flowing,
# the quarantined user's later rows wait, and a re-drive publishes in order.
test_hostile_rows() {
  ensure_publisher || return 1
  local k1=11111111-1111-4111-8111-111111111111 k2=22222222-2222-4222-8222-222222222222
  local k3=33333333-3333-4333-8333-333333333333
  ev() {  # KEY VERSION -> a payload in the contract's shape
    printf '{"event_id":"%s","event_type":"ProfileUpdated","user_id":"%s","version":%s,"occurred_at":"2026-01-01T00:00:0%sZ","data":{}}' \
      "$(cat /proc/sys/kernel/random/uuid)" "$1" "$2" "$2"
  }
  sql "INSERT INTO profile.outbox (topic, key, payload) VALUES
        ('$topic', '$k1', jsonb_build_object('event_id', gen_random_uuid(), 'event_type', 'ProfileUpdated',
           'user_id', '$k1', 'version', 1, 'occurred_at', '2026-01-01T00:00:01Z',
           'data', jsonb_build_object('blob', repeat('x', 2 * 1024 * 1024)))),
        ('$topic', '$k1', '$(ev $k1 2)'),
        ('bad topic!', '$k2', '$(ev $k2 1)'),
        ('$topic', '$k2', '$(ev $k2 2)'),
        ('profile.missing', '$k3', '$(ev $k3 1)'),
        ('profile.missing', '$k3', '$(ev $k3 2)'),
        ('$topic', '', '$(ev 44444444-4444-4444-8444-444444444444 1)')" || return 1
  # A non-UTF-8 key cannot even be stored: the database refuses it.
  if sql "INSERT INTO profile.outbox (topic, key, payload) VALUES ('$topic', convert_from('\\xff'::bytea, 'UTF8'), '{}')" 2>/dev/null; then
    log "a non-UTF-8 key was accepted"; return 1
  fi
  timeout 300 "$tool" write --db "$db" --users 20 --ops 500 --conns 2 --seed 6 >&2 || return 1
  check || return 1
  quarantined() { [ "$(sql "SELECT count(*) FROM profile.outbox WHERE quarantined_at IS NOT NULL")" = 4 ]; }
  wait_for 60 quarantined || { log "not all 4 hostile rows quarantined"; sql "SELECT id, topic, left(key, 8), last_error FROM profile.outbox WHERE published_at IS NULL" >&2; return 1; }
  local errors; errors=$(sql "SELECT key || ' | ' || last_error FROM profile.outbox WHERE quarantined_at IS NOT NULL ORDER BY id")
  log "quarantined:"$'\n'"$errors"
  grep -q "$k1 | .*larger than message.max.bytes" <<<"$errors" || { log "2 MB payload: unclear error"; return 1; }
  grep -q "$k2 | topic name has a character" <<<"$errors" || { log "bad topic: unclear error"; return 1; }
  grep -q "$k3 | kafka: _UNKNOWN_TOPIC: Local: Unknown topic" <<<"$errors" || { log "missing topic: unclear error"; return 1; }
  grep -q "^ | key is empty" <<<"$errors" || { log "empty key: unclear error"; return 1; }
  local held; held=$(sql "SELECT count(*) FROM profile.outbox WHERE key IN ('$k1', '$k2', '$k3') AND published_at IS NULL AND quarantined_at IS NULL")
  [ "$held" = 3 ] || { log "expected 3 held-back rows, got $held"; return 1; }
  "$publisher" quarantined --db "$db" >"$tmp/quarantined.txt" 2>/dev/null || { log "quarantined command failed"; return 1; }
  [ "$(grep -c . "$tmp/quarantined.txt")" = 5 ] || { log "quarantined listing: $(cat "$tmp/quarantined.txt")"; return 1; }
  local q; q=$(metric "$(leader_port)" profile_publisher_quarantined_total)
  [ "${q:-0}" -ge 4 ] || { log "quarantined_total=$q"; return 1; }

  # The operator creates the missing topic and re-drives: both rows of k3 go out, in order.
  "$root/scripts/kafka.sh" create-topic "$kafka_port" profile.missing "$partitions" >/dev/null || return 1
  local id3; id3=$(sql "SELECT id FROM profile.outbox WHERE key = '$k3' AND quarantined_at IS NOT NULL")
  "$publisher" redrive --db "$db" --id "$id3" >&2 || { log "redrive failed"; return 1; }
  published3() { [ "$(sql "SELECT count(*) FROM profile.outbox WHERE key = '$k3' AND published_at IS NOT NULL")" = 2 ]; }
  wait_for 60 published3 || { log "re-driven rows not published: $(sql "SELECT id, published_at, last_error FROM profile.outbox WHERE key = '$k3'")"; return 1; }
  check profile.missing 60
}

# SIGTERM: stop taking rows, flush, mark, exit 0 within the flush bound.
test_sigterm_flush() {
  write_bg 2000 1000 7
  sleep 1
  local t0=$SECONDS
  kill -TERM "$pid_b"
  local rc=0; wait "$pid_b" || rc=$?
  log "publisher b exited with $rc after $((SECONDS - t0)) s"
  [ $rc -eq 0 ] || return 1
  [ $((SECONDS - t0)) -le 15 ] || { log "flush took too long"; return 1; }
  grep -q 'msg=stopped' "$tmp/publisher-b.log" || { log "no stopped line"; return 1; }
  wait_for 20 is_leader "$metrics_a" || { log "a did not take over after b stopped"; return 1; }
  wait_writer
  check
}

# A fatal producer error (injected through librdkafka's test hook): the
# publisher replaces its producer and goes on, nothing lost, order kept.
test_fatal_producer_error() {
  stop_publishers
  start_publisher f "$metrics_a" PROFILE_PUBLISHER_TEST_FATAL_AFTER=700
  wait_for 20 is_leader "$metrics_a" || { log "publisher f never became leader"; return 1; }
  timeout 300 "$tool" write --db "$db" --users 40 --ops 3000 --conns 2 --seed 8 >&2 || return 1
  check || return 1
  alive "$pid_f" || { log "publisher f exited"; return 1; }
  local restarts; restarts=$(metric "$metrics_a" profile_publisher_producer_restarts_total)
  [ "${restarts:-0}" -ge 1 ] || { log "no producer replaced (restarts=$restarts)"; return 1; }
  grep -q 'msg=producer_replaced' "$tmp/publisher-f.log" || return 1
  log "producer replaced $restarts time(s) after the injected fatal error"
}

# One transaction writes far more events than --batch-size while other users'
# writes commit, so the publisher reads past its ids and reads them later in
# parts; once it commits, each of its users writes again. Every user's events
# arrive in order, without waiting for the minute's rescan from the bottom.
test_bulk_commit() {
  stop_publishers
  start_publisher k "$metrics_a" -- --batch-size 50
  wait_for 20 is_leader "$metrics_a" || { log "publisher k never became leader"; return 1; }
  "$root/scripts/kafka.sh" create-topic "$kafka_port" profile.bulk "$partitions" >/dev/null || return 1
  local bulk_db="$db options='-crealchat_profile.topic=profile.bulk'"
  timeout 120 "$tool" bulk --db "$bulk_db" --users 600 --seed 31 >&2 || return 1
  local t0=$SECONDS
  published() { [ "$(sql "SELECT count(*) FROM profile.outbox WHERE topic = 'profile.bulk' AND published_at IS NULL")" = 0 ]; }
  wait_for 90 published || { log "rows of profile.bulk still pending after 90 s"; return 1; }
  log "profile.bulk published $((SECONDS - t0)) s after the last write"
  check profile.bulk 60 || return 1
  local out rc=0
  out=$(timeout 120 "$event_checker" --brokers "$brokers" --topic profile.bulk --expect-from-db "$db" --timeout 60) || rc=$?
  printf '%s\n' "$out" | tail -3 >&2
  [ $rc -eq 0 ] || { log "event-checker: exit $rc"; return 1; }
  [ $((SECONDS - t0)) -lt 30 ] || { log "published only after $((SECONDS - t0)) s: the rescan, not the reads, found them"; return 1; }
}

# A COMMIT PREPARED sends no NOTIFY. With a 30 s fallback poll the event of a
# prepared transaction still reaches Kafka within 2 s of its commit. The
# publisher logs in with the profile_publisher role of scripts/create-roles.sql:
# finding prepared writers in pg_locks needs no further grant.
test_prepared_commit() {
  stop_publishers
  sql "ALTER SYSTEM SET max_prepared_transactions = 5" || return 1
  "$root/scripts/pg-cluster.sh" restart "$tmp/pg" fast || { log "restart failed"; return 1; }
  psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d e2e -f "$root/scripts/create-roles.sql" >/dev/null || return 1
  sql "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'e2e_publisher') THEN
         CREATE ROLE e2e_publisher LOGIN IN ROLE profile_publisher; END IF; END \$\$" || return 1
  start_publisher p "$metrics_a" -- --poll-interval 30s --db "host=127.0.0.1 port=$pg_port user=e2e_publisher dbname=e2e"
  wait_for 20 is_leader "$metrics_a" || { log "publisher p never became leader"; return 1; }
  timeout 120 "$tool" prepared --db "$db" --brokers "$brokers" --topic "$topic" --hold-ms 3000 --max-ms 2000
}

# A writer's W3C trace context reaches Kafka as the traceparent header; an untraced
# event has none (check compares every message's header with its outbox row).
test_traceparent() {
  ensure_publisher || return 1
  local u=7e000000-0000-4000-8000-000000000001 tp=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
  sql "SELECT profile.create_profile('$u', 'traced_e2e', 'Traced')" >/dev/null || return 1
  sql "BEGIN; SET LOCAL realchat_profile.traceparent = '$tp';
       SELECT profile.set_custom_status('$u', 'Traced'); COMMIT;" >/dev/null || return 1
  [ "$(sql "SELECT count(*) FROM profile.outbox WHERE key = '$u' AND traceparent = '$tp'")" = 1 ] || return 1
  check
}

# ---------- run ----------
passed=0; failed=0; failures=()
for t in "${tests[@]}"; do
  declare -F "test_$t" >/dev/null || die "no test $t (have: ${all_tests[*]})"
  log "---- $t"
  if "test_$t"; then
    passed=$((passed + 1)); printf 'PASS %s\n' "$t"
  else
    failed=$((failed + 1)); failures+=("$t"); printf 'FAIL %s\n' "$t"
    for f in "$tmp"/publisher-*.log; do [ -f "$f" ] && { log "tail of $f:"; tail -15 "$f" >&2; }; done
  fi
done
[ $failed -eq 0 ] || log "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
