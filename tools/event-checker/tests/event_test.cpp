#include "event.h"

#include <gtest/gtest.h>

using namespace event_checker;

namespace {

const char* kUser = "7d3e6f1a-0000-4000-8000-000000000001";

std::string payload(const std::string& version = "3", const std::string& user = kUser,
                    const std::string& event_id = "\"0b6c9f5e-9a5e-4b8f-8d55-2f6f0b7d4a11\"") {
  return "{\"event_id\":" + event_id + ",\"event_type\":\"ProfileUpdated\",\"user_id\":\"" + user +
         "\",\"version\":" + version + ",\"occurred_at\":\"2026-11-24T19:00:00.123456Z\",\"data\":{}}";
}

std::string reason(const std::variant<Event, MalformedMessage>& r) {
  auto* bad = std::get_if<MalformedMessage>(&r);
  return bad ? bad->reason : "";
}

}  // namespace

TEST(ParseEvent, ReadsTheEnvelope) {
  auto r = parse_event(kUser, payload(), 4, 99);
  ASSERT_TRUE(std::holds_alternative<Event>(r)) << reason(r);
  const Event& e = std::get<Event>(r);
  EXPECT_EQ(to_string(e.user_id), kUser);
  EXPECT_EQ(to_string(e.event_id), "0b6c9f5e-9a5e-4b8f-8d55-2f6f0b7d4a11");
  EXPECT_EQ(e.event_type, "ProfileUpdated");
  EXPECT_EQ(e.version, 3);
  EXPECT_EQ(e.partition, 4);
  EXPECT_EQ(e.offset, 99);
}

TEST(ParseEvent, KeyMustBeTheCanonicalUserId) {
  EXPECT_EQ(reason(parse_event("", payload(), 0, 0)), "no message key");
  EXPECT_NE(reason(parse_event("7D3E6F1A-0000-4000-8000-000000000001", payload(), 0, 0)).find("is not the event's user_id"),
            std::string::npos);
  EXPECT_NE(reason(parse_event("7d3e6f1a-0000-4000-8000-000000000002", payload(), 0, 0)).find("is not the event's"),
            std::string::npos);
}

TEST(ParseEvent, RejectsWhatIsNotAnEnvelope) {
  EXPECT_EQ(reason(parse_event(kUser, "not json", 0, 0)), "value is not JSON");
  EXPECT_EQ(reason(parse_event(kUser, "[1,2]", 0, 0)), "value is not a JSON object");
  EXPECT_EQ(reason(parse_event(kUser, "", 0, 0)), "value is not JSON");
  EXPECT_EQ(reason(parse_event(kUser, payload("\"3\""), 0, 0)), "no integer version");
  EXPECT_EQ(reason(parse_event(kUser, payload("3.5"), 0, 0)), "no integer version");
  EXPECT_EQ(reason(parse_event(kUser, payload("0"), 0, 0)), "version 0 is below 1");
  EXPECT_EQ(reason(parse_event(kUser, payload("3", "nope"), 0, 0)), "user_id is not a uuid: nope");
  EXPECT_EQ(reason(parse_event(kUser, payload("3", kUser, "17"), 0, 0)), "no event_id string");
  EXPECT_EQ(reason(parse_event(kUser, payload("3", kUser, "\"x\""), 0, 0)), "event_id is not a uuid: x");
  EXPECT_EQ(reason(parse_event(kUser, "{\"event_id\":\"0b6c9f5e-9a5e-4b8f-8d55-2f6f0b7d4a11\",\"user_id\":\"" +
                                          std::string(kUser) + "\",\"version\":1}",
                               0, 0)),
            "no event_type string");
}

TEST(Uuid, RoundTripsAndRejectsBadText) {
  auto id = parse_uuid("0B6C9F5E-9A5E-4B8F-8D55-2F6F0B7D4A11");
  ASSERT_TRUE(id);
  EXPECT_EQ(to_string(*id), "0b6c9f5e-9a5e-4b8f-8d55-2f6f0b7d4a11");
  EXPECT_FALSE(parse_uuid("0b6c9f5e9a5e4b8f8d552f6f0b7d4a11"));
  EXPECT_FALSE(parse_uuid("0b6c9f5e-9a5e-4b8f-8d55-2f6f0b7d4a1g"));
  EXPECT_FALSE(parse_uuid("0b6c9f5e-9a5e-4b8f-8d55_2f6f0b7d4a11"));
  EXPECT_FALSE(parse_uuid(""));
}
