// version_set.h: the versions seen of one stream, kept as disjoint ranges so that a long dense
// stream costs one entry.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

namespace event_checker {

struct VersionRange {
  std::int64_t first = 0;
  std::int64_t last = 0;  // inclusive
  bool operator==(const VersionRange& o) const { return first == o.first && last == o.last; }
};

class VersionSet {
 public:
  // Adds v; false if it was already there.
  bool insert(std::int64_t v);
  bool contains(std::int64_t v) const;
  bool empty() const { return ranges_.empty(); }
  std::uint64_t size() const { return size_; }
  std::int64_t min() const;  // 0 when empty
  std::int64_t max() const;  // 0 when empty
  // The versions from `from` up to max() that are not in the set.
  std::vector<VersionRange> missing(std::int64_t from) const;

 private:
  std::map<std::int64_t, std::int64_t> ranges_;  // first -> last
  std::uint64_t size_ = 0;
};

}  // namespace event_checker
