// report.h: the checker's text output (one line per user, then the summary).
#pragma once

#include <optional>
#include <string>

#include "expectations.h"
#include "sequence_tracker.h"

namespace event_checker {

// "user <id>: 12 events (14 messages, 2 duplicates), versions 1..12, partition 3: ok"
std::string format_user(const UserReport& user);

struct RunFacts {
  std::string topic;
  int partitions = 0;
  std::uint64_t malformed = 0;
  std::string expectation_source;  // "outbox", "file" or empty
};

// The closing lines: what was consumed, the order checks, the comparison, and a last line
// "summary: key=value ..." for scripts. Ends with a newline.
std::string format_summary(const Totals& totals, const RunFacts& facts, const std::optional<Comparison>& comparison);

// Whether the run passes: no anomaly in any stream, no malformed message, nothing lost.
bool passed(const Totals& totals, const RunFacts& facts, const std::optional<Comparison>& comparison);

}  // namespace event_checker
