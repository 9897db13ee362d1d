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
  EXPECT_EQ(w.gaps()[0].horizon, 110u) << "the next transaction id when the gap was found";
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
  w.advance({1, 3}, 100, 110);  // id 2 open at this snapshot; transactions so far are below 110
  ASSERT_EQ(w.gaps().size(), 1u);
  EXPECT_EQ(w.gaps()[0].horizon, 110u);
  w.advance({4}, 104, 120);
  w.advance({}, 109, 125);  // transaction 109 might still hold id 2
  ASSERT_EQ(w.gaps().size(), 1u);
  w.advance({}, 110, 125);  // everything below 110 has ended: this read saw id 2 if it committed
  EXPECT_TRUE(w.gaps().empty());
}

// A snapshot's xmin can sit at a running transaction's id: one that drew an
// outbox id early, then waited, and that no read saw finish yet. Its id is
// below the next transaction id of the read that found its gap, so the gap
// stays open while it runs, however many reads follow.
TEST(ReadWindow, AGapOutlivesItsTransactionNotTheReadsThatFollow) {
  ReadWindow w;
  w.advance({1, 3}, 4961, 4965);  // id 2 held by transaction 4963, still running
  for (int i = 0; i < 50; i++) w.advance({}, 4963, 4966);  // xmin stuck at 4963 while it runs
  ASSERT_EQ(w.gaps().size(), 1u);
  w.advance({}, 4966, 4970);  // 4963 ended
  EXPECT_TRUE(w.gaps().empty());
}

// A gap found by a read is not closed by that read's own xmin, even with
// nothing running (id 2 rolled back): only a read that had it in its query.
TEST(ReadWindow, NewGapsWaitForALaterRead) {
  ReadWindow w;
  w.advance({1, 3}, 110, 110);
  ASSERT_EQ(w.gaps().size(), 1u);
  w.advance({}, 110, 110);
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
