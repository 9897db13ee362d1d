#include "quarantine_hold.h"

namespace publisher {

bool QuarantineHold::queue(std::int64_t id, const std::string& key) {
  if (!queued_.emplace(id, key).second) return false;
  ++own_[key].queued;
  return true;
}

int QuarantineHold::committed(std::int64_t id, bool changed) {
  auto it = queued_.find(id);
  if (it == queued_.end()) return 0;  // lost_queued() gave it up already
  Own& own = own_[it->second];
  --own.queued;
  own.unconfirmed = true;
  queued_.erase(it);
  return changed ? 1 : 0;
}

void QuarantineHold::lost_queued() {
  std::vector<std::string> keys;
  for (auto& [id, key] : queued_) keys.push_back(key);
  queued_.clear();
  for (const std::string& key : keys) {
    own_[key].queued = 0;
    forget_if_settled(key);
  }
}

void QuarantineHold::forget_if_settled(const std::string& key) {
  auto it = own_.find(key);
  if (it != own_.end() && it->second.queued == 0 && !it->second.unconfirmed) own_.erase(it);
}

bool QuarantineHold::reload(const std::vector<std::string>& table_keys) {
  std::vector<std::string> before = keys();
  table_ = std::unordered_set<std::string>(table_keys.begin(), table_keys.end());
  // Every commit reported so far is in this reload: the table speaks for them.
  for (auto it = own_.begin(); it != own_.end();) {
    it->second.unconfirmed = false;
    it = it->second.queued == 0 ? own_.erase(it) : std::next(it);
  }
  for (const std::string& key : before)
    if (!held(key)) return true;
  return false;
}

bool QuarantineHold::held(std::string_view key) const {
  if (empty()) return false;
  std::string k(key);
  return table_.count(k) != 0 || own_.count(k) != 0;
}

std::vector<std::string> QuarantineHold::keys() const {
  std::vector<std::string> out(table_.begin(), table_.end());
  for (const auto& [key, own] : own_)
    if (!table_.count(key)) out.push_back(key);
  return out;
}

}  // namespace publisher
