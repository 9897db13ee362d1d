// Counters and gauges the publisher exports at /metrics, in Prometheus text
// format. Written by the relay and housekeeping threads, read by the HTTP
// thread: every field is atomic, and render() needs no lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "prometheus_text.h"
#include "shared_names.h"

namespace publisher {

struct Metrics {
  std::atomic<std::uint64_t> published_total{0};
  std::atomic<std::uint64_t> failed_total{0};       // transient delivery failures (produced again)
  std::atomic<std::uint64_t> quarantined_total{0};  // rows this process quarantined
  std::atomic<std::uint64_t> producer_restarts_total{0};
  std::atomic<std::uint64_t> db_reconnects_total{0};
  std::atomic<std::uint64_t> purged_total{0};
  std::atomic<std::int64_t> in_flight_rows{0};
  std::atomic<int> leader{0};
  std::atomic<int> db_up{0};
  // From profile.outbox_stats(); negative until the first successful read.
  std::atomic<std::int64_t> pending_rows{-1};
  std::atomic<std::int64_t> quarantined_rows{-1};
  std::atomic<double> oldest_pending_age_seconds{0};
  // Commit (the row's created_at) to broker acknowledgement.
  LatencyHistogram delivery_latency;

  std::string render() const;
};

}  // namespace publisher
