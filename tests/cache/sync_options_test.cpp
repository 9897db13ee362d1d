#include "sync_options.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

using realchat::SyncOptions;

namespace {
realchat::SyncParseResult parse(std::vector<const char*> args, std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "profile-cache-sync");
  return realchat::parse_sync_options(static_cast<int>(args.size()), args.data(), [&env](const char* n) -> const char* {
    auto it = env.find(n);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}
}  // namespace

TEST(SyncOptions, DefaultsAndOverrides) {
  auto r = parse({"--brokers", "k:1", "--redis", "127.0.0.1:7000", "-X", "session.timeout.ms=6000"});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_EQ(r.options->group, "profile-cache");
  EXPECT_EQ(r.options->topic, "profile.events");
  EXPECT_EQ(r.options->redis_port, 7000);
  EXPECT_EQ(r.options->metrics_port, 9188);
  EXPECT_EQ(r.options->kafka_settings.size(), 1u);
}

TEST(SyncOptions, EnvironmentStandsInForBrokersAndRedis) {
  auto r = parse({}, {{"PROFILE_CACHE_SYNC_BROKERS", "k:1"}, {"PROFILE_CACHE_SYNC_REDIS", "127.0.0.1:7001"}});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_EQ(r.options->brokers, "k:1");
  EXPECT_EQ(r.options->redis_port, 7001);
}

TEST(SyncOptions, BadOptionsAreOneLine) {
  EXPECT_NE(parse({}).error.find("no Kafka brokers"), std::string::npos);
  EXPECT_NE(parse({"--brokers", "k:1", "--redis", "nowhere"}).error.find("--redis"), std::string::npos);
  EXPECT_NE(parse({"--brokers", "k:1", "--batch-size", "0"}).error.find("--batch-size"), std::string::npos);
  EXPECT_NE(parse({"--brokers", "k:1", "--floor-ttl", "10ms"}).error.find("--floor-ttl"), std::string::npos);
  EXPECT_NE(parse({"--brokers", "k:1", "-X", "enable.auto.commit=perhaps"}).error.find("-X"), std::string::npos);
}
