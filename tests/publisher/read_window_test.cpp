#include "read_window.h"

#include <gtest/gtest.h>

using publisher::ReadWindow;
using Ids = std::vector<std::int64_t>;

TEST(ReadWindow, StartsAtTheBottomAndMovesUp) {
  ReadWindow w;
  EXPECT_EQ(w.hi(), 0);
  w.advance({1, 2, 3}, 100, 105);
  EXPECT_EQ(w.hi(), 3);
  EXPECT_TRUE(w.gaps().empty());
  w.advance({}, 100, 105);
  EXPECT_EQ(w.hi(), 3);
}

TEST(ReadWindow, SkippedIdsBecomeGapsReadAgain) {
  ReadWindow w;
  w.advance({1, 2, 5, 9}, 100, 110);
  ASSERT_EQ(w.gaps().size(), 2u);
  EXPECT_EQ(w.gaps()[0].lo, 3);
  EXPECT_EQ(w.gaps()[0].hi, 4);
  EXPECT_EQ(w.gaps()[1].lo, 6);
  EXPECT_EQ(w.gaps()[1].hi, 8);
  EXPECT_EQ(w.gaps()[0].horizon, 0u) << "armed only by the next read";
  EXPECT_EQ(w.hi(), 9);
}

TEST(ReadWindow, TheFirstReadAfterAResetCoversEverythingBelow) {
  ReadWindow w;
  w.advance({500, 501}, 100, 110);
  ASSERT_EQ(w.gaps().size(), 1u);
  EXPECT_EQ(w.gaps()[0].lo, 1);
  EXPECT_EQ(w.gaps()[0].hi, 499);
}

TEST(ReadWindow, AGapEndsOnlyWhenEveryTransactionThatCouldHoldItHasEnded) {
  ReadWindow w;
  w.advance({1, 3}, 100, 110);  // id 2 open at this snapshot
  w.advance({4}, 104, 120);     // arms the gap at 120
  ASSERT_EQ(w.gaps().size(), 1u);
  EXPECT_EQ(w.gaps()[0].horizon, 120u);
  w.advance({}, 119, 125);  // transaction 119 might still hold id 2
  ASSERT_EQ(w.gaps().size(), 1u);
  w.advance({}, 120, 125);  // everything below 120 has ended: this read saw id 2 if it committed
  EXPECT_TRUE(w.gaps().empty());
}

TEST(ReadWindow, IdsAtOrBelowHiDoNotMoveIt) {
  ReadWindow w;
  w.advance({10}, 1, 2);
  w.advance({7, 10}, 1, 2);
  EXPECT_EQ(w.hi(), 10);
  EXPECT_EQ(w.gaps().size(), 1u);
}

TEST(ReadWindow, ResetReadsFromTheBottom) {
  ReadWindow w;
  w.advance({1, 5}, 1, 2);
  w.reset();
  EXPECT_EQ(w.hi(), 0);
  EXPECT_TRUE(w.gaps().empty());
}

TEST(ReadWindow, TooManyGapsFallBackToTheBottom) {
  ReadWindow w;
  Ids every_other;
  for (std::int64_t i = 1; i <= 2 * static_cast<std::int64_t>(ReadWindow::kMaxGaps) + 4; i += 2)
    every_other.push_back(i);
  w.advance(every_other, 1, 2);
  EXPECT_EQ(w.hi(), 0);
  EXPECT_TRUE(w.gaps().empty());
}
