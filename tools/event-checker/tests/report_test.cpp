#include "report.h"

#include <gtest/gtest.h>

#include "test_support.h"

using namespace event_checker;
using event_checker::testing::event;

TEST(Report, CompleteUserLine) {
  SequenceTracker t;
  for (int v : {1, 2, 2, 3}) t.add(event(1, v, "ProfileUpdated", 0, 4));
  EXPECT_EQ(format_user(t.users().front()),
            "user 11111111-0000-4000-8000-000000000001: 3 events (4 messages, 1 duplicates), versions 1..3, "
            "partition 4: ok");
}

TEST(Report, AnomaliesAreSpelledOut) {
  SequenceTracker t;
  for (int v : {1, 4, 3, 7}) t.add(event(1, v));
  std::string line = format_user(t.users().front());
  EXPECT_NE(line.find("MISSING 3 (v2, v5..6)"), std::string::npos) << line;
  EXPECT_NE(line.find("REORDERED 1"), std::string::npos) << line;
}

TEST(Report, SummaryEndsWithAMachineReadableLine) {
  SequenceTracker t;
  for (int v : {1, 2, 2}) t.add(event(1, v));
  RunFacts facts;
  facts.topic = "profile.events";
  facts.partitions = 6;
  Expectations e;
  e.add_row(event(1, 1).user_id, event(1, 1).event_id, RowState::published);
  e.add_row(event(1, 1).user_id, event(1, 2).event_id, RowState::published);
  facts.expectation_source = "outbox";
  std::optional<Comparison> c = compare(e, t);
  std::string s = format_summary(t.totals(), facts, c);
  EXPECT_NE(s.find("consumed: 3 messages from 6 partitions of profile.events: 2 events, 1 duplicates"), std::string::npos)
      << s;
  EXPECT_NE(s.find("committed (outbox): 2 events for 1 users; consumed 2, lost 0"), std::string::npos) << s;
  EXPECT_NE(s.find("summary: messages=3 events=2 duplicates=1 malformed=0 users=1 missing=0 reordered=0 conflicts=0 "
                   "committed=2 lost=0 result=OK\n"),
            std::string::npos)
      << s;
  EXPECT_TRUE(passed(t.totals(), facts, c));
}

TEST(Report, MalformedMessagesFailTheRun) {
  SequenceTracker t;
  RunFacts facts;
  facts.malformed = 1;
  EXPECT_FALSE(passed(t.totals(), facts, std::nullopt));
  EXPECT_NE(format_summary(t.totals(), facts, std::nullopt).find("result=FAILED"), std::string::npos);
}
