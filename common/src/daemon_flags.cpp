#include "daemon_flags.h"

#include "listen_address.h"

namespace realchat {

std::optional<std::string> read_daemon_flags(const std::string& metrics_addr, const std::string& log_level,
                                             std::string* metrics_host, int* metrics_port, LogLevel* level) {
  if (!parse_listen_address(metrics_addr, metrics_host, metrics_port))
    return "--metrics-addr \"" + metrics_addr + "\" is not HOST:PORT (or \"off\")";
  if (!parse_log_level(log_level, level)) return std::string("--log-level must be debug, info, warn or error");
  return std::nullopt;
}

}  // namespace realchat
