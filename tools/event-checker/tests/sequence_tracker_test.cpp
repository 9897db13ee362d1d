#include "sequence_tracker.h"

#include <gtest/gtest.h>

#include "test_support.h"

using namespace event_checker;
using event_checker::testing::event;
using event_checker::testing::user;

namespace {

UserReport only_user(const SequenceTracker& t) {
  auto users = t.users();
  EXPECT_EQ(users.size(), 1u);
  return users.empty() ? UserReport{} : users.front();
}

}  // namespace

TEST(SequenceTracker, InOrderStreamIsOk) {
  SequenceTracker t;
  EXPECT_EQ(t.add(event(1, 1, "ProfileCreated")), Arrival::in_order);
  for (int v = 2; v <= 5; ++v) EXPECT_EQ(t.add(event(1, v)), Arrival::in_order);
  UserReport u = only_user(t);
  EXPECT_TRUE(u.ok());
  EXPECT_EQ(u.events, 5u);
  EXPECT_EQ(u.messages, 5u);
  EXPECT_EQ(u.first_version, 1);
  EXPECT_EQ(u.last_version, 5);
  EXPECT_EQ(u.incarnations, 1u);
  EXPECT_TRUE(u.gaps.empty());
}

TEST(SequenceTracker, RedeliveredEventsAreDuplicatesNotReorders) {
  // A publisher that crashed before marking rows sends them again after later ones.
  SequenceTracker t;
  for (int v : {1, 2, 3, 4, 3, 4, 5}) t.add(event(1, v));
  UserReport u = only_user(t);
  EXPECT_TRUE(u.ok());
  EXPECT_EQ(u.messages, 7u);
  EXPECT_EQ(u.events, 5u);
  EXPECT_EQ(u.duplicates, 2u);
  EXPECT_EQ(u.reordered, 0u);
}

TEST(SequenceTracker, DuplicateArrivalIsReported) {
  SequenceTracker t;
  t.add(event(1, 1));
  EXPECT_EQ(t.add(event(1, 1)), Arrival::duplicate);
}

TEST(SequenceTracker, GapIsMissingVersions) {
  SequenceTracker t;
  t.add(event(1, 1));
  t.add(event(1, 2));
  EXPECT_EQ(t.add(event(1, 5)), Arrival::ahead);
  t.add(event(1, 6));
  UserReport u = only_user(t);
  EXPECT_FALSE(u.ok());
  EXPECT_EQ(u.missing, 2u);
  ASSERT_EQ(u.gaps.size(), 1u);
  EXPECT_EQ(u.gaps[0].first, 3);
  EXPECT_EQ(u.gaps[0].last, 4);
  EXPECT_EQ(u.reordered, 0u);
}

TEST(SequenceTracker, StreamMustStartAtVersionOne) {
  SequenceTracker t;
  EXPECT_EQ(t.add(event(1, 3)), Arrival::ahead);
  t.add(event(1, 4));
  UserReport u = only_user(t);
  EXPECT_EQ(u.missing, 2u);
  ASSERT_EQ(u.gaps.size(), 1u);
  EXPECT_EQ(u.gaps[0].first, 1);
  EXPECT_EQ(u.gaps[0].last, 2);
}

TEST(SequenceTracker, PartialStartAcceptsAnyFirstVersion) {
  SequenceTracker t(/*partial_start=*/true);
  EXPECT_EQ(t.add(event(1, 3)), Arrival::in_order);
  t.add(event(1, 4));
  UserReport u = only_user(t);
  EXPECT_TRUE(u.ok());
  EXPECT_EQ(u.first_version, 3);
}

TEST(SequenceTracker, PartialStartStillSeesLaterGaps) {
  SequenceTracker t(true);
  t.add(event(1, 7));
  t.add(event(1, 9));
  EXPECT_EQ(only_user(t).missing, 1u);
}

TEST(SequenceTracker, LateVersionIsReorderedAndFillsTheGap) {
  SequenceTracker t;
  t.add(event(1, 1));
  t.add(event(1, 3));
  EXPECT_EQ(t.add(event(1, 2)), Arrival::reordered);
  t.add(event(1, 4));
  UserReport u = only_user(t);
  EXPECT_FALSE(u.ok());
  EXPECT_EQ(u.reordered, 1u);
  EXPECT_EQ(u.missing, 0u);
}

TEST(SequenceTracker, ReorderIsCountedAfterDeduplication) {
  // 2 is delivered again after 3: a duplicate, not a reorder.
  SequenceTracker t;
  for (int v : {1, 2, 3, 2, 4}) t.add(event(1, v));
  UserReport u = only_user(t);
  EXPECT_TRUE(u.ok());
  EXPECT_EQ(u.duplicates, 1u);
}

TEST(SequenceTracker, TwoEventsWithOneVersionConflict) {
  SequenceTracker t;
  t.add(event(1, 1));
  t.add(event(1, 2, "ProfileUpdated", 100));
  EXPECT_EQ(t.add(event(1, 2, "ProfileUpdated", 200)), Arrival::conflict);
  UserReport u = only_user(t);
  EXPECT_FALSE(u.ok());
  EXPECT_EQ(u.conflicts, 1u);
  EXPECT_EQ(u.events, 3u);
}

