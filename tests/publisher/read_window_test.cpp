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

// A transaction of many events commits into one gap: the read takes a batch
// of it, and the rest of the gap stays to be read even though every
// transaction that could hold it has ended.
TEST(ReadWindow, AGapReadInPartStaysOpenAboveTheLastIdReturned) {
  ReadWindow w;
  w.advance({1, 100}, 10, 20);  // 2..99 held by a bulk transaction still running
  ASSERT_EQ(w.gaps().size(), 1u);
  // It commits; the read returns 10 of its rows (the limit), xmin past it.
  Ids part;
  for (std::int64_t id = 2; id <= 11; ++id) part.push_back(id);
  EXPECT_EQ(w.advance({101, 102}, 25, 30, part, 10), 11) << "complete only up to the last id of the part";
  ASSERT_EQ(w.gaps().size(), 1u) << "the rest of the gap is still to be read";
  EXPECT_EQ(w.gaps()[0].lo, 12);
  EXPECT_EQ(w.gaps()[0].hi, 99);
  EXPECT_EQ(w.hi(), 100) << "the rows above, returned beside a cut gap, are read again";
  // The next part, then the last one (fewer than the limit): the gap closes.
  part.clear();
  for (std::int64_t id = 12; id <= 21; ++id) part.push_back(id);
  EXPECT_EQ(w.advance({101, 102}, 25, 30, part, 10), 21);
  EXPECT_EQ(w.gaps()[0].lo, 22);
  part.clear();
  for (std::int64_t id = 22; id <= 99; id += 10) part.push_back(id);
  EXPECT_EQ(w.advance({101, 102}, 25, 30, part, 10), ReadWindow::kWhole);
  EXPECT_TRUE(w.gaps().empty());
  EXPECT_EQ(w.hi(), 102);
}

TEST(ReadWindow, AGapFilledExactlyToTheLimitIsComplete) {
  ReadWindow w;
  w.advance({1, 5}, 10, 20);  // gap 2..4
  EXPECT_EQ(w.advance({}, 25, 30, {2, 3, 4}, 3), ReadWindow::kWhole);
  EXPECT_TRUE(w.gaps().empty());
}

// Only the lowest cut counts: gaps below it are done with, gaps above it were
// not taken and keep their horizon, even one this read filled completely.
TEST(ReadWindow, GapsAboveACutStayAsTheyWere) {
  ReadWindow w;
  w.advance({1, 3, 10, 14, 20}, 10, 20);  // gaps 2, 4..9, 11..13, 15..19
  ASSERT_EQ(w.gaps().size(), 4u);
  EXPECT_EQ(w.advance({21}, 25, 30, {2, 4, 5, 11, 12, 15}, 2), 5);
  ASSERT_EQ(w.gaps().size(), 3u) << "gap 2 closed";
  EXPECT_EQ(w.gaps()[0].lo, 6);
  EXPECT_EQ(w.gaps()[0].hi, 9);
  EXPECT_EQ(w.gaps()[1].lo, 11) << "read whole but above the cut: read again";
  EXPECT_EQ(w.gaps()[1].hi, 13);
  EXPECT_EQ(w.gaps()[2].lo, 15);
  EXPECT_EQ(w.gaps()[2].horizon, 20u);
  EXPECT_EQ(w.hi(), 20);
}

// A gap still open (its transactions running) and read in part keeps its
// horizon: it is done only when both its rows and its transactions are.
TEST(ReadWindow, APartReadGapKeepsItsHorizon) {
  ReadWindow w;
  w.advance({1, 10}, 10, 20);
  EXPECT_EQ(w.advance({}, 15, 30, {2, 3}, 2), 3);
  ASSERT_EQ(w.gaps().size(), 1u);
  EXPECT_EQ(w.gaps()[0].horizon, 20u);
  EXPECT_EQ(w.advance({}, 15, 30, {5}, 2), ReadWindow::kWhole);
  ASSERT_EQ(w.gaps().size(), 1u) << "transaction 15 may still hold an id of 4..9";
  EXPECT_EQ(w.advance({}, 20, 30, {}, 2), ReadWindow::kWhole);
  EXPECT_TRUE(w.gaps().empty());
}
