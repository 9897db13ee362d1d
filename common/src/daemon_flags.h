// The flags every daemon reads the same way, so their spelling and errors cannot drift apart.
#pragma once

#include <optional>
#include <string>

#include "log.h"

namespace realchat {

// Checks --metrics-addr and --log-level as given on the command line and stores them.
// Returns the error message for the first bad one, or nothing.
std::optional<std::string> read_daemon_flags(const std::string& metrics_addr, const std::string& log_level,
                                             std::string* metrics_host, int* metrics_port, LogLevel* level);

}  // namespace realchat
