// event.h: one message of the events topic, as the checker needs it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "uuid.h"

namespace event_checker {

struct Event {
  Uuid user_id;
  Uuid event_id;
  std::string event_type;
  std::int64_t version = 0;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

struct MalformedMessage {
  std::string reason;
};

// Reads the contract's envelope from a message value: event_id, event_type, user_id and version
// are required and well-formed, and the message key must be user_id in canonical lower-case form.
std::variant<Event, MalformedMessage> parse_event(std::string_view key, std::string_view value, std::int32_t partition,
                                                  std::int64_t offset);

}  // namespace event_checker
