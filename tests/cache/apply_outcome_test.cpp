#include "apply_outcome.h"

#include <gtest/gtest.h>

#include "event_time.h"

using realchat::ApplyOutcome;
using realchat::RedisReply;

namespace {
RedisReply str(const char* s) {
  RedisReply r;
  r.kind = RedisReply::Kind::string;
  r.str = s;
  return r;
}
}  // namespace

TEST(ApplyOutcome, EveryAnswerOfTheLibrary) {
  EXPECT_EQ(classify_apply_reply(str("applied")), ApplyOutcome::applied);
  EXPECT_EQ(classify_apply_reply(str("created")), ApplyOutcome::retry);  // no longer an answer
  EXPECT_EQ(classify_apply_reply(str("duplicate")), ApplyOutcome::duplicate);
  EXPECT_EQ(classify_apply_reply(str("gap")), ApplyOutcome::gap);
  EXPECT_EQ(classify_apply_reply(str("absent")), ApplyOutcome::absent);
  EXPECT_EQ(classify_apply_reply(str("deleted")), ApplyOutcome::deleted);
  EXPECT_EQ(classify_apply_reply(str("bad")), ApplyOutcome::bad);
}

TEST(ApplyOutcome, AnythingElseIsAppliedAgain) {
  RedisReply err;
  err.kind = RedisReply::Kind::error;
  err.str = "ERR Function not found";
  EXPECT_EQ(classify_apply_reply(err), ApplyOutcome::retry);
  EXPECT_TRUE(is_missing_function(err));
  EXPECT_EQ(classify_apply_reply(RedisReply{}), ApplyOutcome::retry);
  EXPECT_EQ(classify_apply_reply(str("OOM")), ApplyOutcome::retry);
  err.str = "OOM command not allowed when used memory > 'maxmemory'";
  EXPECT_FALSE(is_missing_function(err));
}

TEST(EventTime, ReadsOccurredAt) {
  auto t = realchat::event_occurred_at(R"({"event_id":"x","occurred_at":"2026-11-24T19:00:00.123456Z","data":{}})");
  ASSERT_TRUE(t.has_value());
  EXPECT_NEAR(*t, 1795546800.123456, 1e-6);
  EXPECT_FALSE(realchat::event_occurred_at(R"({"occurred_at":"yesterday"})").has_value());
  EXPECT_FALSE(realchat::event_occurred_at("{}").has_value());
}
