#include "duration.h"

#include <gtest/gtest.h>

using realchat::format_duration;
using realchat::Millis;
using realchat::parse_duration;

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(parse_duration("250ms"), Millis(250));
  EXPECT_EQ(parse_duration("10s"), Millis(10000));
  EXPECT_EQ(parse_duration("10"), Millis(10000));
  EXPECT_EQ(parse_duration("5m"), Millis(300000));
  EXPECT_EQ(parse_duration("2h"), Millis(7200000));
  EXPECT_EQ(parse_duration("1d"), Millis(86400000));
  EXPECT_EQ(parse_duration("0"), Millis(0));
}

TEST(Duration, RejectsJunk) {
  for (const char* bad : {"", "s", "-1s", "1.5s", "10 s", "10x", "1sec", "99999999999999999999"})
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
}

TEST(Duration, FormatsTheShortestExactForm) {
  EXPECT_EQ(format_duration(Millis(0)), "0");
  EXPECT_EQ(format_duration(Millis(1500)), "1500ms");
  EXPECT_EQ(format_duration(Millis(10000)), "10s");
  EXPECT_EQ(format_duration(Millis(120000)), "2m");
  EXPECT_EQ(format_duration(Millis(86400000)), "1d");
}
