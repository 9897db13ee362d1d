// --stall-timeout: when a leader counts as stalled. It owes Kafka rows (read
// and produced, or dropped for a retry and still pending) and no
// acknowledgement has come for the timeout. Pure: the time is passed in.
#pragma once

#include <chrono>
#include <cstddef>

namespace publisher {

class StallWatch {
 public:
  using Clock = std::chrono::steady_clock;

  // 0: never stalled.
  explicit StallWatch(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  // Leadership just taken, or an acknowledgement: the clock starts again.
  void progress(Clock::time_point now);
  // The in-flight rows were dropped to be read and produced again: they are
  // still owed although none is in flight.
  void retrying() { retrying_ = true; }
  // How many rows are in flight now. None, and no retry owed, is progress
  // too: an idle leader is never stalled.
  void in_flight(std::size_t rows, Clock::time_point now);
  // A read after a retry produced nothing (e.g. the rows were published
  // meanwhile): nothing is owed any more.
  void read_produced(std::size_t rows_in_flight);

  bool stalled(Clock::time_point now) const;
  std::chrono::milliseconds since_progress(Clock::time_point now) const;

 private:
  std::chrono::milliseconds timeout_;
  Clock::time_point progress_at_{};
  bool retrying_ = false;
};

}  // namespace publisher
