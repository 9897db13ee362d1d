#include "backoff.h"

#include <gtest/gtest.h>

using realchat::Backoff;
using Ms = std::chrono::milliseconds;

TEST(Backoff, DoublesUpToTheMaximum) {
  Backoff b(Ms(100), Ms(1000));
  EXPECT_EQ(b.next(1.0), Ms(100));
  EXPECT_EQ(b.next(1.0), Ms(200));
  EXPECT_EQ(b.next(1.0), Ms(400));
  EXPECT_EQ(b.next(1.0), Ms(800));
  EXPECT_EQ(b.next(1.0), Ms(1000));
  EXPECT_EQ(b.next(1.0), Ms(1000));
}

TEST(Backoff, JitterStaysInTheUpperHalfOfTheCeiling) {
  Backoff b(Ms(1000), Ms(60000));
  for (int i = 0; i < 3; ++i) b.next(0.5);  // ceiling now 8000
  EXPECT_EQ(b.ceiling(), Ms(8000));
  Backoff low = b, high = b;
  EXPECT_EQ(low.next(0.0), Ms(4000));
  EXPECT_EQ(high.next(0.999999), Ms(7999));
}

TEST(Backoff, ResetStartsOver) {
  Backoff b(Ms(50), Ms(5000));
  for (int i = 0; i < 10; ++i) b.next(0.3);
  EXPECT_EQ(b.ceiling(), Ms(5000));
  b.reset();
  EXPECT_EQ(b.failures(), 0);
  EXPECT_EQ(b.next(1.0), Ms(50));
}

TEST(Backoff, ManyFailuresNeitherOverflowNorExceedTheMaximum) {
  Backoff b(Ms(1), Ms(30000));
  Ms last{0};
  for (int i = 0; i < 1000; ++i) last = b.next(1.0);
  EXPECT_EQ(last, Ms(30000));
}

TEST(Backoff, RandomUnitIsInRange) {
  for (int i = 0; i < 1000; ++i) {
    double r = realchat::random_unit();
    ASSERT_GE(r, 0.0);
    ASSERT_LT(r, 1.0);
  }
}
