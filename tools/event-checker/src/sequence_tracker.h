// sequence_tracker.h: per-user event streams as a consumer sees them, checked against the
// contract: each user's versions rise by exactly one, from 1, on one partition, in order.
//
// Events are first de-duplicated by event_id (at-least-once delivery repeats whole events).
// Of the rest, an event whose version is below one already seen for the user arrived out of
// order; a version never seen below the highest one is a gap (lost); two different events with
// the same version conflict. A ProfileCreated at version 1 after a ProfileDeleted starts a new
// incarnation of the same user id, numbered from 1 again.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "event.h"
#include "version_set.h"

namespace event_checker {

struct Gap {
  std::uint32_t incarnation = 0;  // 0 for the first stream of the user id
  std::int64_t first = 0;
  std::int64_t last = 0;  // inclusive
};

struct UserReport {
  Uuid user_id;
  std::uint64_t messages = 0;    // every message, duplicates included
  std::uint64_t events = 0;      // distinct event ids
  std::uint64_t duplicates = 0;  // messages repeating an event id already seen
  std::uint64_t inconsistent_duplicates = 0;  // ... with another user or version than the first time
  std::uint64_t reordered = 0;   // distinct events that came after a higher version
  std::uint64_t conflicts = 0;   // distinct events reusing a version already taken
  std::uint64_t missing = 0;     // versions never seen
  std::vector<Gap> gaps;
  std::uint32_t incarnations = 0;
  std::int64_t first_version = 0;  // lowest version of the first incarnation
  std::int64_t last_version = 0;   // highest version of the last incarnation
  bool deleted = false;            // the last incarnation ended with ProfileDeleted
  std::vector<std::int32_t> partitions;

  bool ok() const {
    return missing == 0 && reordered == 0 && conflicts == 0 && inconsistent_duplicates == 0 && partitions.size() <= 1;
  }
};

struct Totals {
  std::uint64_t messages = 0;
  std::uint64_t events = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t inconsistent_duplicates = 0;
  std::uint64_t reordered = 0;
  std::uint64_t conflicts = 0;
  std::uint64_t missing = 0;
  std::uint64_t users = 0;
  std::uint64_t users_with_anomalies = 0;
  std::uint64_t users_on_several_partitions = 0;
};

// What one event turned out to be.
enum class Arrival {
  in_order,      // the next version of its stream (or its first)
  ahead,         // new, but versions are missing before it (so far)
  reordered,     // new, below a version already seen
  conflict,      // new event id, version already taken
  duplicate,     // event id seen before
  inconsistent,  // event id seen before, for another user or version
};

class SequenceTracker {
 public:
  // partial_start: the stream may begin mid-way (a consumer group resuming, retention): versions
  // below a user's first one seen are not counted as missing.
  explicit SequenceTracker(bool partial_start = false) : partial_start_(partial_start) {}

  Arrival add(const Event& event);

  // Per-user reports, ordered by user id.
  std::vector<UserReport> users() const;
  Totals totals() const;

  // The distinct events seen for a user (0 if none), and whether an event id was seen.
  std::uint64_t distinct_events(const Uuid& user_id) const;
  bool seen(const Uuid& event_id) const { return event_ids_.count(event_id) != 0; }

 private:
  struct Incarnation {
    VersionSet versions;
    bool deleted = false;  // a ProfileDeleted was seen
    bool restarted_without_delete = false;
  };
  struct UserState {
    std::uint64_t messages = 0;
    std::uint64_t events = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t inconsistent_duplicates = 0;
    std::uint64_t reordered = 0;
    std::uint64_t conflicts = 0;
    std::vector<Incarnation> incarnations;
    std::vector<std::int32_t> partitions;
  };
  struct EventRef {
    Uuid user_id;
    std::int64_t version;
  };

  Incarnation& incarnation_for(UserState& user, const Event& event, bool* late_first);
  UserReport report(const Uuid& user_id, const UserState& user) const;

  bool partial_start_;
  std::unordered_map<Uuid, EventRef, UuidHash> event_ids_;
  std::unordered_map<Uuid, UserState, UuidHash> users_;
};

const char* to_string(Arrival arrival);

}  // namespace event_checker
