#include "inflight_tracker.h"
#include <algorithm>
#include <map>
#include <random>

#include <gtest/gtest.h>

using publisher::InFlightTracker;
using publisher::Settled;
using Ids = std::vector<std::int64_t>;

TEST(InFlightTracker, AckedRowsOfDifferentKeysAreMarkedInAnyOrder) {
  InFlightTracker t;
  t.add(1, "a");
  t.add(2, "b");
  t.add(3, "c");
  t.acked(3);
  t.acked(1);
  Settled s = t.take_settled();
  EXPECT_EQ(s.publish, (Ids{1, 3}));
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.unresolved(), 1u);
  EXPECT_TRUE(t.contains(2));
  EXPECT_FALSE(t.contains(1));
}

TEST(InFlightTracker, LaterRowOfAKeyWaitsForTheEarlierOne) {
  InFlightTracker t;
  t.add(10, "a");
  t.add(11, "a");
  t.acked(11);
  EXPECT_TRUE(t.take_settled().publish.empty());
  t.acked(10);
  EXPECT_EQ(t.take_settled().publish, (Ids{10, 11}));
  EXPECT_EQ(t.size(), 0u);
}

TEST(InFlightTracker, TransientFailureHoldsItsKeyButNotOthers) {
  InFlightTracker t;
  t.add(1, "a");
  t.add(2, "b");
  t.add(3, "a");
  t.add(4, "b");
  t.failed(1);
  t.acked(2);
  t.acked(3);  // acked, but behind a failed row of the same key
  t.acked(4);
  EXPECT_TRUE(t.needs_retry());
  Settled s = t.take_settled();
  EXPECT_EQ(s.publish, (Ids{2, 4}));
  EXPECT_TRUE(s.quarantine.empty());
  // 1 and 3 stay: still pending in the table, read again after clear().
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.unresolved(), 0u);
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.needs_retry());
  EXPECT_EQ(t.max_id(), 0);
}

TEST(InFlightTracker, RejectedRowIsQuarantinedAndLaterRowsOfItsKeyAreDropped) {
  InFlightTracker t;
  t.add(1, "a");
  t.add(2, "a");
  t.add(3, "a");
  t.add(4, "b");
  t.acked(1);
  t.rejected(2, "Broker: Message size too large");
  EXPECT_TRUE(t.key_blocked("a"));
  EXPECT_FALSE(t.key_blocked("b"));
  t.acked(4);
  Settled s = t.take_settled();
  EXPECT_EQ(s.publish, (Ids{1, 4}));
  ASSERT_EQ(s.quarantine.size(), 1u);
  EXPECT_EQ(s.quarantine[0].id, 2);
  EXPECT_EQ(s.quarantine[0].error, "Broker: Message size too large");
  EXPECT_EQ(s.quarantine[0].key, "a");
  // 3 is still in flight: the key stays blocked until its report arrives.
  EXPECT_TRUE(t.key_blocked("a"));
  EXPECT_EQ(t.blocked_keys(), std::vector<std::string>{"a"});
  t.acked(3);
  s = t.take_settled();
  EXPECT_TRUE(s.publish.empty()) << "a row behind a quarantined one must never be marked";
  EXPECT_TRUE(s.quarantine.empty());
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.key_blocked("a"));
  EXPECT_FALSE(t.needs_retry());
}

TEST(InFlightTracker, RejectionBehindAnUnackedRowWaitsForIt) {
  InFlightTracker t;
  t.add(1, "a");
  t.add(2, "a");
  t.rejected(2, "too large");
  EXPECT_TRUE(t.key_blocked("a"));
  Settled s = t.take_settled();
  EXPECT_TRUE(s.quarantine.empty());
  t.acked(1);
  s = t.take_settled();
  EXPECT_EQ(s.publish, (Ids{1}));
  ASSERT_EQ(s.quarantine.size(), 1u);
  EXPECT_EQ(s.quarantine[0].id, 2);
}

TEST(InFlightTracker, FailureBehindQuarantineNeedsNoRetry) {
  InFlightTracker t;
  t.add(1, "a");
  t.add(2, "a");
  t.rejected(1, "unknown topic");
  t.failed(2);
  Settled s = t.take_settled();
  ASSERT_EQ(s.quarantine.size(), 1u);
  EXPECT_TRUE(s.publish.empty());
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.needs_retry());
}

TEST(InFlightTracker, ReportsForUnknownOrSettledRowsAreIgnored) {
  InFlightTracker t;
  t.add(1, "a");
  t.acked(1);
  t.acked(1);
  t.failed(1);
  t.acked(99);
  EXPECT_EQ(t.take_settled().publish, (Ids{1}));
  t.acked(1);
  EXPECT_TRUE(t.take_settled().publish.empty());
  EXPECT_FALSE(t.needs_retry());
}

TEST(InFlightTracker, TracksHighestIdsOverallAndPerKey) {
  InFlightTracker t;
  t.add(5, "a");
  t.add(9, "b");
  t.add(7, "a");
  EXPECT_EQ(t.max_id(), 9);
  EXPECT_EQ(t.max_id_of_key("a"), 7);
  EXPECT_EQ(t.max_id_of_key("b"), 9);
  EXPECT_EQ(t.max_id_of_key("c"), 0);
  t.add(5, "a");  // a duplicate add is ignored
  EXPECT_EQ(t.size(), 3u);
}

// Random acks and failures over several keys: whatever the order of reports,
// what is marked per key is always a prefix of what was produced for it.
TEST(InFlightTracker, MarkedRowsAreAlwaysAPrefixPerKey) {
  std::mt19937 gen(7);
  for (int round = 0; round < 200; ++round) {
    InFlightTracker t;
    std::map<std::string, Ids> produced;
    std::vector<std::int64_t> ids;
    std::map<std::int64_t, std::string> key_of;
    for (std::int64_t id = 1; id <= 60; ++id) {
      std::string key(1, static_cast<char>('a' + gen() % 5));
      t.add(id, key);
      produced[key].push_back(id);
      key_of[id] = key;
      ids.push_back(id);
    }
    std::shuffle(ids.begin(), ids.end(), gen);
    std::map<std::string, Ids> marked;
    for (std::int64_t id : ids) {
      if (gen() % 10 == 0)
        t.failed(id);
      else
        t.acked(id);
      if (gen() % 3 == 0)
        for (std::int64_t m : t.take_settled().publish) marked[key_of[m]].push_back(m);
    }
    for (std::int64_t m : t.take_settled().publish) marked[key_of[m]].push_back(m);
    for (auto& [key, got] : marked) {
      std::sort(got.begin(), got.end());
      const Ids& all = produced[key];
      ASSERT_LE(got.size(), all.size());
      EXPECT_TRUE(std::equal(got.begin(), got.end(), all.begin())) << "key " << key << " round " << round;
    }
  }
}
