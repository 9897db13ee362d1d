// occurred_at of an event (the payload's "YYYY-MM-DDTHH:MM:SS.ffffffZ") for the lag metric.
#pragma once

#include <optional>
#include <string_view>

namespace realchat {

// Seconds since the epoch of the payload's occurred_at; nullopt if absent or malformed.
std::optional<double> event_occurred_at(std::string_view payload);

}  // namespace realchat