TEST(SequenceTracker, EventIdReusedWithAnotherVersionIsInconsistent) {
  SequenceTracker t;
  t.add(event(1, 1, "ProfileCreated", 42));
  EXPECT_EQ(t.add(event(1, 2, "ProfileUpdated", 42)), Arrival::inconsistent);
  UserReport u = only_user(t);
  EXPECT_FALSE(u.ok());
  EXPECT_EQ(u.inconsistent_duplicates, 1u);
  EXPECT_EQ(u.events, 1u);
}

TEST(SequenceTracker, EventIdReusedForAnotherUserIsInconsistent) {
  SequenceTracker t;
  t.add(event(1, 1, "ProfileCreated", 42));
  Event other = event(2, 1, "ProfileCreated", 42);
  other.event_id = event(1, 1, "ProfileCreated", 42).event_id;
  EXPECT_EQ(t.add(other), Arrival::inconsistent);
  EXPECT_EQ(t.totals().users_with_anomalies, 1u);
}

TEST(SequenceTracker, RecreatedUserStartsANewIncarnation) {
  SequenceTracker t;
  t.add(event(1, 1, "ProfileCreated", 1));
  t.add(event(1, 2, "ContactAdded", 2));
  t.add(event(1, 3, "ProfileDeleted", 3));
  EXPECT_EQ(t.add(event(1, 1, "ProfileCreated", 4)), Arrival::in_order);
  EXPECT_EQ(t.add(event(1, 2, "ProfileUpdated", 5)), Arrival::in_order);
  UserReport u = only_user(t);
  EXPECT_TRUE(u.ok());
  EXPECT_EQ(u.incarnations, 2u);
  EXPECT_EQ(u.events, 5u);
  EXPECT_EQ(u.last_version, 2);
  EXPECT_FALSE(u.deleted);
}

TEST(SequenceTracker, DeletedUserIsReportedDeleted) {
  SequenceTracker t;
  t.add(event(1, 1, "ProfileCreated"));
  t.add(event(1, 2, "ProfileDeleted"));
  EXPECT_TRUE(only_user(t).deleted);
}

TEST(SequenceTracker, RecreationWithoutDeletionMeansTheDeletionIsMissing) {
  SequenceTracker t;
  t.add(event(1, 1, "ProfileCreated", 1));
  t.add(event(1, 2, "ProfileUpdated", 2));
  t.add(event(1, 1, "ProfileCreated", 3));
  UserReport u = only_user(t);
  EXPECT_FALSE(u.ok());
  EXPECT_EQ(u.missing, 1u);
  ASSERT_EQ(u.gaps.size(), 1u);
  EXPECT_EQ(u.gaps[0].incarnation, 0u);
  EXPECT_EQ(u.gaps[0].first, 3);
}

TEST(SequenceTracker, LateProfileCreatedIsAReorderNotANewIncarnation) {
  SequenceTracker t;
  t.add(event(1, 2, "ProfileUpdated", 2));
  EXPECT_EQ(t.add(event(1, 1, "ProfileCreated", 1)), Arrival::reordered);
  t.add(event(1, 3, "ProfileUpdated", 3));
  UserReport u = only_user(t);
  EXPECT_EQ(u.incarnations, 1u);
  EXPECT_EQ(u.reordered, 1u);
  EXPECT_EQ(u.missing, 0u);
}

TEST(SequenceTracker, UsersAreIndependent) {
  SequenceTracker t;
  t.add(event(1, 1));
  t.add(event(2, 1));
  t.add(event(1, 2));
  t.add(event(2, 2));
  t.add(event(2, 4));
  auto users = t.users();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].user_id, user(1));
  EXPECT_TRUE(users[0].ok());
  EXPECT_EQ(users[1].user_id, user(2));
  EXPECT_EQ(users[1].missing, 1u);
  Totals totals = t.totals();
  EXPECT_EQ(totals.users, 2u);
  EXPECT_EQ(totals.events, 5u);
  EXPECT_EQ(totals.missing, 1u);
  EXPECT_EQ(totals.users_with_anomalies, 1u);
}

TEST(SequenceTracker, OneUserOnTwoPartitionsIsAnAnomaly) {
  SequenceTracker t;
  t.add(event(1, 1, "ProfileCreated", 0, 0));
  t.add(event(1, 2, "ProfileUpdated", 0, 3));
  UserReport u = only_user(t);
  EXPECT_FALSE(u.ok());
  EXPECT_EQ(u.partitions, (std::vector<std::int32_t>{0, 3}));
  EXPECT_EQ(t.totals().users_on_several_partitions, 1u);
}

TEST(SequenceTracker, SeenAndDistinctEvents) {
  SequenceTracker t;
  Event e = event(1, 1);
  EXPECT_FALSE(t.seen(e.event_id));
  t.add(e);
  t.add(e);
  EXPECT_TRUE(t.seen(e.event_id));
  EXPECT_EQ(t.distinct_events(user(1)), 1u);
  EXPECT_EQ(t.distinct_events(user(9)), 0u);
}

TEST(SequenceTracker, LongStreamStaysCheap) {
  SequenceTracker t;
  for (int v = 1; v <= 100000; ++v) t.add(event(1, v));
  UserReport u = only_user(t);
  EXPECT_TRUE(u.ok());
  EXPECT_EQ(u.events, 100000u);
}

TEST(SequenceTracker, ArrivalNames) {
  EXPECT_STREQ(to_string(Arrival::reordered), "reordered");
  EXPECT_STREQ(to_string(Arrival::duplicate), "duplicate");
}
