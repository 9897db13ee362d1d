#include "options.h"

#include <gtest/gtest.h>

#include <vector>

using namespace event_checker;

namespace {

ParseResult parse(std::vector<const char*> args) {
  args.insert(args.begin(), "event-checker");
  return parse_options(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST(Options, Defaults) {
  auto r = parse({"--brokers", "127.0.0.1:9092"});
  ASSERT_TRUE(r.options) << r.message;
  EXPECT_EQ(r.options->brokers, "127.0.0.1:9092");
  EXPECT_EQ(r.options->topic, "profile.events");
  EXPECT_EQ(r.options->group, "");
  EXPECT_EQ(r.options->timeout_seconds, 120);
  EXPECT_FALSE(r.options->partial);
  EXPECT_FALSE(r.options->verbose);
  EXPECT_EQ(r.options->max_users, 20);
  EXPECT_TRUE(r.options->kafka_settings.empty());
}

TEST(Options, Everything) {
  auto r = parse({"-b", "a:1,b:2", "-t", "t1", "-g", "audit", "-X", "bootstrap.servers=x:1,y:2", "-X",
                  "debug=protocol", "--timeout", "30", "--expect", "counts.txt", "--expect-at-least", "--partial",
                  "-v", "--max-users", "3"});
  ASSERT_TRUE(r.options) << r.message;
  const Options& o = *r.options;
  EXPECT_EQ(o.brokers, "a:1,b:2");
  EXPECT_EQ(o.topic, "t1");
  EXPECT_EQ(o.group, "audit");
  ASSERT_EQ(o.kafka_settings.size(), 2u);
  EXPECT_EQ(o.kafka_settings[0].first, "bootstrap.servers");
  EXPECT_EQ(o.kafka_settings[0].second, "x:1,y:2");
  EXPECT_EQ(o.timeout_seconds, 30);
  EXPECT_EQ(o.expect_file, "counts.txt");
  EXPECT_TRUE(o.expect_at_least);
  EXPECT_TRUE(o.partial);
  EXPECT_TRUE(o.verbose);
  EXPECT_EQ(o.max_users, 3);
}

TEST(Options, HelpExitsZeroAndExplainsExitCodes) {
  auto r = parse({"--help"});
  EXPECT_FALSE(r.options);
  EXPECT_EQ(r.exit_code, kExitOk);
  EXPECT_NE(r.message.find("--brokers"), std::string::npos);
  EXPECT_NE(r.message.find("--expect-from-db"), std::string::npos);
  EXPECT_NE(r.message.find("Exit status"), std::string::npos);
}

TEST(Options, BadCommandLinesExitTwo) {
  for (auto args : std::vector<std::vector<const char*>>{
           {},
           {"--brokers", ""},
           {"--brokers", "h:1", "--nope"},
           {"--brokers", "h:1", "stray"},
           {"--brokers", "h:1", "-X", "novalue"},
           {"--brokers", "h:1", "--timeout", "0"},
           {"--brokers", "h:1", "--timeout", "soon"},
           {"--brokers", "h:1", "--expect", "f", "--expect-from-db", "dbname=x"},
           {"--brokers", "h:1", "--expect-at-least"},
           {"--brokers", "h:1", "--max-users", "-1"},
       }) {
    auto r = parse(args);
    EXPECT_FALSE(r.options);
    EXPECT_EQ(r.exit_code, kExitUsage);
    EXPECT_NE(r.message.find("event-checker:"), std::string::npos) << r.message;
  }
}
