#include "read_window.h"

#include <algorithm>

namespace publisher {

std::size_t ReadWindow::first_cut_gap(const std::vector<std::int64_t>& in_gaps, std::size_t gap_limit,
                                      std::int64_t* last) const {
  auto it = in_gaps.begin();
  for (std::size_t i = 0; i < gaps_.size(); ++i) {
    const IdGap& g = gaps_[i];
    while (it != in_gaps.end() && *it < g.lo) ++it;
    std::size_t n = 0;
    std::int64_t top = 0;
    for (; it != in_gaps.end() && *it <= g.hi; ++it, ++n) top = *it;
    if (n >= gap_limit && top < g.hi) {
      *last = top;
      return i;
    }
  }
  return gaps_.size();
}

std::int64_t ReadWindow::advance(const std::vector<std::int64_t>& above, std::uint64_t xmin, std::uint64_t next_xid,
                                 const std::vector<std::int64_t>& in_gaps, std::size_t gap_limit) {
  std::int64_t last = 0;
  std::size_t cut = first_cut_gap(in_gaps, gap_limit, &last);
  if (cut < gaps_.size()) {
    // Complete up to `last`: the gaps below it were read whole and close as
    // usual. The cut gap goes on above `last`; the gaps and rows above it
    // were read but are not taken, so they stay as they were.
    std::vector<IdGap> kept;
    for (std::size_t i = 0; i < cut; ++i)
      if (gaps_[i].horizon > xmin) kept.push_back(gaps_[i]);
    kept.push_back(IdGap{last + 1, gaps_[cut].hi, gaps_[cut].horizon});
    kept.insert(kept.end(), gaps_.begin() + static_cast<std::ptrdiff_t>(cut) + 1, gaps_.end());
    gaps_ = std::move(kept);
    return last;
  }
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
  return kWhole;
}

}  // namespace publisher
