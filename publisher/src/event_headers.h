// What goes on a Kafka message besides key and value, and which rows cannot
// go at all. Pure functions over the values read from profile.outbox.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace publisher {

// CloudEvents "source" of every event the Profile Service emits.
inline constexpr std::string_view kEventSource = "/realchat/profile";

// Fields of the payload the headers repeat; empty when the payload lacks one.
struct EventFields {
  std::string_view event_id;
  std::string_view event_type;
  std::string_view occurred_at;  // RFC 3339, as the payload has it
  std::string_view traceparent = {};  // outbox.traceparent, checked by the extension when written
};

struct Header {
  std::string_view name;
  std::string_view value;
};

struct Headers {
  std::array<Header, 9> items;
  std::size_t count = 0;
  const Header* begin() const { return items.data(); }
  const Header* end() const { return items.data() + count; }
};

// event_id, event_type and the CloudEvents binary-mode headers (ce_id,
// ce_type, ce_source, ce_specversion, ce_time, content-type), and the W3C
// `traceparent` when the writer set one. Absent fields give no header. The views point into `fields` and static strings.
Headers build_headers(const EventFields& fields);

bool is_valid_utf8(std::string_view text);

// Why a row can never be delivered as it is, or nullopt if it can. Kafka takes
// any bytes as a key, but the contract's key is a user id: an empty or
// non-UTF-8 key is a corrupt row, not something to send.
std::optional<std::string> key_problem(std::string_view key);

// Kafka's rule for topic names: 1 to 249 of [A-Za-z0-9._-], not "." or "..".
std::optional<std::string> topic_problem(std::string_view topic);

}  // namespace publisher
