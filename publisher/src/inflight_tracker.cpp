#include "inflight_tracker.h"

#include <algorithm>

namespace publisher {

void InFlightTracker::add(std::int64_t id, std::string_view key, double created_at) {
  auto [it, inserted] = rows_.try_emplace(id);
  if (!inserted) return;
  it->second.key.assign(key);
  it->second.created_at = created_at;
  keys_[it->second.key].ids.push_back(id);
  ++unresolved_;
  max_id_ = std::max(max_id_, id);
}

void InFlightTracker::resolve(std::int64_t id, State state, std::string error) {
  auto it = rows_.find(id);
  if (it == rows_.end() || it->second.state != State::sent) return;
  it->second.state = state;
  it->second.error = std::move(error);
  --unresolved_;
  if (state == State::failed) ++failed_;
  if (state == State::rejected) ++keys_[it->second.key].rejected;
  touched_.push_back(it->second.key);
}

void InFlightTracker::acked(std::int64_t id) { resolve(id, State::acked, {}); }
void InFlightTracker::failed(std::int64_t id) { resolve(id, State::failed, {}); }
void InFlightTracker::rejected(std::int64_t id, std::string error) {
  resolve(id, State::rejected, std::move(error));
}

void InFlightTracker::settle_key(KeyQueue& queue, Settled& out) {
  while (!queue.ids.empty()) {
    std::int64_t id = queue.ids.front();
    auto row = rows_.find(id);
    State state = row->second.state;
    if (state == State::sent) return;  // wait for its report
    if (queue.poisoned) {
      // Behind a quarantined row: stays pending in the table, held back by key.
      if (state == State::failed) --failed_;
      if (state == State::rejected) --queue.rejected;
    } else if (state == State::acked) {
      out.publish.push_back(id);
    } else if (state == State::rejected) {
      out.quarantine.push_back({id, row->second.key, std::move(row->second.error)});
      --queue.rejected;
      queue.poisoned = true;
    } else {
      return;  // failed: this key waits for clear() and a new read
    }
    rows_.erase(row);
    queue.ids.pop_front();
  }
}

Settled InFlightTracker::take_settled() {
  Settled out;
  std::vector<std::string> touched;
  touched.swap(touched_);
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (const std::string& key : touched) {
    auto it = keys_.find(key);
    if (it == keys_.end()) continue;
    settle_key(it->second, out);
    if (it->second.ids.empty()) keys_.erase(it);
  }
  std::sort(out.publish.begin(), out.publish.end());
  return out;
}

void InFlightTracker::clear() {
  rows_.clear();
  keys_.clear();
  touched_.clear();
  unresolved_ = 0;
  failed_ = 0;
  max_id_ = 0;
}

double InFlightTracker::created_at(std::int64_t id) const {
  auto it = rows_.find(id);
  return it == rows_.end() ? 0 : it->second.created_at;
}

std::int64_t InFlightTracker::max_id_of_key(std::string_view key) const {
  auto it = keys_.find(std::string(key));
  return it == keys_.end() || it->second.ids.empty() ? 0 : it->second.ids.back();
}

bool InFlightTracker::key_blocked(std::string_view key) const {
  auto it = keys_.find(std::string(key));
  return it != keys_.end() && (it->second.poisoned || it->second.rejected > 0);
}

std::vector<std::string> InFlightTracker::blocked_keys() const {
  std::vector<std::string> out;
  for (const auto& [key, queue] : keys_)
    if (queue.poisoned || queue.rejected > 0) out.push_back(key);
  return out;
}

}  // namespace publisher
