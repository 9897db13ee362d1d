#include "options.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

using namespace publisher;

namespace {

ParseResult parse(std::vector<const char*> args, std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "profile-publisher");
  EnvLookup lookup = [env](const char* name) -> const char* {
    static thread_local std::string value;
    auto it = env.find(name);
    if (it == env.end()) return nullptr;
    value = it->second;
    return value.c_str();
  };
  return parse_options(static_cast<int>(args.size()), args.data(), lookup);
}
}  // namespace

TEST(Options, DefaultsAreSensible) {
  auto r = parse({"--brokers", "127.0.0.1:9092"});
  ASSERT_TRUE(r.options) << r.error;
  const Options& o = *r.options;
  EXPECT_EQ(o.command, Command::run);
  EXPECT_EQ(o.brokers, "127.0.0.1:9092");
  EXPECT_EQ(o.db, "");
  EXPECT_FALSE(o.once);
  EXPECT_EQ(o.batch_size, 5000);
  EXPECT_EQ(o.max_in_flight, 50000);
  EXPECT_EQ(o.poll_interval, Millis(1000));
  EXPECT_EQ(o.prepared_poll, Millis(200));
  EXPECT_EQ(o.channel, "profile_outbox");
  EXPECT_EQ(o.metrics_host, "127.0.0.1");
  EXPECT_EQ(o.metrics_port, 9187);
  EXPECT_EQ(o.retention, Millis(86400000));
  EXPECT_EQ(o.flush_timeout, Millis(10000));
  EXPECT_EQ(o.log_level, LogLevel::info);
}

TEST(Options, EverySettingParses) {
  auto r = parse({"--db", "host=db dbname=p", "--brokers", "a:1,b:2", "-X", "linger.ms=20", "-X",
                  "bootstrap.servers=c:3,d:4", "--once", "--batch-size", "100", "--max-in-flight", "400",
                  "--poll-interval", "10s", "--prepared-poll", "0", "--channel", "wake", "--metrics-addr", ":9300", "--retention", "0",
                  "--flush-timeout", "2500ms", "--log-level", "debug"});
  ASSERT_TRUE(r.options) << r.error;
  const Options& o = *r.options;
  EXPECT_EQ(o.db, "host=db dbname=p");
  EXPECT_EQ(o.brokers, "a:1,b:2");
  ASSERT_EQ(o.kafka_settings.size(), 2u);
  EXPECT_EQ(o.kafka_settings[0], (std::pair<std::string, std::string>{"linger.ms", "20"}));
  // A comma inside a -X value is not a list separator.
  EXPECT_EQ(o.kafka_settings[1].second, "c:3,d:4");
  EXPECT_TRUE(o.once);
  EXPECT_EQ(o.batch_size, 100);
  EXPECT_EQ(o.max_in_flight, 400);
  EXPECT_EQ(o.poll_interval, Millis(10000));
  EXPECT_EQ(o.prepared_poll, Millis(0));
  EXPECT_EQ(o.channel, "wake");
  EXPECT_EQ(o.metrics_host, "0.0.0.0");
  EXPECT_EQ(o.metrics_port, 9300);
  EXPECT_EQ(o.retention, Millis(0));
  EXPECT_EQ(o.flush_timeout, Millis(2500));
  EXPECT_EQ(o.log_level, LogLevel::debug);
}

TEST(Options, SecretsComeFromTheEnvironment) {
  auto r = parse({}, {{"PROFILE_PUBLISHER_DB", "postgresql://u:pw@h/db"}, {"PROFILE_PUBLISHER_BROKERS", "k:9092"}});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_EQ(r.options->db, "postgresql://u:pw@h/db");
  EXPECT_EQ(r.options->brokers, "k:9092");
  // The command line wins over the environment.
  r = parse({"--db", "host=x"}, {{"PROFILE_PUBLISHER_DB", "host=y"}, {"PROFILE_PUBLISHER_BROKERS", "k:9092"}});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_EQ(r.options->db, "host=x");
}

TEST(Options, BrokersMayComeFromX) {
  auto r = parse({"-X", "bootstrap.servers=k:9092"});
  ASSERT_TRUE(r.options) << r.error;
}

