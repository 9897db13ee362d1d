#include "event_time.h"

#include <cstdio>
#include <ctime>
#include <string>

namespace realchat {

std::optional<double> event_occurred_at(std::string_view payload) {
  constexpr std::string_view field = "\"occurred_at\":";
  auto at = payload.find(field);
  if (at == std::string_view::npos) return std::nullopt;
  at = payload.find('"', at + field.size());
  if (at == std::string_view::npos || payload.size() < at + 28) return std::nullopt;
  std::string text(payload.substr(at + 1, 27));
  std::tm tm{};
  int micros = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%6dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &micros) != 7)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) + micros / 1e6;
}

}  // namespace realchat
