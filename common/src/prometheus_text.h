// Prometheus text exposition: counters, gauges and a latency histogram whose
// counts are atomics, so a daemon's worker threads write and its HTTP thread
// renders without a lock.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace realchat {

class LatencyHistogram {
 public:
  // Upper bounds in seconds; the +Inf bucket is implicit. Finer between 25 and 100 ms, where
  // the event lag's p99 target (50 ms) lies, so a percentile read from the buckets is close.
  static constexpr std::array<double, 18> kBounds = {0.005, 0.01, 0.025, 0.03, 0.04, 0.05, 0.06, 0.075, 0.1,
                                                      0.25,  0.5,  1,     2.5,  5,    10,   30,   60,    300};
  void observe(double seconds);
  // Appends the _bucket/_sum/_count lines for `name`.
  void render(const std::string& name, std::string& out) const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> counts_{};  // not cumulative
  std::atomic<std::uint64_t> sum_micros_{0};
};

// The shortest text that reads back as the same double: "0.005", not "0.0050000000000000001".
std::string prometheus_number(double v);

// "# HELP" and "# TYPE" lines.
void prometheus_header(std::string& out, const char* name, const char* type, const char* help);

// Header plus one sample line.
void prometheus_sample(std::string& out, const char* name, const char* type, const char* help, double value);

}  // namespace realchat
