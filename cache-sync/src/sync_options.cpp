#include "sync_options.h"

// -X values may contain commas (bootstrap lists): never split them.
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>

#include <charconv>

#include "daemon_flags.h"
#include "listen_address.h"

namespace realchat {

namespace {

SyncParseResult fail(std::string message) { return SyncParseResult{std::nullopt, std::move(message)}; }

bool parse_int(const std::string& text, std::int64_t* out) {
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && p == end && !text.empty();
}

}  // namespace

SyncParseResult parse_sync_options(int argc, const char* const* argv,
                                   const std::function<const char*(const char*)>& env) {
  cxxopts::Options spec("profile-cache-sync",
                        "Keeps the Redis read cache of profiles current from the profile.events stream: each\n"
                        "event is applied by the Redis function library realchat_profile, and a Kafka offset is\n"
                        "committed only after Redis has applied everything before it.\n");
  spec.custom_help("--brokers HOST:PORT[,HOST:PORT] --redis HOST:PORT [options]");
  // clang-format off
  spec.add_options()
    ("brokers", "Kafka bootstrap brokers (default: $PROFILE_CACHE_SYNC_BROKERS)", cxxopts::value<std::string>(),
     "HOST:PORT,...")
    ("redis", "Redis address (default: $PROFILE_CACHE_SYNC_REDIS, then 127.0.0.1:6379)",
     cxxopts::value<std::string>(), "HOST:PORT")
    ("X", "librdkafka consumer setting, repeatable; \"-X list\" shows them all",
     cxxopts::value<std::vector<std::string>>(), "NAME=VALUE")
    ("kafka-config", "librdkafka settings from a file of NAME=VALUE lines, before any -X",
     cxxopts::value<std::string>(), "FILE")
    ("topic", "topic of the profile events", cxxopts::value<std::string>()->default_value("profile.events"), "NAME")
    ("group", "Kafka consumer group", cxxopts::value<std::string>()->default_value("profile-cache"), "NAME")
    ("batch-size", "events applied per Redis round trip, at most",
     cxxopts::value<std::string>()->default_value("500"), "N")
    ("redis-timeout", "connect and reply timeout for Redis", cxxopts::value<std::string>()->default_value("2s"),
     "DURATION")
    ("floor-ttl", "how long the newest version of a deleted or uncached user is remembered (refuses older "
     "fills); longer than any reader's SQL read to fill", cxxopts::value<std::string>()->default_value("10m"),
     "DURATION")
    ("commit-interval", "commit applied offsets at most this often",
     cxxopts::value<std::string>()->default_value("200ms"), "DURATION")
    ("metrics-addr", "HTTP listen address for /metrics and /healthz (\"off\" for none)",
     cxxopts::value<std::string>()->default_value("127.0.0.1:9188"), "HOST:PORT")
    ("log-level", "debug, info, warn or error", cxxopts::value<std::string>()->default_value("info"), "LEVEL")
    ("version", "print the version")
    ("h,help", "show this help");
  // clang-format on

  SyncOptions o;
  auto from_env = [&env](const char* name) {
    const char* v = env ? env(name) : nullptr;
    return v ? std::string(v) : std::string();
  };
  try {
    auto r = spec.parse(argc, argv);
    if (r.count("help")) {
      o.command = SyncOptions::Command::help;
      o.help_text = spec.help() + "DURATION is a number with ms, s, m, h or d; a bare number is seconds.\n";
      return {o, {}};
    }
    if (r.count("version")) {
      o.command = SyncOptions::Command::version;
      return {o, {}};
    }
    if (!r.unmatched().empty()) return fail("unexpected argument \"" + r.unmatched().front() + "\"");
    std::optional<std::string> kafka_config;
    if (r.count("kafka-config")) kafka_config = r["kafka-config"].as<std::string>();
    std::vector<std::string> x_args;
    if (r.count("X")) x_args = r["X"].as<std::vector<std::string>>();
    bool list_kafka_properties = false;
    std::string kafka_error;
    if (!read_kafka_flags(kafka_config, x_args, &o.kafka_settings, &list_kafka_properties, &kafka_error))
      return fail(kafka_error);
    if (list_kafka_properties) {
      o.command = SyncOptions::Command::kafka_properties;
      return {o, {}};
    }
    o.brokers = r.count("brokers") ? r["brokers"].as<std::string>() : from_env("PROFILE_CACHE_SYNC_BROKERS");
    if (o.brokers.empty() && !kafka_settings_name_brokers(o.kafka_settings))
      return fail("no Kafka brokers: give --brokers HOST:PORT or set PROFILE_CACHE_SYNC_BROKERS");
    std::string redis = r.count("redis") ? r["redis"].as<std::string>() : from_env("PROFILE_CACHE_SYNC_REDIS");
    if (!redis.empty() && (!parse_listen_address(redis, &o.redis_host, &o.redis_port) || o.redis_port == 0))
      return fail("--redis \"" + redis + "\" is not HOST:PORT");
    o.topic = r["topic"].as<std::string>();
    o.group = r["group"].as<std::string>();
    if (o.topic.empty() || o.group.empty()) return fail("--topic and --group must not be empty");
    std::int64_t n;
    if (!parse_int(r["batch-size"].as<std::string>(), &n) || n < 1 || n > 10000)
      return fail("--batch-size must be between 1 and 10000");
    o.batch_size = static_cast<int>(n);
    auto duration = [&r](const char* name, Millis* out) -> std::optional<std::string> {
      std::string text = r[name].as<std::string>();
      auto d = parse_duration(text);
      if (!d || d->count() == 0)
        return std::string("--") + name + " \"" + text + "\" is not a positive duration (examples: 500ms, 10s, 5m)";
      *out = *d;
      return std::nullopt;
    };
    if (auto e = duration("redis-timeout", &o.redis_timeout)) return fail(*e);
    if (auto e = duration("floor-ttl", &o.floor_ttl)) return fail(*e);
    if (auto e = duration("commit-interval", &o.commit_interval)) return fail(*e);
    if (o.floor_ttl.count() < 1000) return fail("--floor-ttl must be at least 1s");
    if (auto e = read_daemon_flags(r["metrics-addr"].as<std::string>(), r["log-level"].as<std::string>(),
                                   &o.metrics_host, &o.metrics_port, &o.log_level))
      return fail(*e);
  } catch (const cxxopts::exceptions::exception& e) {
    return fail(e.what());
  }
  return {o, {}};
}

}  // namespace realchat
