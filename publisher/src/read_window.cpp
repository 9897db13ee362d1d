#include "read_window.h"

#include <algorithm>

namespace publisher {

void ReadWindow::advance(const std::vector<std::int64_t>& above, std::uint64_t xmin, std::uint64_t next_xid) {
  // Gaps whose transactions have all ended by this read's snapshot: this read
  // covered them (they were in its query), so they are done.
  gaps_.erase(std::remove_if(gaps_.begin(), gaps_.end(), [xmin](const IdGap& g) { return g.horizon <= xmin; }),
              gaps_.end());
  std::int64_t prev = hi_;
  for (std::int64_t id : above) {
    if (id <= prev) continue;
    if (id > prev + 1) gaps_.push_back(IdGap{prev + 1, id - 1, next_xid});
    prev = id;
  }
  hi_ = prev;
  if (gaps_.size() > kMaxGaps) reset();
}

}  // namespace publisher
