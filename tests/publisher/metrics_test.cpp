#include "metrics.h"

#include <gtest/gtest.h>

using publisher::Metrics;

TEST(Metrics, RendersCountersGaugesAndACumulativeHistogram) {
  Metrics m;
  m.published_total = 42;
  m.leader = 1;
  m.delivery_latency.observe(0.003);
  m.delivery_latency.observe(0.2);
  m.delivery_latency.observe(1000);
  std::string text = m.render();
  EXPECT_NE(text.find("profile_publisher_published_total 42\n"), std::string::npos);
  EXPECT_NE(text.find("profile_publisher_leader 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE profile_publisher_delivery_latency_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("profile_publisher_delivery_latency_seconds_bucket{le=\"0.005\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("profile_publisher_delivery_latency_seconds_bucket{le=\"0.25\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("profile_publisher_delivery_latency_seconds_bucket{le=\"300\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("profile_publisher_delivery_latency_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("profile_publisher_delivery_latency_seconds_count 3\n"), std::string::npos);
}

TEST(Metrics, OutboxGaugesAppearOnlyOnceKnown) {
  Metrics m;
  EXPECT_EQ(m.render().find("outbox_pending_rows"), std::string::npos);
  m.pending_rows = 7;
  m.oldest_pending_age_seconds = 1.5;
  std::string text = m.render();
  EXPECT_NE(text.find("profile_publisher_outbox_pending_rows 7\n"), std::string::npos);
  EXPECT_NE(text.find("profile_publisher_outbox_oldest_pending_age_seconds 1.5\n"), std::string::npos);
}
