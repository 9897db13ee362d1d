// One line per event of note on stderr, as key=value pairs:
//   ts=2026-11-25T10:00:00.123Z level=info msg=leader_acquired pid=42
// Values with spaces, quotes or '=' are quoted. Never pass secrets.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

namespace realchat {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

bool parse_log_level(std::string_view text, LogLevel* out);
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);

// Quotes a value for the key=value format when needed.
std::string log_quote(std::string_view value);

class LogLine {
 public:
  LogLine(LogLevel level, std::string_view msg);
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;

  LogLine& kv(std::string_view key, std::string_view value);
  LogLine& kv(std::string_view key, const std::string& value) { return kv(key, std::string_view(value)); }
  LogLine& kv(std::string_view key, const char* value) { return kv(key, std::string_view(value)); }
  LogLine& kv(std::string_view key, std::int64_t value);
  LogLine& kv(std::string_view key, std::uint64_t value);
  LogLine& kv(std::string_view key, int value) { return kv(key, static_cast<std::int64_t>(value)); }
  LogLine& kv(std::string_view key, double value);
  LogLine& kv(std::string_view key, bool value) { return kv(key, value ? "true" : "false"); }

 private:
  bool enabled_;
  std::string line_;
};

inline LogLine log_debug(std::string_view msg) { return LogLine(LogLevel::debug, msg); }
inline LogLine log_info(std::string_view msg) { return LogLine(LogLevel::info, msg); }
inline LogLine log_warn(std::string_view msg) { return LogLine(LogLevel::warn, msg); }
inline LogLine log_error(std::string_view msg) { return LogLine(LogLevel::error, msg); }

}  // namespace realchat
