// Durations on the command line: "250ms", "10s", "5m", "2h", "1d", or a bare
// number of seconds. "0" is allowed and means "off" where an option says so.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace realchat {

using Millis = std::chrono::milliseconds;

// nullopt if the text is not a non-negative duration.
std::optional<Millis> parse_duration(std::string_view text);

// "1500ms", "10s", "2h": the shortest exact form, for logs and --help.
std::string format_duration(Millis d);

}  // namespace realchat
