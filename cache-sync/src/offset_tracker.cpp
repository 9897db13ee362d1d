#include "offset_tracker.h"

namespace realchat {

void OffsetTracker::applied(const std::vector<PendingMessage>& batch) {
  for (const auto& m : batch) {
    Position& p = positions_[m.tp];
    // Redelivered (older) messages never move a position back.
    if (m.offset + 1 > p.next) {
      p.next = m.offset + 1;
      p.dirty = true;
    }
  }
}

CommitList OffsetTracker::take_commits() {
  CommitList out;
  for (auto& [tp, p] : positions_) {
    if (!p.dirty) continue;
    out.emplace_back(tp, p.next);
    p.dirty = false;
  }
  return out;
}

CommitList OffsetTracker::revoke(const std::vector<TopicPartition>& partitions) {
  CommitList out;
  for (const auto& tp : partitions) {
    auto it = positions_.find(tp);
    if (it == positions_.end()) continue;
    out.emplace_back(tp, it->second.next);
    positions_.erase(it);
  }
  return out;
}

CommitList OffsetTracker::all() const {
  CommitList out;
  for (const auto& [tp, p] : positions_) out.emplace_back(tp, p.next);
  return out;
}

}  // namespace realchat
