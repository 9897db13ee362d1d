#include "prometheus_text.h"

#include <gtest/gtest.h>

#include <string>

using realchat::LatencyHistogram;

// The buckets between 25 and 100 ms tell a p99 of 45 ms from one of 95 ms; the older bounds stay
// (dashboards and scripts read them).
TEST(LatencyHistogram, FineBucketsAroundFiftyMillisecondsKeepTheOldBounds) {
  LatencyHistogram h;
  h.observe(0.028);
  h.observe(0.035);
  h.observe(0.045);
  h.observe(0.055);
  h.observe(0.07);
  h.observe(0.09);
  std::string text;
  h.render("lag_seconds", text);
  EXPECT_NE(text.find("lag_seconds_bucket{le=\"0.025\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lag_seconds_bucket{le=\"0.03\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lag_seconds_bucket{le=\"0.04\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lag_seconds_bucket{le=\"0.05\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lag_seconds_bucket{le=\"0.06\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lag_seconds_bucket{le=\"0.075\"} 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lag_seconds_bucket{le=\"0.1\"} 6\n"), std::string::npos) << text;
  for (const char* old : {"0.005", "0.01", "0.25", "0.5", "1", "2.5", "5", "10", "30", "60", "300", "+Inf"})
    EXPECT_NE(text.find(std::string("lag_seconds_bucket{le=\"") + old + "\"} "), std::string::npos) << old;
  EXPECT_NE(text.find("lag_seconds_count 6\n"), std::string::npos) << text;
}
