#include "stall_watch.h"

namespace publisher {

void StallWatch::progress(Clock::time_point now) {
  progress_at_ = now;
  retrying_ = false;
}

void StallWatch::in_flight(std::size_t rows, Clock::time_point now) {
  if (rows == 0 && !retrying_) progress_at_ = now;
}

void StallWatch::read_produced(std::size_t rows_in_flight) {
  if (rows_in_flight == 0) retrying_ = false;
}

bool StallWatch::stalled(Clock::time_point now) const {
  return timeout_.count() > 0 && now - progress_at_ >= timeout_;
}

std::chrono::milliseconds StallWatch::since_progress(Clock::time_point now) const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - progress_at_);
}

}  // namespace publisher
