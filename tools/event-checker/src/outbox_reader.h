// outbox_reader.h: what was committed, read from profile.outbox with libpq.
#pragma once

#include <string>
#include <variant>

#include "expectations.h"

namespace event_checker {

struct OutboxError {
  std::string message;  // never contains the connection string
};

// Every outbox row of `topic`: its key, event id and state (published, pending, quarantined).
std::variant<Expectations, OutboxError> read_outbox(const std::string& conninfo, const std::string& topic);

}  // namespace event_checker
