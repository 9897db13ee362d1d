// Which ids the next read of profile.outbox must cover, so that reads start
// above the rows already taken instead of rescanning them from the bottom of
// the pending index, and still never miss a row that commits late.
//
// A read returns the pending rows above `hi`. The ids it skipped on the way
// (gaps) were either rolled back or belong to transactions still open at the
// read's snapshot: those may commit later with a lower id than rows already
// sent. Each gap is read again until every transaction that could hold it has
// ended, which the snapshot's xmin tells: once a later read's xmin reaches the
// gap's horizon, a committed row in the gap would have been in that read.
//
// The horizon is the xmax of the read AFTER the one that found the gap: a
// writer takes its id from the sequence an instant before it gets its
// transaction id, so it could be missing from the xmax of the snapshot that
// saw the gap. (The extension's triggers write the profile row first, so its
// writers always have a transaction id by then.)
#pragma once

#include <cstdint>
#include <vector>

namespace publisher {

struct IdGap {
  std::int64_t lo;
  std::int64_t hi;
  std::uint64_t horizon;  // 0 until the next read arms it
};

class ReadWindow {
 public:
  std::int64_t hi() const { return hi_; }
  const std::vector<IdGap>& gaps() const { return gaps_; }

  // After a read whose snapshot had (xmin, xmax) and which returned `above`
  // (the ids above hi(), ascending, whatever became of them).
  void advance(const std::vector<std::int64_t>& above, std::uint64_t snapshot_xmin, std::uint64_t snapshot_xmax);

  // Start again from the bottom of the table: rows below hi() may be pending
  // again (a retry, a re-drive, a new leader).
  void reset() {
    hi_ = 0;
    gaps_.clear();
  }

  // Past this many open gaps, reading from the bottom is cheaper.
  static constexpr std::size_t kMaxGaps = 10000;

 private:
  std::int64_t hi_ = 0;
  std::vector<IdGap> gaps_;
};

}  // namespace publisher
