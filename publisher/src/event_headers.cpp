#include "event_headers.h"

#include <cstdint>

namespace publisher {

Headers build_headers(const EventFields& f) {
  Headers h;
  auto add = [&h](std::string_view name, std::string_view value) {
    if (!value.empty()) h.items[h.count++] = Header{name, value};
  };
  add("event_id", f.event_id);
  add("event_type", f.event_type);
  add("ce_specversion", "1.0");
  add("ce_id", f.event_id);
  add("ce_type", f.event_type);
  add("ce_source", kEventSource);
  add("ce_time", f.occurred_at);
  add("content-type", "application/json");
  add("traceparent", f.traceparent);
  return h;
}

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int len;
    std::uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte first, overlong 0xC0/0xC1, or > U+10FFFF
    }
    if (end - p < len) return false;
    for (int i = 1; i < len; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;  // overlong, out of range, or a surrogate
    p += len;
  }
  return true;
}

std::optional<std::string> key_problem(std::string_view key) {
  if (key.empty()) return std::string("key is empty");
  if (!is_valid_utf8(key)) return std::string("key is not valid UTF-8");
  return std::nullopt;
}

std::optional<std::string> topic_problem(std::string_view topic) {
  if (topic.empty()) return std::string("topic name is empty");
  if (topic.size() > 249) return std::string("topic name is longer than 249 characters");
  if (topic == "." || topic == "..") return "topic name \"" + std::string(topic) + "\" is not allowed";
  for (char c : topic) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-';
    if (!ok) return std::string("topic name has a character Kafka does not allow (only A-Z a-z 0-9 . _ -)");
  }
  return std::nullopt;
}

}  // namespace publisher
