// The --metrics-addr form shared by the daemons.
#pragma once

#include <string>

namespace realchat {

// "127.0.0.1:9187", "[::1]:9187", ":9187" (all interfaces), "" or "off" (none: port 0).
bool parse_listen_address(const std::string& text, std::string* host, int* port);

}  // namespace realchat
