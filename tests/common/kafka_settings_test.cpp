#include "kafka_settings.h"

#include <gtest/gtest.h>

#include "daemon_flags.h"
#include "listen_address.h"

using realchat::KafkaSettings;

TEST(KafkaSettings, XSettingKeepsCommasAndChecksWithLibrdkafka) {
  KafkaSettings s;
  std::string error;
  ASSERT_TRUE(realchat::add_kafka_x_setting("bootstrap.servers=a:1,b:2", &s, &error)) << error;
  EXPECT_EQ(s.at(0), (std::pair<std::string, std::string>{"bootstrap.servers", "a:1,b:2"}));
  EXPECT_TRUE(realchat::kafka_settings_name_brokers(s));
  EXPECT_FALSE(realchat::add_kafka_x_setting("enable.auto.commit=maybe", &s, &error));
  EXPECT_NE(error.find("-X enable.auto.commit:"), std::string::npos) << error;
  EXPECT_FALSE(realchat::add_kafka_x_setting("=1", &s, &error));
  EXPECT_NE(error.find("expected NAME=VALUE"), std::string::npos);
  EXPECT_EQ(s.size(), 1u);
}

TEST(KafkaSettings, NoBrokersNamed) {
  EXPECT_FALSE(realchat::kafka_settings_name_brokers({{"linger.ms", "5"}}));
}

TEST(ListenAddress, FormsAndRejects) {
  std::string host;
  int port = -1;
  ASSERT_TRUE(realchat::parse_listen_address("off", &host, &port));
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(realchat::parse_listen_address(":9188", &host, &port));
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, 9188);
  EXPECT_FALSE(realchat::parse_listen_address("127.0.0.1:", &host, &port));
  EXPECT_FALSE(realchat::parse_listen_address("127.0.0.1:70000", &host, &port));
  EXPECT_FALSE(realchat::parse_listen_address("localhost", &host, &port));
}

TEST(KafkaSettings, FlagsReadConfigThenXAndStopAtList) {
  KafkaSettings s;
  std::string error;
  bool list = true;
  ASSERT_TRUE(realchat::read_kafka_flags(std::nullopt, {"linger.ms=5", "acks=all"}, &s, &list, &error)) << error;
  EXPECT_FALSE(list);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.at(1).first, "acks");

  KafkaSettings listed;
  ASSERT_TRUE(realchat::read_kafka_flags(std::nullopt, {"linger.ms=5", "list", "acks=nonsense"}, &listed, &list,
                                         &error));
  EXPECT_TRUE(list);  // stops at "list": the bad setting after it is never checked
  EXPECT_EQ(listed.size(), 1u);

  KafkaSettings bad;
  EXPECT_FALSE(realchat::read_kafka_flags(std::nullopt, {"acks=nonsense"}, &bad, &list, &error));
  EXPECT_NE(error.find("-X acks:"), std::string::npos) << error;
  EXPECT_FALSE(realchat::read_kafka_flags(std::string("/nonexistent/kafka.properties"), {}, &bad, &list, &error));
}

TEST(DaemonFlags, MetricsAddressAndLogLevel) {
  std::string host;
  int port = -1;
  realchat::LogLevel level = realchat::LogLevel::info;
  EXPECT_FALSE(realchat::read_daemon_flags("127.0.0.1:9187", "debug", &host, &port, &level));
  EXPECT_EQ(port, 9187);
  EXPECT_EQ(level, realchat::LogLevel::debug);
  auto e = realchat::read_daemon_flags("nowhere", "info", &host, &port, &level);
  ASSERT_TRUE(e);
  EXPECT_NE(e->find("--metrics-addr \"nowhere\""), std::string::npos);
  e = realchat::read_daemon_flags("off", "loud", &host, &port, &level);
  ASSERT_TRUE(e);
  EXPECT_NE(e->find("--log-level"), std::string::npos);
}
