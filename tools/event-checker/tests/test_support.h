// test_support.h: small builders for the checker's unit tests.
#pragma once

#include <cstdio>
#include <string>

#include "event.h"
#include "uuid.h"

namespace event_checker::testing {

// A uuid whose last group is `n`, e.g. user(1) = 00000000-0000-4000-8000-000000000001.
inline Uuid id(unsigned long long prefix, unsigned long long n) {
  char text[37];
  std::snprintf(text, sizeof text, "%08llx-0000-4000-8000-%012llx", prefix, n);
  return *parse_uuid(text);
}
inline Uuid user(unsigned long long n) { return id(0x11111111, n); }

// Event `n` of a user has a stable id, so sending it twice is a duplicate.
inline Event event(unsigned long long user_n, long long version, const std::string& type = "ProfileUpdated",
                   unsigned long long event_n = 0, int partition = 0) {
  Event e;
  e.user_id = user(user_n);
  e.event_id = id(0xeeee0000 + user_n, event_n ? event_n : static_cast<unsigned long long>(version));
  e.event_type = type;
  e.version = version;
  e.partition = partition;
  return e;
}

}  // namespace event_checker::testing
