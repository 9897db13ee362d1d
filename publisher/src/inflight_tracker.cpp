#include "inflight_tracker.h"

#include <algorithm>

namespace publisher {

void InFlightTracker::add(std::int64_t id, std::string_view key, double created_at) {
  auto [it, inserted] = rows_.try_emplace(id);
  if (!inserted) return;
  auto k = keys_.find(key);
  if (k == keys_.end()) {
    auto queue = std::make_unique<KeyQueue>();
    queue->key.assign(key);
    std::string_view view = queue->key;
    k = keys_.emplace(view, std::move(queue)).first;
  }
  it->second.queue = k->second.get();
  it->second.created_at = created_at;
  k->second->ids.push_back(id);
  ++unresolved_;
  max_id_ = std::max(max_id_, id);
}

void InFlightTracker::resolve(std::int64_t id, State state, std::string error) {
  auto it = rows_.find(id);
  if (it == rows_.end() || it->second.state != State::sent) return;
  Row& row = it->second;
  row.state = state;
  row.error = std::move(error);
  --unresolved_;
  if (state == State::failed) ++failed_;
  if (state == State::rejected) ++row.queue->rejected;
  touched_.push_back(row.queue);
}

void InFlightTracker::acked(std::int64_t id) { resolve(id, State::acked, {}); }
void InFlightTracker::failed(std::int64_t id) { resolve(id, State::failed, {}); }
void InFlightTracker::rejected(std::int64_t id, std::string error) {
  resolve(id, State::rejected, std::move(error));
}

double InFlightTracker::created_at(std::int64_t id) const {
  auto it = rows_.find(id);
  return it == rows_.end() ? 0 : it->second.created_at;
}

void InFlightTracker::settle_key(KeyQueue& queue, Settled& out) {
  while (!queue.empty()) {
    std::int64_t id = queue.ids[queue.head];
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
      out.quarantine.push_back({id, queue.key, std::move(row->second.error)});
      --queue.rejected;
      queue.poisoned = true;
    } else {
      return;  // failed: this key waits for clear() and a new read
    }
    rows_.erase(row);
    ++queue.head;
  }
  if (queue.head > 64 && queue.head * 2 > queue.ids.size()) {  // a busy key never empties
    queue.ids.erase(queue.ids.begin(), queue.ids.begin() + static_cast<std::ptrdiff_t>(queue.head));
    queue.head = 0;
  }
}

Settled InFlightTracker::take_settled() {
  Settled out;
  std::vector<KeyQueue*> touched;
  touched.swap(touched_);
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (KeyQueue* queue : touched) {
    settle_key(*queue, out);
    if (queue->empty()) keys_.erase(std::string_view(queue->key));  // frees *queue
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

const InFlightTracker::KeyQueue* InFlightTracker::find_key(std::string_view key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : it->second.get();
}

std::int64_t InFlightTracker::max_id_of_key(std::string_view key) const {
  const KeyQueue* q = find_key(key);
  return q == nullptr || q->empty() ? 0 : q->ids.back();
}

bool InFlightTracker::key_blocked(std::string_view key) const {
  const KeyQueue* q = find_key(key);
  return q != nullptr && (q->poisoned || q->rejected > 0);
}

std::vector<std::string> InFlightTracker::blocked_keys() const {
  std::vector<std::string> out;
  for (const auto& [key, queue] : keys_)
    if (queue->poisoned || queue->rejected > 0) out.emplace_back(key);
  return out;
}

}  // namespace publisher
