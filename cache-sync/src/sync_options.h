// profile-cache-sync's command line. Parsing and validation only; a bad option becomes one
// line of text for stderr.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "duration.h"
#include "kafka_settings.h"
#include "log.h"

namespace realchat {

struct SyncOptions {
  enum class Command { run, help, version, kafka_properties } command = Command::run;
  std::string brokers;
  KafkaSettings kafka_settings;  // --kafka-config lines, then -X, in order
  std::string topic = "profile.events";
  std::string group = "profile-cache";
  std::string redis_host = "127.0.0.1";
  int redis_port = 6379;
  Millis redis_timeout{2000};
  int batch_size = 500;          // events per Redis pipeline
  Millis floor_ttl{600'000};     // how long a deleted or uncached user's newest version is kept
  Millis commit_interval{200};   // commit applied offsets at most this often
  std::string metrics_host = "127.0.0.1";
  int metrics_port = 9188;
  LogLevel log_level = LogLevel::info;
  std::string help_text;
};

struct SyncParseResult {
  std::optional<SyncOptions> options;
  std::string error;
};

// Environment: PROFILE_CACHE_SYNC_BROKERS and PROFILE_CACHE_SYNC_REDIS stand in for
// --brokers and --redis.
SyncParseResult parse_sync_options(int argc, const char* const* argv,
                                   const std::function<const char*(const char*)>& env);

}  // namespace realchat
