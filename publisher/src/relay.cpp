#include "relay.h"

#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <unordered_set>

#include "conninfo.h"
#include "delivery_errors.h"
#include "log.h"

namespace publisher {

volatile std::sig_atomic_t g_stop_requested = 0;

namespace {

constexpr std::chrono::seconds kStandbyRetry{1};
// After giving way: long enough for standbys (which try every 1 to 1.5 s) to
// take the lock first; without one, this publisher leads again after it.
constexpr std::chrono::seconds kGiveWayPause{5};
// With quarantined rows around, how often to notice a re-drive done by hand
// in SQL (the redrive subcommand also announces itself with a NOTIFY).
constexpr std::chrono::seconds kQuarantineReload{30};
constexpr std::size_t kMarkChunk = 10000;
// How often the leader reads from the bottom once: a row the read window
// passed over (which must not happen) is then late, not stuck.
constexpr std::chrono::seconds kRescanInterval{60};
constexpr std::size_t kMaxErrorText = 1000;

double now_epoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string error_text(std::string e) {
  if (e.size() > kMaxErrorText) e.resize(kMaxErrorText);
  return e;
}

// librdkafka starts its threads from here: they must not take the signals
// meant for the main loop, or a SIGTERM could go unnoticed until a timeout.
template <typename F>
void with_signals_blocked(F&& f) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGINT);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  try {
    f();
  } catch (...) {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    throw;
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace

Relay::Relay(const Options& options, Metrics& metrics, SystemdNotifier& systemd)
    : options_(options),
      metrics_(metrics),
      systemd_(systemd),
      db_(options.db, options.channel),
      marker_(options.db),
      stall_(options.stall_timeout) {
  if (const char* n = std::getenv("PROFILE_PUBLISHER_TEST_FATAL_AFTER")) fatal_after_ = std::atol(n);
}

Relay::~Relay() = default;

void Relay::make_producer() {
  ProducerSettings settings{options_.brokers, options_.kafka_settings};
  with_signals_blocked([&] {
    producer_ = std::make_unique<KafkaProducer>(settings, [this](const DeliveryReport& r) { on_report(r); });
  });
}

void Relay::on_report(const DeliveryReport& r) {
  if (r.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    double created = tracker_.created_at(r.id);
    if (created > 0) metrics_.delivery_latency.observe(now_epoch() - created);
    tracker_.acked(r.id);
    stall_.progress(Clock::now());
  } else if (is_permanent_delivery_error(r.err)) {
    tracker_.rejected(r.id, error_text(kafka_error_text(r.err)));
  } else {
    if (r.err != RD_KAFKA_RESP_ERR__PURGE_QUEUE && r.err != RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
      ++metrics_.failed_total;
      log_warn("delivery_failed").kv("id", r.id).kv("error", rd_kafka_err2str(r.err));
    }
    tracker_.failed(r.id);
  }
}

// A fatal error leaves the producer unusable (e.g. an idempotence sequence
// it cannot repair): its unacknowledged rows stay pending and a new producer
// sends them again from the table.
void Relay::replace_producer(const std::string& reason) {
  log_error("producer_replaced").kv("reason", reason);
  ++metrics_.producer_restarts_total;
  producer_->purge();
  producer_->poll(0);
  try {
    settle();
  } catch (const DbError& e) {
    lose_connection(e.what());
  }
  producer_.reset();
  tracker_.clear();
  restart_reading();
  metrics_.in_flight_rows = 0;
  make_producer();
  sleep_interruptibly(retry_backoff_.next(random_unit()));
}

bool Relay::ensure_connected(bool first_attempt) {
  if (db_.connected()) return true;
  update_status();
  try {
    db_.connect();
    marker_.connect();
  } catch (const DbError& e) {
    db_.disconnect();
    if (first_attempt && (e.permanent() || options_.once)) throw;
    metrics_.db_up = 0;
    auto delay = db_backoff_.next(random_unit());
    log_warn("db_connect_failed").kv("error", e.what()).kv("retry_in_ms", static_cast<std::int64_t>(delay.count()));
    sleep_interruptibly(delay);
    return false;
  }
  if (!first_attempt) ++metrics_.db_reconnects_total;
  db_backoff_.reset();
  metrics_.db_up = 1;
  log_info("db_connected").kv("db", db_.describe());
  return true;
}

bool Relay::ensure_leader() {
  if (leader_) return true;
  if (Clock::now() < lead_again_at_ || !db_.try_lead()) {
    update_status();
    return false;
  }
  leader_ = true;
  metrics_.leader = 1;
  stall_.progress(Clock::now());
  restart_reading();
  log_info("leader_acquired").kv("db", db_.describe());
  reload_quarantined_keys();
  update_status();
  return true;
}

bool Relay::stalled() const { return leader_ && stall_.stalled(Clock::now()); }

void Relay::heartbeat() {
  if (!stalled()) systemd_.watchdog();
}

// This leader reaches PostgreSQL but its rows get no acknowledgement (Kafka
// unreachable from here, or too few in-sync replicas): let a standby try.
//
// Per-user order across the hand-over: the next leader reads every row not
// marked published and sends it again, so anything of ours that reaches
// Kafka after the lock is released is a copy of a row the next leader sends
// too. Such a copy must not come from a producer that is still running: its
// retries would go on after the hand-over, after the next leader's newer
// events of the same user. So the producer is purged and destroyed first:
// rd_kafka_destroy() returns only once its threads have stopped and its
// broker connections are closed, and nothing sends from then on. A request
// already written to a socket before that may still be appended by a broker;
// it is a duplicate (same event_id and version) of a row the next leader
// sends, which consumers drop by version, never a gap. Only then is the lock
// released; acknowledged rows are marked before that, as always.
void Relay::give_way() {
  log_warn("leader_giving_way")
      .kv("no_ack_for_ms", static_cast<std::int64_t>(stall_.since_progress(Clock::now()).count()))
      .kv("unacknowledged", static_cast<std::int64_t>(tracker_.unresolved()))
      .kv("kafka_unreachable", producer_->brokers_down());
  producer_->purge();
  producer_->poll(0);  // the reports of what was acknowledged before the purge
  producer_.reset();
  make_producer();  // a fresh one, with nothing queued
  lead_again_at_ = Clock::now() + kGiveWayPause;
  // If marking fails, lose_connection() ends the session, which releases the lock too.
  settle();
  tracker_.clear();
  restart_reading();
  metrics_.in_flight_rows = 0;
  db_.release_lead();
  leader_ = false;
  metrics_.leader = 0;
  log_info("leader_released").kv("reason", "stalled").kv("lead_again_in_ms",
                                                         static_cast<std::int64_t>(kGiveWayPause.count() * 1000));
  update_status();
}

// Rows in flight when the database went away cannot be marked by this
// session; another leader may already be sending them. Drop them here: the
// broker keeps a prefix of each partition's sequence, and the rows are read
// again (duplicates at worst, never a gap).
void Relay::drop_in_flight() {
  if (producer_ && tracker_.unresolved() > 0) {
    producer_->purge();
    producer_->poll(0);
  }
  tracker_.clear();
  restart_reading();
  metrics_.in_flight_rows = 0;
}

// From the bottom of the table again. A read sent ahead was for the old
// window: its rows lie above rows that are pending again, and producing them
// first would put a user's later event before an earlier one.
void Relay::restart_reading() {
  window_.reset();
  discard_sent_fetch();
}

// The result of a read sent ahead, thrown away unseen: the window did not
// move, so the same rows are read again.
void Relay::discard_sent_fetch() {
  if (db_.connected() && db_.fetch_sent()) db_.receive_fetch();
}

void Relay::lose_connection(const std::string& why) {
  log_warn("db_connection_lost").kv("error", why).kv("was_leader", leader_);
  if (leader_) log_info("leader_released");
  db_.disconnect();
  marker_.disconnect();
  quarantine_.lost_queued();  // those rows are pending again
  leader_ = false;
  metrics_.leader = 0;
  metrics_.db_up = 0;
  drop_in_flight();
  update_status();
}

void Relay::reload_quarantined_keys() {
  discard_sent_fetch();  // the connection must be free for the query below
  auto keys = db_.quarantined_keys();
  // Nothing is reported by the marker while the query runs: every commit it
  // reported before is in this result.
  if (quarantine_.reload(keys)) reread_ = true;  // re-driven: its rows lie below the read window
  next_quarantine_reload_ = Clock::now() + kQuarantineReload;
  if (!keys.empty()) log_info("quarantined_keys_held").kv("keys", static_cast<std::int64_t>(keys.size()));
}

std::vector<std::string> Relay::held_keys() const {
  std::vector<std::string> keys = quarantine_.keys();
  for (std::string& k : tracker_.blocked_keys())
    if (!quarantine_.held(k)) keys.push_back(std::move(k));
  return keys;
}

void Relay::settle() {
  Settled s = tracker_.take_settled();
  for (std::size_t i = 0; i < s.publish.size(); i += kMarkChunk) {
    auto first = s.publish.begin() + static_cast<std::ptrdiff_t>(i);
    auto last = s.publish.begin() + static_cast<std::ptrdiff_t>(std::min(i + kMarkChunk, s.publish.size()));
    marker_.mark_published(std::vector<std::int64_t>(first, last));
  }
  for (const QuarantinedRow& q : s.quarantine) {
    // Held back from now on, before the UPDATE commits: reads skip the key.
    if (!quarantine_.queue(q.id, q.key)) continue;
    marker_.quarantine(q);
    log_warn("row_quarantined").kv("id", q.id).kv("key", q.key).kv("error", q.error);
  }
  metrics_.in_flight_rows = static_cast<std::int64_t>(tracker_.size() + marker_.rows());
  pump_marker();
}

void Relay::pump_marker() {
  metrics_.published_total += marker_.pump();
  for (const OutboxMarker::QuarantineDone& q : marker_.take_quarantined())
    metrics_.quarantined_total += quarantine_.committed(q.id, q.changed);
}

std::size_t Relay::produce_rows(const std::vector<const OutboxRow*>& rows) {
  std::size_t produced = 0;
  // Keys that must wait for this round: a row of theirs was skipped, so their
  // later rows in the same read must be skipped too.
  std::unordered_set<std::string_view> deferred;
  for (const OutboxRow* row : rows) {
    if (deferred.count(row->key)) continue;
    if (quarantine_.held(row->key) || tracker_.key_blocked(row->key)) {
      // Held back behind a quarantined row: read again after a re-drive.
      deferred.insert(row->key);
      continue;
    }
    if (tracker_.max_id_of_key(row->key) > row->id) {
      // A later row of this key is still in flight (after a re-drive or a
      // retry): sending this one now would overtake it. Read it again.
      deferred.insert(row->key);
      reread_ = true;
      continue;
    }
    tracker_.add(row->id, row->key, row->created_at);
    std::optional<std::string> problem = key_problem(row->key);
    if (!problem) problem = topic_problem(row->topic);
    if (problem) {
      tracker_.rejected(row->id, *problem);
      deferred.insert(row->key);
      continue;
    }
    Headers headers = build_headers(EventFields{row->event_id, row->event_type, row->occurred_at, row->traceparent});
    std::string error;
    ProduceStatus status;
    while ((status = producer_->produce(row->id, row->topic, row->key, row->payload, headers, &error)) ==
           ProduceStatus::queue_full)
      producer_->poll(50);
    switch (status) {
      case ProduceStatus::queued:
        ++produced;
        if (fatal_after_ > 0 && --fatal_after_ == 0) producer_->inject_fatal_error();
        break;
      case ProduceStatus::rejected:
        tracker_.rejected(row->id, error_text(error));
        deferred.insert(row->key);
        break;
      case ProduceStatus::queue_full:
      case ProduceStatus::failed:
      case ProduceStatus::fatal:
        log_warn("produce_failed").kv("id", row->id).kv("error", error);
        ++metrics_.failed_total;
        tracker_.failed(row->id);
        return produced;  // needs_retry(): the loop waits, settles and reads again
    }
    producer_->poll(0);
  }
  return produced;
}

bool Relay::passed_over(std::int64_t id) const {
  if (id > rescan_below_) return false;
  for (const IdGap& g : rescan_gaps_)
    if (id >= g.lo && id <= g.hi) return false;  // an open gap: read again anyway
  return true;
}

Relay::FetchOutcome Relay::fetch_and_produce() {
  if (!reread_ && Clock::now() >= next_rescan_) {
    reread_ = true;
    rescan_below_ = window_.hi();
    rescan_gaps_ = window_.gaps();
  }
  if (reread_) {
    reread_ = false;
    restart_reading();
    next_rescan_ = Clock::now() + kRescanInterval;
  }
  // A read sent ahead was for the window as it is now, unless a re-read was asked.
  OutboxBatch batch = db_.fetch_sent() ? db_.receive_fetch()
                                       : db_.fetch(window_.hi(), options_.batch_size, window_.gaps(), held_keys());

  std::vector<std::int64_t> above, in_gaps;
  for (const OutboxRow& row : batch.rows) (row.above ? above : in_gaps).push_back(row.id);
  FetchOutcome out;
  out.more = static_cast<int>(above.size()) >= options_.batch_size;
  const std::int64_t read_above = window_.hi();
  const std::int64_t complete = window_.advance(above, batch.snapshot_xmin, batch.next_xid, in_gaps,
                                                static_cast<std::size_t>(options_.batch_size));
  if (complete != ReadWindow::kWhole) out.more = true;  // a gap is read in parts

  std::vector<const OutboxRow*> rows;
  rows.reserve(batch.rows.size());
  for (const OutboxRow& row : batch.rows) {
    // Beyond a gap's part: a user's earlier row may be among the ids left out.
    if (row.id > complete) break;
    // In flight, or acknowledged with its mark not yet committed: already ours.
    if (tracker_.contains(row.id) || marker_.marking(row.id)) continue;
    if (!row.above) log_debug("late_row").kv("id", row.id).kv("below", read_above);
    if (rescan_below_ > 0 && passed_over(row.id)) log_warn("passed_over_row").kv("id", row.id);
    rows.push_back(&row);
  }
  if (read_above >= rescan_below_) rescan_below_ = 0;  // the rescan is past the old window
  // More is waiting: have the server read the next batch while this one is
  // produced, if there will be room for it.
  std::size_t after = tracker_.size() + marker_.rows() + rows.size() + 2 * static_cast<std::size_t>(options_.batch_size);
  if (out.more && !reread_ && after <= static_cast<std::size_t>(options_.max_in_flight))
    db_.send_fetch(window_.hi(), options_.batch_size, window_.gaps(), held_keys());
  out.produced = produce_rows(rows);
  metrics_.in_flight_rows = static_cast<std::int64_t>(tracker_.size() + marker_.rows());
  return out;
}

bool Relay::wait(std::chrono::milliseconds timeout) {
  // A NOTIFY that arrived with the result of an earlier query sits in libpq's
  // buffer, where poll() cannot see it: sleeping on the socket would miss it.
  if (db_.connected() && db_.drain_notifications(&redrive_seen_)) return true;
  timeout = std::min(timeout, systemd_.max_wait());
  pollfd fds[3];
  nfds_t n = 0;
  if (producer_) fds[n++] = pollfd{producer_->event_fd(), POLLIN, 0};
  int db_fd = db_.socket();
  if (db_fd >= 0) fds[n++] = pollfd{db_fd, POLLIN, 0};
  if (!marker_.idle() && marker_.socket() >= 0) fds[n++] = pollfd{marker_.socket(), POLLIN, 0};
  if (!stopping()) ::poll(fds, n, static_cast<int>(std::max<std::int64_t>(timeout.count(), 0)));
  bool notified = false;
  if (db_.connected()) notified = db_.drain_notifications(&redrive_seen_);
  if (!marker_.idle()) pump_marker();
  return notified;
}

// A COMMIT PREPARED sends no NOTIFY, so a prepared transaction's rows would
// wait for the fallback poll. While one holds a lock on the outbox, read every
// --prepared-poll; look for one as often (only if the server allows them).
Relay::Clock::time_point Relay::look_for_prepared_writers(Clock::time_point* next_poll) {
  if (options_.prepared_poll.count() <= 0 || !db_.prepared_enabled()) return Clock::time_point::max();
  auto now = Clock::now();
  if (now >= next_prepared_look_) {
    next_prepared_look_ = now + options_.prepared_poll;
    if (db_.prepared_writers()) *next_poll = std::min(*next_poll, next_prepared_look_);
  }
  return next_prepared_look_;
}

void Relay::sleep_interruptibly(std::chrono::milliseconds duration) {
  auto until = Clock::now() + duration;
  while (!stopping() && !stalled()) {
    heartbeat();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) break;
    try {
      wait(left);
    } catch (const DbError& e) {
      lose_connection(e.what());
    }
    if (producer_) producer_->poll(0);
  }
}

void Relay::update_status() {
  std::string s = !db_.connected() ? "connecting to PostgreSQL"
                  : leader_        ? "leader: publishing"
                                   : "standby: waiting for the leader lock";
  systemd_.status(s);
}

void Relay::shutdown() {
  systemd_.stopping();
  log_info("stopping").kv("in_flight", static_cast<std::int64_t>(tracker_.unresolved()));
  auto deadline = Clock::now() + options_.flush_timeout;
  while (producer_ && tracker_.unresolved() > 0 && Clock::now() < deadline) {
    producer_->poll(100);
    if (db_.connected()) {
      try {
        settle();
      } catch (const DbError& e) {
        lose_connection(e.what());
      }
    }
  }
  std::size_t left = tracker_.unresolved();
  if (left > 0) {
    // They stay pending in the table; the next leader sends them again.
    log_warn("flush_incomplete").kv("unacknowledged", static_cast<std::int64_t>(left));
    producer_->purge();
    producer_->poll(0);
  }
  if (db_.connected()) {
    try {
      settle();
      auto mark_deadline = Clock::now() + std::chrono::seconds(10);
      while (!marker_.idle() && Clock::now() < mark_deadline) {
        pollfd fd{marker_.socket(), POLLIN, 0};
        ::poll(&fd, 1, 100);
        pump_marker();
      }
    } catch (const DbError& e) {
      log_warn("final_mark_failed").kv("error", e.what());
    }
  }
  log_info("stopped").kv("published_total", metrics_.published_total.load());
}

int Relay::run() {
  make_producer();
  // The first connection decides whether the configuration works at all.
  while (!stopping() && !ensure_connected(true)) {
  }
  systemd_.ready(db_.connected() ? "connected" : "connecting to PostgreSQL");

  bool want_read = true;   // rows may be waiting: read without waiting first
  bool armed = false;      // request_wakeup() was called since the last wake-up
  auto next_poll = Clock::now() + options_.poll_interval;

  while (!stopping()) {
    heartbeat();
    try {
      if (!ensure_connected(false)) continue;
      if (!ensure_leader()) {
        want_read = true;
        sleep_interruptibly(kStandbyRetry + std::chrono::milliseconds(static_cast<int>(random_unit() * 500)));
        continue;
      }

      producer_->poll(0);
      std::string fatal_reason;
      if (producer_->fatal(&fatal_reason)) {
        replace_producer(fatal_reason);
        want_read = true;
        continue;
      }
      stall_.in_flight(tracker_.size(), Clock::now());
      if (stalled()) {
        give_way();
        want_read = true;
        armed = false;
        continue;
      }
      settle();

      if (redrive_seen_ || (!quarantine_.empty() && Clock::now() >= next_quarantine_reload_)) {
        redrive_seen_ = false;
        reload_quarantined_keys();
        want_read = true;
      }

      if (tracker_.needs_retry()) {
        // Stop sending; once every report is in, mark what is safe and read
        // again from the bottom of the table after a pause.
        if (tracker_.unresolved() > 0) {
          wait(std::chrono::milliseconds(100));
          continue;
        }
        tracker_.clear();
        stall_.retrying();
        restart_reading();
        metrics_.in_flight_rows = 0;
        auto delay = retry_backoff_.next(random_unit());
        log_warn("delivery_retry").kv("in_ms", static_cast<std::int64_t>(delay.count()));
        sleep_interruptibly(delay);
        want_read = true;
        continue;
      }

      bool room = tracker_.size() + marker_.rows() + static_cast<std::size_t>(options_.batch_size) <=
                  static_cast<std::size_t>(options_.max_in_flight);
      if (want_read && room) {
        FetchOutcome f = fetch_and_produce();
        stall_.read_produced(tracker_.size());
        next_poll = Clock::now() + options_.poll_interval;
        want_read = f.more;
        if (f.produced > 0) {
          armed = false;
          retry_backoff_.reset();
        }
        if (f.more) continue;
      }

      const bool busy = tracker_.size() > 0 || !marker_.idle();
      if (options_.once) {
        if (!busy && !want_read) {
          log_info("caught_up").kv("published_total", metrics_.published_total.load());
          break;
        }
        wait(std::chrono::milliseconds(100));
        continue;
      }
      if (want_read) {
        // More to read but no room: wait for deliveries and marks.
        wait(std::chrono::milliseconds(100));
        continue;
      }

      // Caught up with what is visible. Ask for a wake-up even while deliveries
      // and marks are outstanding, so that a commit is read at once rather than
      // after them. With rows of ours in flight the answer is always "pending":
      // the read it triggers is the check after asking, which catches what
      // committed just before the request.
      if (!armed) {
        armed = true;
        if (db_.request_wakeup()) {
          want_read = true;
          continue;
        }
      }
      const auto look_again = look_for_prepared_writers(&next_poll);
      const auto now = Clock::now();
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(std::min(next_poll, look_again) - now);
      if (now >= next_poll || wait(busy ? std::min(left, std::chrono::milliseconds(100)) : left)) {
        want_read = true;
        armed = false;
      }
    } catch (const DbError& e) {
      lose_connection(e.what());
      want_read = true;
      armed = false;
    }
  }
  shutdown();
  return 0;
}

}  // namespace publisher
