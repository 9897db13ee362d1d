// The relay loop: leader election, reading pending rows, producing them,
// marking what Kafka acknowledged, waiting for NOTIFY or the poll interval,
// and recovering from database, broker and producer failures.
#pragma once

#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "backoff.h"
#include "inflight_tracker.h"
#include "kafka_producer.h"
#include "metrics.h"
#include "options.h"
#include "outbox_db.h"
#include "outbox_marker.h"
#include "quarantine_hold.h"
#include "read_window.h"
#include "stall_watch.h"
#include "systemd_notify.h"

namespace publisher {

// Set by the SIGTERM/SIGINT handler; the loop does the rest.
extern volatile std::sig_atomic_t g_stop_requested;

class Relay {
 public:
  Relay(const Options& options, Metrics& metrics, SystemdNotifier& systemd);
  ~Relay();

  // Returns the process exit code.
  int run();

 private:
  using Clock = std::chrono::steady_clock;
  struct FetchOutcome {
    std::size_t produced = 0;
    bool more = false;  // the read was full: more rows are waiting
  };

  bool stopping() const { return g_stop_requested != 0; }
  void make_producer();
  void replace_producer(const std::string& reason);
  void on_report(const DeliveryReport& report);

  bool ensure_connected(bool first_attempt);
  bool ensure_leader();
  // --stall-timeout: a leader owing Kafka rows that no acknowledgement has
  // moved for that long; give_way() then lets a standby lead.
  bool stalled() const;
  void give_way();
  // WATCHDOG=1 only while the loop is healthy: not a stalled leader.
  void heartbeat();
  void lose_connection(const std::string& why);
  void drop_in_flight();
  void restart_reading();
  void discard_sent_fetch();
  bool passed_over(std::int64_t id) const;

  void settle();
  void pump_marker();
  FetchOutcome fetch_and_produce();
  std::size_t produce_rows(const std::vector<const OutboxRow*>& rows);
  std::vector<std::string> held_keys() const;
  void reload_quarantined_keys();

  // Waits for a notification, a delivery report, a signal or the timeout.
  // Returns true if a notification arrived.
  bool wait(std::chrono::milliseconds timeout);
  void sleep_interruptibly(std::chrono::milliseconds duration);
  // When the idle loop must look for prepared writers again; moves `next_poll`
  // closer while there are some. Clock::time_point::max() if it never looks.
  Clock::time_point look_for_prepared_writers(Clock::time_point* next_poll);
  void shutdown();
  void update_status();

  const Options& options_;
  Metrics& metrics_;
  SystemdNotifier& systemd_;
  OutboxDb db_;
  OutboxMarker marker_;
  std::unique_ptr<KafkaProducer> producer_;
  InFlightTracker tracker_;
  ReadWindow window_;
  bool reread_ = false;  // a row was put off: read from the bottom next time
  QuarantineHold quarantine_;  // keys held back behind a quarantined row
  bool leader_ = false;
  StallWatch stall_;
  Clock::time_point lead_again_at_{};  // after giving way: no attempt to lead before this
  bool redrive_seen_ = false;
  Backoff db_backoff_{std::chrono::milliseconds(200), std::chrono::seconds(30)};
  Backoff retry_backoff_{std::chrono::milliseconds(200), std::chrono::seconds(30)};
  Clock::time_point next_quarantine_reload_{};
  Clock::time_point next_prepared_look_{};
  Clock::time_point next_rescan_{};
  std::int64_t rescan_below_ = 0;  // during a rescan: the window's hi before it
  std::vector<IdGap> rescan_gaps_;  // and its open gaps
  // PROFILE_PUBLISHER_TEST_FATAL_AFTER=N (tests only): a fatal producer error
  // after N messages, to prove the producer is replaced.
  long fatal_after_ = -1;
};

}  // namespace publisher
