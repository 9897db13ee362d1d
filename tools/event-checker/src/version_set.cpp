#include "version_set.h"

#include <iterator>
#include <limits>

namespace event_checker {

bool VersionSet::contains(std::int64_t v) const {
  auto it = ranges_.upper_bound(v);
  if (it == ranges_.begin()) return false;
  --it;
  return v <= it->second;
}

bool VersionSet::insert(std::int64_t v) {
  if (contains(v)) return false;
  ++size_;
  auto next = ranges_.upper_bound(v);
  bool joins_prev = false;
  std::map<std::int64_t, std::int64_t>::iterator prev;
  if (next != ranges_.begin()) {
    prev = std::prev(next);
    joins_prev = prev->second + 1 == v;
  }
  bool joins_next = next != ranges_.end() && v < std::numeric_limits<std::int64_t>::max() && next->first == v + 1;
  if (joins_prev && joins_next) {
    prev->second = next->second;
    ranges_.erase(next);
  } else if (joins_prev) {
    prev->second = v;
  } else if (joins_next) {
    std::int64_t last = next->second;
    ranges_.erase(next);
    ranges_.emplace(v, last);
  } else {
    ranges_.emplace(v, v);
  }
  return true;
}

std::int64_t VersionSet::min() const { return ranges_.empty() ? 0 : ranges_.begin()->first; }

std::int64_t VersionSet::max() const { return ranges_.empty() ? 0 : ranges_.rbegin()->second; }

std::vector<VersionRange> VersionSet::missing(std::int64_t from) const {
  std::vector<VersionRange> holes;
  std::int64_t expected = from;
  for (const auto& [first, last] : ranges_) {
    if (last < expected) continue;
    if (first > expected) holes.push_back({expected, first - 1});
    if (last == std::numeric_limits<std::int64_t>::max()) break;
    expected = last + 1;
  }
  return holes;
}

}  // namespace event_checker
