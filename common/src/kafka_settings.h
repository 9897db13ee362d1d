// librdkafka settings from the command line (-X NAME=VALUE, as kcat) and from
// a properties file, each checked by rd_kafka_conf_set at parse time so a typo
// fails at start, not at first use.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace realchat {

using KafkaSettings = std::vector<std::pair<std::string, std::string>>;

// librdkafka's own error text, or nullopt if the setting is accepted.
std::optional<std::string> check_kafka_setting(const std::string& name, const std::string& value);

// One -X argument: appends NAME=VALUE to *out, or false with a one-line
// *error. The caller handles "-X list" itself.
bool add_kafka_x_setting(const std::string& setting, KafkaSettings* out, std::string* error);

// Reads a librdkafka properties file (name=value lines, # comments), checking
// each setting; false with a one-line *error naming the file and line.
bool load_kafka_config(const std::string& path, KafkaSettings* out, std::string* error);

// --kafka-config FILE (when given) then every -X argument, in that order, as both daemons take them.
// "-X list" sets *list (the caller prints librdkafka's properties) and stops there.
bool read_kafka_flags(const std::optional<std::string>& config_file, const std::vector<std::string>& x_args,
                      KafkaSettings* out, bool* list, std::string* error);

// True if the settings already name the brokers (bootstrap.servers or metadata.broker.list).
bool kafka_settings_name_brokers(const KafkaSettings& settings);

}  // namespace realchat
