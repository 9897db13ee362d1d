#include "event_headers.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

using namespace publisher;

namespace {
std::map<std::string, std::string> as_map(const Headers& h) {
  std::map<std::string, std::string> m;
  for (const Header& x : h) m.emplace(std::string(x.name), std::string(x.value));
  return m;
}
}  // namespace

TEST(Headers, CarryTheContractAndCloudEventsHeaders) {
  EventFields f{"1b4e28ba-2fa1-11d2-883f-0016d3cca427", "ProfileUpdated", "2026-11-24T19:00:00.123456Z"};
  auto m = as_map(build_headers(f));
  EXPECT_EQ(m["event_id"], "1b4e28ba-2fa1-11d2-883f-0016d3cca427");
  EXPECT_EQ(m["event_type"], "ProfileUpdated");
  EXPECT_EQ(m["ce_id"], "1b4e28ba-2fa1-11d2-883f-0016d3cca427");
  EXPECT_EQ(m["ce_type"], "ProfileUpdated");
  EXPECT_EQ(m["ce_source"], "/realchat/profile");
  EXPECT_EQ(m["ce_specversion"], "1.0");
  EXPECT_EQ(m["ce_time"], "2026-11-24T19:00:00.123456Z");
  EXPECT_EQ(m["content-type"], "application/json");
  EXPECT_EQ(m.size(), 8u);
}

TEST(Headers, MissingFieldsGiveNoEmptyHeaders) {
  auto m = as_map(build_headers(EventFields{}));
  EXPECT_EQ(m.count("event_id"), 0u);
  EXPECT_EQ(m.count("ce_time"), 0u);
  EXPECT_EQ(m["ce_source"], "/realchat/profile");
  for (const auto& [name, value] : m) EXPECT_FALSE(value.empty()) << name;
}

TEST(Headers, CarryTheWritersTraceparent) {
  EventFields f{"1b4e28ba-2fa1-11d2-883f-0016d3cca427", "ProfileUpdated", "2026-11-24T19:00:00.123456Z",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"};
  auto m = as_map(build_headers(f));
  EXPECT_EQ(m["traceparent"], "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(m["event_id"], "1b4e28ba-2fa1-11d2-883f-0016d3cca427");
  EXPECT_EQ(m.size(), 9u);
  // an untraced row (null traceparent) has no traceparent header
  f.traceparent = {};
  EXPECT_EQ(as_map(build_headers(f)).count("traceparent"), 0u);
}

TEST(Utf8, AcceptsValidAndRejectsBrokenSequences) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // été € 😀
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong, 3 bytes
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation
}

TEST(KeyProblem, EmptyOrNonUtf8KeysAreRejected) {
  EXPECT_FALSE(key_problem("0f8fad5b-d9cb-469f-a165-70867728950e"));
  EXPECT_EQ(key_problem(""), "key is empty");
  EXPECT_EQ(key_problem("ab\xFF"), "key is not valid UTF-8");
}

TEST(TopicProblem, FollowsKafkasNamingRule) {
  EXPECT_FALSE(topic_problem("profile.events"));
  EXPECT_FALSE(topic_problem("a_b-C.9"));
  EXPECT_TRUE(topic_problem(""));
  EXPECT_TRUE(topic_problem("."));
  EXPECT_TRUE(topic_problem(".."));
  EXPECT_TRUE(topic_problem("bad topic!"));
  EXPECT_TRUE(topic_problem(std::string(250, 'a')));
  EXPECT_FALSE(topic_problem(std::string(249, 'a')));
}
