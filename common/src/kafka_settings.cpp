#include "kafka_settings.h"

#include <librdkafka/rdkafka.h>

#include <fstream>

namespace realchat {

std::optional<std::string> check_kafka_setting(const std::string& name, const std::string& value) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_res_t res = rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof err);
  rd_kafka_conf_destroy(conf);
  if (res == RD_KAFKA_CONF_OK) return std::nullopt;
  return std::string(err);
}

bool add_kafka_x_setting(const std::string& setting, KafkaSettings* out, std::string* error) {
  auto eq = setting.find('=');
  if (eq == std::string::npos || eq == 0) {
    *error = "-X " + setting + ": expected NAME=VALUE (or \"-X list\")";
    return false;
  }
  std::string name = setting.substr(0, eq), value = setting.substr(eq + 1);
  if (auto err = check_kafka_setting(name, value)) {
    *error = "-X " + name + ": " + *err;
    return false;
  }
  out->emplace_back(std::move(name), std::move(value));
  return true;
}

bool load_kafka_config(const std::string& path, KafkaSettings* out, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "--kafka-config " + path + ": cannot read the file";
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    auto eq = line.find('=');
    std::string where = path + ":" + std::to_string(number);
    if (eq == std::string::npos || eq == 0) {
      *error = where + ": expected NAME=VALUE";
      return false;
    }
    std::string name = line.substr(0, eq), value = line.substr(eq + 1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
    value.erase(0, value.find_first_not_of(" \t"));
    if (auto err = check_kafka_setting(name, value)) {
      *error = where + ": " + name + ": " + *err;
      return false;
    }
    out->emplace_back(std::move(name), std::move(value));
  }
  return true;
}

bool kafka_settings_name_brokers(const KafkaSettings& settings) {
  for (const auto& [name, value] : settings)
    if (name == "bootstrap.servers" || name == "metadata.broker.list") return true;
  return false;
}

bool read_kafka_flags(const std::optional<std::string>& config_file, const std::vector<std::string>& x_args,
                      KafkaSettings* out, bool* list, std::string* error) {
  *list = false;
  if (config_file && !load_kafka_config(*config_file, out, error)) return false;
  for (const std::string& setting : x_args) {
    if (setting == "list") {
      *list = true;
      return true;
    }
    if (!add_kafka_x_setting(setting, out, error)) return false;
  }
  return true;
}

}  // namespace realchat
