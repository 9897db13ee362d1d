#include "listen_address.h"

#include <charconv>
#include <cstdint>

namespace realchat {

bool parse_listen_address(const std::string& text, std::string* host, int* port) {
  if (text.empty() || text == "off") {
    host->clear();
    *port = 0;
    return true;
  }
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string digits = text.substr(colon + 1);
  std::int64_t p = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || p < 1 || p > 65535) return false;
  *host = h.empty() ? "0.0.0.0" : h;
  *port = static_cast<int>(p);
  return true;
}

}  // namespace realchat
