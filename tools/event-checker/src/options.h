// options.h: the event-checker command line.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace event_checker {

struct Options {
  std::string brokers;
  std::string topic = "profile.events";
  std::string group;  // empty: every partition from its first offset, no consumer group
  std::vector<std::pair<std::string, std::string>> kafka_settings;  // -X name=value
  int timeout_seconds = 120;
  std::string expect_file;
  bool expect_at_least = false;
  std::string expect_db;  // conninfo; never printed
  bool partial = false;
  bool verbose = false;
  int max_users = 20;
};

struct ParseResult {
  std::optional<Options> options;  // empty when the program should exit
  std::string message;             // the help text, or the error
  int exit_code = 0;               // when options is empty: 0 after --help, 2 on a bad command line
};

ParseResult parse_options(int argc, const char* const* argv);

// Exit codes, also listed by --help.
constexpr int kExitOk = 0;
constexpr int kExitAnomalies = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreadable = 3;

}  // namespace event_checker
