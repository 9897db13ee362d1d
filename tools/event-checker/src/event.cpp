#include "event.h"

#include <nlohmann/json.hpp>

namespace event_checker {

namespace {

MalformedMessage malformed(std::string reason) { return MalformedMessage{std::move(reason)}; }

}  // namespace

std::variant<Event, MalformedMessage> parse_event(std::string_view key, std::string_view value, std::int32_t partition,
                                                  std::int64_t offset) {
  nlohmann::json doc = nlohmann::json::parse(value.begin(), value.end(), nullptr, false);
  if (doc.is_discarded()) return malformed("value is not JSON");
  if (!doc.is_object()) return malformed("value is not a JSON object");

  Event event;
  event.partition = partition;
  event.offset = offset;

  auto text_field = [&doc](const char* name) -> const std::string* {
    auto it = doc.find(name);
    if (it == doc.end() || !it->is_string()) return nullptr;
    return it->get_ptr<const std::string*>();
  };
  const std::string* event_id = text_field("event_id");
  if (!event_id) return malformed("no event_id string");
  auto eid = parse_uuid(*event_id);
  if (!eid) return malformed("event_id is not a uuid: " + *event_id);
  event.event_id = *eid;

  const std::string* user_id = text_field("user_id");
  if (!user_id) return malformed("no user_id string");
  auto uid = parse_uuid(*user_id);
  if (!uid) return malformed("user_id is not a uuid: " + *user_id);
  event.user_id = *uid;

  const std::string* event_type = text_field("event_type");
  if (!event_type || event_type->empty()) return malformed("no event_type string");
  event.event_type = *event_type;

  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer()) return malformed("no integer version");
  event.version = version->get<std::int64_t>();
  if (event.version < 1) return malformed("version " + std::to_string(event.version) + " is below 1");

  // The contract: the key is the owner's user_id in canonical lower-case form.
  if (key.empty()) return malformed("no message key");
  if (key != to_string(event.user_id))
    return malformed("message key " + std::string(key) + " is not the event's user_id " + *user_id);
  return event;
}

}  // namespace event_checker
