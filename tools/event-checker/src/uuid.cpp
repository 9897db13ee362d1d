#include "uuid.h"

namespace event_checker {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<Uuid> parse_uuid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Uuid id;
  int digits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      continue;
    }
    int v = hex_value(text[i]);
    if (v < 0) return std::nullopt;
    std::uint64_t& half = digits < 16 ? id.hi : id.lo;
    half = (half << 4) | static_cast<std::uint64_t>(v);
    ++digits;
  }
  return id;
}

std::string to_string(const Uuid& id) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    std::uint64_t half = i < 16 ? id.hi : id.lo;
    int shift = (15 - (i % 16)) * 4;
    out.push_back(kHex[(half >> shift) & 0xf]);
  }
  return out;
}

}  // namespace event_checker
