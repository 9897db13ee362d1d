#include "offset_tracker.h"

#include <gtest/gtest.h>

using realchat::CommitList;
using realchat::OffsetTracker;
using realchat::PendingMessage;
using realchat::TopicPartition;

namespace {
PendingMessage msg(int partition, long offset) { return PendingMessage{{"profile.events", partition}, offset, "", ""}; }
TopicPartition tp(int partition) { return {"profile.events", partition}; }
}  // namespace

TEST(OffsetTracker, NothingIsCommittableBeforeRedisApplied) {
  OffsetTracker t;
  EXPECT_TRUE(t.take_commits().empty());
  EXPECT_TRUE(t.revoke({tp(0)}).empty());
}

TEST(OffsetTracker, CommitsTheNextOffsetAfterTheLastApplied) {
  OffsetTracker t;
  t.applied({msg(0, 5), msg(1, 9), msg(0, 6)});
  CommitList c = t.take_commits();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], std::make_pair(tp(0), std::int64_t{7}));
  EXPECT_EQ(c[1], std::make_pair(tp(1), std::int64_t{10}));
  EXPECT_TRUE(t.take_commits().empty());  // unchanged since
}

TEST(OffsetTracker, RedeliveredOlderMessagesNeverMoveAPositionBack) {
  OffsetTracker t;
  t.applied({msg(0, 10)});
  t.take_commits();
  t.applied({msg(0, 3)});
  EXPECT_TRUE(t.take_commits().empty());
  EXPECT_EQ(t.all().at(0).second, 11);
}

TEST(OffsetTracker, RevokeCommitsAppliedPositionsOfThosePartitionsAndForgetsThem) {
  OffsetTracker t;
  t.applied({msg(0, 1), msg(1, 2), msg(2, 3)});
  t.take_commits();  // already committed once: revoke still commits them (synchronously)
  CommitList c = t.revoke({tp(0), tp(2), tp(7)});
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], std::make_pair(tp(0), std::int64_t{2}));
  EXPECT_EQ(c[1], std::make_pair(tp(2), std::int64_t{4}));
  ASSERT_EQ(t.all().size(), 1u);
  EXPECT_EQ(t.all()[0].first, tp(1));
  // A partition assigned again starts from what the group committed, not from memory.
  t.applied({msg(0, 0)});
  EXPECT_EQ(t.take_commits().at(0), std::make_pair(tp(0), std::int64_t{1}));
}
