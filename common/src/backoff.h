// Exponential backoff with full jitter, for reconnecting to PostgreSQL and for
// resuming after Kafka delivery failures. Pure: the random draw is passed in.
#pragma once

#include <chrono>
#include <cstdint>

namespace realchat {

class Backoff {
 public:
  using Millis = std::chrono::milliseconds;

  Backoff(Millis initial, Millis max) : initial_(initial), max_(max) {}

  // The delay before the next attempt: uniform in [ceiling/2, ceiling], where
  // the ceiling doubles per failure from `initial` up to `max`. `unit_random`
  // is a draw in [0, 1). Half the ceiling stays fixed so a restart storm
  // spreads out without ever retrying almost at once.
  Millis next(double unit_random);

  // After a success the next failure starts from `initial` again.
  void reset() { failures_ = 0; }

  int failures() const { return failures_; }

  // The ceiling for the next call, without jitter.
  Millis ceiling() const;

 private:
  Millis initial_;
  Millis max_;
  int failures_ = 0;
};

// A draw in [0, 1) from a per-thread generator seeded from the OS.
double random_unit();

}  // namespace realchat
