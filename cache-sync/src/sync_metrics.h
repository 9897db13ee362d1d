// Counters and gauges profile-cache-sync exports at /metrics (Prometheus text). Written by the
// consumer thread, read by the HTTP thread: every field is atomic.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "prometheus_text.h"

namespace realchat {

struct SyncMetrics {
  std::atomic<std::uint64_t> applied_total{0};
  std::atomic<std::uint64_t> duplicates_total{0};
  std::atomic<std::uint64_t> gaps_total{0};
  std::atomic<std::uint64_t> absent_total{0};
  std::atomic<std::uint64_t> deleted_total{0};
  std::atomic<std::uint64_t> bad_events_total{0};
  std::atomic<std::uint64_t> redis_errors_total{0};
  std::atomic<std::uint64_t> library_loads_total{0};
  std::atomic<std::uint64_t> commits_total{0};
  std::atomic<std::uint64_t> commit_failures_total{0};
  std::atomic<std::uint64_t> rebalances_total{0};
  std::atomic<int> redis_up{0};
  std::atomic<int> assigned_partitions{0};
  // From the event's occurred_at (its commit in PostgreSQL) to Redis having applied it.
  LatencyHistogram apply_lag;
  // From the consumer handing the event over to Redis having applied it: the daemon's own share.
  LatencyHistogram hold;

  std::string render() const;
};

}  // namespace realchat
