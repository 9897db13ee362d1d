#include "expectations.h"

#include <gtest/gtest.h>

#include <sstream>

#include "test_support.h"

using namespace event_checker;
using event_checker::testing::event;
using event_checker::testing::user;

namespace {

std::variant<Expectations, ParseError> parse(const std::string& text) {
  std::istringstream in(text);
  return parse_expectations(in);
}

// A copy out of a named variant (GCC 12 misreads std::get on a temporary as a bad free).
Expectations counts(const std::string& text) {
  auto r = parse(text);
  EXPECT_TRUE(std::holds_alternative<Expectations>(r));
  Expectations e;
  if (auto* parsed = std::get_if<Expectations>(&r)) e = *parsed;
  return e;
}

std::string line(unsigned long long user_n, int count) { return to_string(user(user_n)) + " " + std::to_string(count) + "\n"; }

}  // namespace

TEST(ParseExpectations, ReadsCountsCommentsAndBlankLines) {
  auto r = parse("# committed per user\n\n" + line(1, 5) + line(2, 3) + line(1, 2));
  ASSERT_TRUE(std::holds_alternative<Expectations>(r));
  const Expectations& e = std::get<Expectations>(r);
  EXPECT_EQ(e.events_per_user.at(user(1)), 7u);
  EXPECT_EQ(e.events_per_user.at(user(2)), 3u);
  EXPECT_EQ(e.total(), 10u);
  EXPECT_FALSE(e.event_ids);
}

TEST(ParseExpectations, NamesTheBadLine) {
  auto r = parse(line(1, 5) + "nope 3\n");
  ASSERT_TRUE(std::holds_alternative<ParseError>(r));
  EXPECT_EQ(std::get<ParseError>(r).message, "line 2: not a uuid: nope");
  EXPECT_TRUE(std::holds_alternative<ParseError>(parse(to_string(user(1)) + "\n")));
  EXPECT_TRUE(std::holds_alternative<ParseError>(parse(to_string(user(1)) + " -3\n")));
  EXPECT_TRUE(std::holds_alternative<ParseError>(parse(to_string(user(1)) + " 3 4\n")));
}

TEST(Compare, CountsFromAFile) {
  Expectations e = counts(line(1, 3) + line(2, 2) + line(3, 1));
  SequenceTracker t;
  for (int v : {1, 2, 3, 3}) t.add(event(1, v));  // complete, one duplicate
  t.add(event(2, 1));                             // one short
  for (int v : {1, 2}) t.add(event(3, v));        // one more than committed
  t.add(event(4, 1));                             // not expected at all
  Comparison c = compare(e, t);
  EXPECT_EQ(c.expected, 6u);
  EXPECT_EQ(c.lost, 1u);
  EXPECT_EQ(c.consumed, 5u);
  EXPECT_EQ(c.unexpected, 1u);
  EXPECT_EQ(c.users_short, 1u);
  ASSERT_EQ(c.short_users.size(), 1u);
  EXPECT_EQ(c.short_users[0].user_id, user(2));
  EXPECT_EQ(c.users_unknown, 1u);
  EXPECT_FALSE(c.ok());
}

TEST(Compare, AtLeastCountsAllowMore) {
  Expectations e = counts(line(1, 2));
  e.at_least = true;
  SequenceTracker t;
  for (int v : {1, 2, 3}) t.add(event(1, v));
  Comparison c = compare(e, t);
  EXPECT_EQ(c.lost, 0u);
  EXPECT_EQ(c.unexpected, 0u);
  EXPECT_TRUE(c.ok());
}

TEST(Compare, OutboxRowsNameTheLostEvents) {
  Expectations e;
  e.add_row(user(1), event(1, 1).event_id, RowState::published);
  e.add_row(user(1), event(1, 2).event_id, RowState::published);
  e.add_row(user(1), event(1, 3).event_id, RowState::pending);
  e.add_row(user(2), event(2, 1).event_id, RowState::quarantined);
  e.add_row(user(2), event(2, 1).event_id, RowState::quarantined);  // the same row twice counts once
  SequenceTracker t;
  t.add(event(1, 1));
  t.add(event(1, 2));
  t.add(event(1, 2));
  t.add(event(3, 1));  // purged from the outbox, or written after it was read
  Comparison c = compare(e, t);
  EXPECT_EQ(c.expected, 4u);
  EXPECT_EQ(c.consumed, 2u);
  EXPECT_EQ(c.lost, 2u);
  EXPECT_EQ(c.lost_pending, 1u);
  EXPECT_EQ(c.lost_quarantined, 1u);
  EXPECT_EQ(c.not_in_outbox, 1u);
  EXPECT_EQ(c.unexpected, 0u);
  ASSERT_EQ(c.lost_event_ids.size(), 2u);
  EXPECT_EQ(c.users_short, 2u);
  EXPECT_FALSE(c.ok());
}

TEST(Compare, EverythingConsumedIsOk) {
  Expectations e;
  SequenceTracker t;
  for (int v = 1; v <= 4; ++v) {
    e.add_row(user(1), event(1, v).event_id, RowState::published);
    t.add(event(1, v));
    t.add(event(1, v));
  }
  Comparison c = compare(e, t);
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.consumed, 4u);
  EXPECT_EQ(c.lost, 0u);
  EXPECT_EQ(c.not_in_outbox, 0u);
}

TEST(Compare, LostIdsAreBounded) {
  Expectations e;
  for (int v = 1; v <= 50; ++v) e.add_row(user(1), event(1, v).event_id, RowState::published);
  SequenceTracker t;
  Comparison c = compare(e, t, 5);
  EXPECT_EQ(c.lost, 50u);
  EXPECT_EQ(c.lost_event_ids.size(), 5u);
}
