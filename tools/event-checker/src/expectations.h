// expectations.h: what was committed, to compare with what was consumed.
//
// From a file (`--expect`): one "USER_ID COUNT" line per user, the number of events committed for
// that user (its highest version, when the id was never re-used); exact, or lower bounds.
// From the outbox (`--expect-from-db`): every row's event id, so a lost event is named exactly.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "sequence_tracker.h"
#include "uuid.h"

namespace event_checker {

enum class RowState : std::uint8_t { published, pending, quarantined };

struct Expectations {
  std::unordered_map<Uuid, std::uint64_t, UuidHash> events_per_user;
  // When known (from the outbox): each committed event and the state of its row.
  std::optional<std::unordered_map<Uuid, RowState, UuidHash>> event_ids;
  bool at_least = false;  // counts are lower bounds (a writer that cannot know every commit)

  std::uint64_t total() const;
  // Adds one committed event (an outbox row).
  void add_row(const Uuid& user_id, const Uuid& event_id, RowState state);
};

struct ParseError {
  std::string message;
};

// "USER_ID COUNT" per line; blank lines and lines starting with '#' are skipped. A user listed
// twice gets the sum.
std::variant<Expectations, ParseError> parse_expectations(std::istream& in);

struct ShortUser {
  Uuid user_id;
  std::uint64_t expected = 0;
  std::uint64_t consumed = 0;
};

struct Comparison {
  std::uint64_t expected = 0;          // committed events
  std::uint64_t consumed = 0;          // of those, consumed
  std::uint64_t lost = 0;              // committed, never consumed
  std::uint64_t lost_pending = 0;      // ... whose outbox row is not yet published
  std::uint64_t lost_quarantined = 0;  // ... whose outbox row is quarantined
  std::uint64_t unexpected = 0;        // consumed beyond an exact expectation
  std::uint64_t not_in_outbox = 0;     // consumed, no outbox row (purged, or written after the read)
  std::uint64_t users_expected = 0;
  std::uint64_t users_short = 0;
  std::uint64_t users_unknown = 0;     // consumed, but not in the expectations
  std::vector<ShortUser> short_users;  // ordered by user id
  std::vector<Uuid> lost_event_ids;    // the first few, when ids are known

  bool ok() const { return lost == 0 && unexpected == 0; }
};

// `lost_ids_to_keep` bounds lost_event_ids.
Comparison compare(const Expectations& expected, const SequenceTracker& consumed, std::size_t lost_ids_to_keep = 20);

}  // namespace event_checker
