#include "duration.h"

#include <cctype>
#include <cstdint>
#include <limits>

namespace realchat {

std::optional<Millis> parse_duration(std::string_view text) {
  size_t i = 0;
  std::int64_t value = 0;
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (value > 1'000'000'000) return std::nullopt;  // far beyond any sane setting
    value = value * 10 + (text[i] - '0');
    ++i;
  }
  std::string_view unit = text.substr(i);
  std::int64_t scale;
  if (unit.empty() || unit == "s")
    scale = 1000;
  else if (unit == "ms")
    scale = 1;
  else if (unit == "m" || unit == "min")
    scale = 60'000;
  else if (unit == "h")
    scale = 3'600'000;
  else if (unit == "d")
    scale = 86'400'000;
  else
    return std::nullopt;
  return Millis(value * scale);
}

std::string format_duration(Millis d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0";
  struct Unit {
    std::int64_t scale;
    const char* suffix;
  };
  for (Unit u : {Unit{86'400'000, "d"}, Unit{3'600'000, "h"}, Unit{60'000, "m"}, Unit{1000, "s"}}) {
    if (ms % u.scale == 0) return std::to_string(ms / u.scale) + u.suffix;
  }
  return std::to_string(ms) + "ms";
}

}  // namespace realchat
