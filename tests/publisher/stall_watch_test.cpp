#include "stall_watch.h"

#include <gtest/gtest.h>

using namespace publisher;
using namespace std::chrono_literals;

namespace {
const StallWatch::Clock::time_point t0 = StallWatch::Clock::time_point{} + 1h;
}

TEST(StallWatch, RowsInFlightWithoutAcknowledgementStallAfterTheTimeout) {
  StallWatch w(5s);
  w.progress(t0);
  w.in_flight(100, t0 + 1s);
  EXPECT_FALSE(w.stalled(t0 + 4999ms));
  EXPECT_TRUE(w.stalled(t0 + 5s));
  EXPECT_EQ(w.since_progress(t0 + 6s), 6000ms);
}

TEST(StallWatch, AnAcknowledgementStartsTheClockAgain) {
  StallWatch w(5s);
  w.progress(t0);
  w.in_flight(100, t0);
  w.progress(t0 + 4s);
  w.in_flight(99, t0 + 4s);
  EXPECT_FALSE(w.stalled(t0 + 8s));
  EXPECT_TRUE(w.stalled(t0 + 9s));
}

TEST(StallWatch, AnIdleLeaderNeverStalls) {
  StallWatch w(5s);
  w.progress(t0);
  for (int i = 1; i <= 10; ++i) w.in_flight(0, t0 + i * 1s);
  EXPECT_FALSE(w.stalled(t0 + 10s));
  // Rows arrive after a long idle time: the timeout counts from the last idle moment.
  w.in_flight(5, t0 + 11s);
  EXPECT_FALSE(w.stalled(t0 + 14s));
  EXPECT_TRUE(w.stalled(t0 + 15s));
}

TEST(StallWatch, RowsDroppedForARetryAreStillOwed) {
  StallWatch w(5s);
  w.progress(t0);
  w.in_flight(10, t0);
  w.retrying();  // every report in, the tracker emptied, a pause before reading again
  w.in_flight(0, t0 + 2s);
  EXPECT_TRUE(w.stalled(t0 + 5s));
  // Read again and produced again: still nothing acknowledged.
  w.read_produced(10);
  w.in_flight(10, t0 + 6s);
  EXPECT_TRUE(w.stalled(t0 + 6s));
}

TEST(StallWatch, ARetryThatFindsNothingToSendEndsTheDebt) {
  StallWatch w(5s);
  w.progress(t0);
  w.retrying();
  w.read_produced(0);
  w.in_flight(0, t0 + 4s);
  EXPECT_FALSE(w.stalled(t0 + 8s));
}

TEST(StallWatch, ZeroNeverStalls) {
  StallWatch w(0ms);
  w.progress(t0);
  w.in_flight(10, t0);
  EXPECT_FALSE(w.stalled(t0 + 24h));
}