TEST(Options, BadSettingsGiveOneClearLine) {
  struct Case {
    std::vector<const char*> args;
    std::string expect;
  };
  std::vector<Case> cases = {
      {{}, "no Kafka brokers"},
      {{"--brokers", "k:1", "-X", "no.such.thing=1"}, "-X no.such.thing: No such configuration property"},
      {{"--brokers", "k:1", "-X", "linger.ms=banana"}, "-X linger.ms: Invalid value"},
      {{"--brokers", "k:1", "-X", "linger.ms"}, "expected NAME=VALUE"},
      {{"--brokers", "k:1", "--batch-size", "0"}, "--batch-size must be between"},
      {{"--brokers", "k:1", "--batch-size", "ten"}, "--batch-size must be between"},
      {{"--brokers", "k:1", "--batch-size", "500", "--max-in-flight", "100"}, "--max-in-flight must be at least"},
      {{"--brokers", "k:1", "--poll-interval", "0"}, "--poll-interval must be more than 0"},
      {{"--brokers", "k:1", "--poll-interval", "soon"}, "is not a duration"},
      {{"--brokers", "k:1", "--prepared-poll", "often"}, "--prepared-poll \"often\" is not a duration"},
      {{"--brokers", "k:1", "--retention", "-1d"}, "is not a duration"},
      {{"--brokers", "k:1", "--metrics-addr", "localhost"}, "is not HOST:PORT"},
      {{"--brokers", "k:1", "--metrics-addr", "h:70000"}, "is not HOST:PORT"},
      {{"--brokers", "k:1", "--log-level", "loud"}, "--log-level must be"},
      {{"--brokers", "k:1", "--no-such-option"}, "no-such-option"},
      {{"--brokers", "k:1", "stray"}, "unexpected argument \"stray\""},
  };
  for (const Case& c : cases) {
    auto r = parse(c.args);
    EXPECT_FALSE(r.options) << c.expect;
    EXPECT_NE(r.error.find(c.expect), std::string::npos) << "got: " << r.error;
    EXPECT_EQ(r.error.find('\n'), std::string::npos) << r.error;
  }
}

TEST(Options, HelpVersionAndXList) {
  auto r = parse({"--help"});
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->command, Command::help);
  EXPECT_NE(r.options->help_text.find("--brokers"), std::string::npos);
  EXPECT_NE(r.options->help_text.find("PGPASSWORD"), std::string::npos);
  EXPECT_EQ(parse({"--version"}).options->command, Command::version);
  EXPECT_EQ(parse({"-X", "list"}).options->command, Command::kafka_properties);
}

TEST(Options, MetricsCanBeTurnedOff) {
  auto r = parse({"--brokers", "k:1", "--metrics-addr", "off"});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_EQ(r.options->metrics_port, 0);
  std::string host;
  int port;
  ASSERT_TRUE(parse_listen_address("[::1]:9187", &host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 9187);
}

TEST(Options, StallTimeoutDefaultsToThirtySecondsAndZeroTurnsItOff) {
  auto r = parse({"--brokers", "k:1"});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_EQ(r.options->stall_timeout, Millis(30000));
  r = parse({"--brokers", "k:1", "--stall-timeout", "5s"});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_EQ(r.options->stall_timeout, Millis(5000));
  r = parse({"--brokers", "k:1", "--stall-timeout", "0"});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_EQ(r.options->stall_timeout, Millis(0));
  r = parse({"--brokers", "k:1", "--stall-timeout", "never"});
  ASSERT_FALSE(r.options);
  EXPECT_NE(r.error.find("--stall-timeout \"never\" is not a duration"), std::string::npos) << r.error;
}

TEST(Options, RedriveNeedsExactlyOneTarget) {
  auto r = parse({"redrive", "--db", "host=x", "--id", "42"});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_EQ(r.options->command, Command::redrive);
  EXPECT_EQ(r.options->redrive_id, 42);
  EXPECT_EQ(r.options->db, "host=x");
  r = parse({"redrive", "--all"}, {{"PROFILE_PUBLISHER_DB", "host=y"}});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_TRUE(r.options->redrive_all);
  EXPECT_EQ(r.options->db, "host=y");
  EXPECT_FALSE(parse({"redrive"}).options);
  EXPECT_FALSE(parse({"redrive", "--all", "--id", "3"}).options);
  EXPECT_FALSE(parse({"redrive", "--id", "0"}).options);
}

TEST(Options, QuarantinedNeedsNoBrokers) {
  auto r = parse({"quarantined", "--db", "host=x"});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_EQ(r.options->command, Command::quarantined);
}

TEST(Options, KafkaConfigFileComesBeforeX) {
  std::string path = ::testing::TempDir() + "kafka.properties";
  {
    std::ofstream f(path);
    f << "# SASL for production\n\n  security.protocol = SASL_SSL\nsasl.password=s3cret\nlinger.ms=50\n";
  }
  auto r = parse({"--brokers", "k:1", "--kafka-config", path.c_str(), "-X", "linger.ms=7"});
  ASSERT_TRUE(r.options) << r.error;
  const auto& s = r.options->kafka_settings;
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0], (std::pair<std::string, std::string>{"security.protocol", "SASL_SSL"}));
  EXPECT_EQ(s[1].second, "s3cret");
  EXPECT_EQ(s[3], (std::pair<std::string, std::string>{"linger.ms", "7"}));  // -X wins, applied last
}

TEST(Options, KafkaConfigErrorsNameFileAndLine) {
  std::string path = ::testing::TempDir() + "bad.properties";
  {
    std::ofstream f(path);
    f << "linger.ms=5\nlinger.ms=banana\n";
  }
  auto r = parse({"--brokers", "k:1", "--kafka-config", path.c_str()});
  ASSERT_FALSE(r.options);
  EXPECT_NE(r.error.find(path + ":2: linger.ms: Invalid value"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find('\n'), std::string::npos);
  r = parse({"--brokers", "k:1", "--kafka-config", "/nonexistent/kafka.properties"});
  ASSERT_FALSE(r.options);
  EXPECT_NE(r.error.find("cannot read"), std::string::npos);
}
