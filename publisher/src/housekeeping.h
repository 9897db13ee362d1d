// Work kept off the relay's hot path, on its own thread and connection:
// outbox_stats() for the metrics every few seconds and, on the leader,
// purge_outbox() for retention every few minutes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "duration.h"
#include "metrics.h"

struct pg_conn;

namespace publisher {

class Housekeeping {
 public:
  Housekeeping(std::string conninfo, Millis retention, Metrics& metrics);
  ~Housekeeping();
  void start();
  void stop();

  static constexpr std::chrono::seconds kStatsEvery{10};
  static constexpr std::chrono::minutes kPurgeEvery{5};

 private:
  void run();
  void tick(::pg_conn*& conn, std::chrono::steady_clock::time_point& next_purge);

  std::string conninfo_;
  Millis retention_;
  Metrics& metrics_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace publisher
