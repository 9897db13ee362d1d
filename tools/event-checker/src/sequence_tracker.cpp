#include "sequence_tracker.h"

#include <algorithm>

namespace event_checker {

namespace {

constexpr const char* kCreated = "ProfileCreated";
constexpr const char* kDeleted = "ProfileDeleted";

}  // namespace

const char* to_string(Arrival arrival) {
  switch (arrival) {
    case Arrival::in_order: return "in order";
    case Arrival::ahead: return "ahead of a gap";
    case Arrival::reordered: return "reordered";
    case Arrival::conflict: return "version conflict";
    case Arrival::duplicate: return "duplicate";
    case Arrival::inconsistent: return "inconsistent duplicate";
  }
  return "?";
}

// The incarnation an event belongs to. A ProfileCreated at version 1 opens a new one, unless
// the current incarnation is still open and lacks its version 1: then it is that version, late.
SequenceTracker::Incarnation& SequenceTracker::incarnation_for(UserState& user, const Event& event,
                                                               bool* late_first) {
  *late_first = false;
  if (user.incarnations.empty()) {
    user.incarnations.emplace_back();
    return user.incarnations.back();
  }
  Incarnation& current = user.incarnations.back();
  bool opens = event.event_type == kCreated && event.version == 1;
  if (!opens || current.versions.empty()) return current;
  if (!current.deleted && !current.versions.contains(1)) {
    *late_first = true;
    return current;
  }
  // A new profile under the same id can only follow a deletion: if none was seen, the
  // ProfileDeleted of the previous incarnation is missing.
  if (!current.deleted) current.restarted_without_delete = true;
  user.incarnations.emplace_back();
  return user.incarnations.back();
}

Arrival SequenceTracker::add(const Event& event) {
  UserState& user = users_[event.user_id];
  ++user.messages;
  if (std::find(user.partitions.begin(), user.partitions.end(), event.partition) == user.partitions.end())
    user.partitions.push_back(event.partition);

  auto [it, inserted] = event_ids_.try_emplace(event.event_id, EventRef{event.user_id, event.version});
  if (!inserted) {
    if (it->second.user_id != event.user_id || it->second.version != event.version) {
      ++user.inconsistent_duplicates;
      return Arrival::inconsistent;
    }
    ++user.duplicates;
    return Arrival::duplicate;
  }
  ++user.events;

  bool late_first = false;
  Incarnation& inc = incarnation_for(user, event, &late_first);
  std::int64_t highest = inc.versions.max();
  bool first_of_stream = inc.versions.empty();
  if (!inc.versions.insert(event.version)) {
    ++user.conflicts;
    return Arrival::conflict;
  }
  if (event.event_type == kDeleted) inc.deleted = true;
  if (late_first || (!first_of_stream && event.version < highest)) {
    ++user.reordered;
    return Arrival::reordered;
  }
  bool expected_next = first_of_stream ? (event.version == 1 || partial_start_) : event.version == highest + 1;
  return expected_next ? Arrival::in_order : Arrival::ahead;
}

UserReport SequenceTracker::report(const Uuid& user_id, const UserState& user) const {
  UserReport r;
  r.user_id = user_id;
  r.messages = user.messages;
  r.events = user.events;
  r.duplicates = user.duplicates;
  r.inconsistent_duplicates = user.inconsistent_duplicates;
  r.reordered = user.reordered;
  r.conflicts = user.conflicts;
  r.incarnations = static_cast<std::uint32_t>(user.incarnations.size());
  r.partitions = user.partitions;
  std::sort(r.partitions.begin(), r.partitions.end());
  for (std::size_t i = 0; i < user.incarnations.size(); ++i) {
    const Incarnation& inc = user.incarnations[i];
    std::int64_t from = (i == 0 && partial_start_) ? inc.versions.min() : 1;
    for (const VersionRange& hole : inc.versions.missing(from)) {
      r.gaps.push_back({static_cast<std::uint32_t>(i), hole.first, hole.last});
      r.missing += static_cast<std::uint64_t>(hole.last - hole.first + 1);
    }
    if (inc.restarted_without_delete) {
      // At least the ProfileDeleted after the highest version is missing.
      r.gaps.push_back({static_cast<std::uint32_t>(i), inc.versions.max() + 1, inc.versions.max() + 1});
      r.missing += 1;
    }
  }
  if (!user.incarnations.empty()) {
    r.first_version = user.incarnations.front().versions.min();
    r.last_version = user.incarnations.back().versions.max();
    r.deleted = user.incarnations.back().deleted;
  }
  return r;
}

std::vector<UserReport> SequenceTracker::users() const {
  std::vector<UserReport> out;
  out.reserve(users_.size());
  for (const auto& [id, state] : users_) out.push_back(report(id, state));
  std::sort(out.begin(), out.end(), [](const UserReport& a, const UserReport& b) { return a.user_id < b.user_id; });
  return out;
}

Totals SequenceTracker::totals() const {
  Totals t;
  for (const auto& [id, state] : users_) {
    UserReport r = report(id, state);
    t.messages += r.messages;
    t.events += r.events;
    t.duplicates += r.duplicates;
    t.inconsistent_duplicates += r.inconsistent_duplicates;
    t.reordered += r.reordered;
    t.conflicts += r.conflicts;
    t.missing += r.missing;
    t.users += 1;
    if (!r.ok()) t.users_with_anomalies += 1;
    if (r.partitions.size() > 1) t.users_on_several_partitions += 1;
  }
  return t;
}

std::uint64_t SequenceTracker::distinct_events(const Uuid& user_id) const {
  auto it = users_.find(user_id);
  return it == users_.end() ? 0 : it->second.events;
}

}  // namespace event_checker
