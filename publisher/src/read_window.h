// Which ids the next read of profile.outbox must cover, so that reads start
// above the rows already taken instead of rescanning them from the bottom of
// the pending index, and still never miss a row that commits late.
//
// A read returns the pending rows above `hi`. The ids it skipped on the way
// (gaps) were either rolled back or belong to transactions still open at the
// read's snapshot: those may commit later with a lower id than rows already
// sent. Each gap is read again until every transaction that could hold it has
// ended, which snapshots tell: once a later read's xmin reaches the gap's
// horizon, a committed row in the gap would have been in that read.
//
// The horizon is the next transaction id to be assigned, read with the
// snapshot that found the gap (profile.next_xid()). The extension's writers
// get their transaction id before they draw an outbox id, so a transaction
// holding a gap has an id below it. The snapshot's own xmax would not do: it
// is one past the latest *completed* transaction, and a writer that started
// earlier but has not finished can hold an id at or above it.
#pragma once

#include <cstdint>
#include <vector>

namespace publisher {

struct IdGap {
  std::int64_t lo;
  std::int64_t hi;
  std::uint64_t horizon;  // every transaction that could hold the gap has an id below this
};

class ReadWindow {
 public:
  std::int64_t hi() const { return hi_; }
  const std::vector<IdGap>& gaps() const { return gaps_; }

  // After a read whose snapshot had `snapshot_xmin`, taken when `next_xid` was
  // the next transaction id, and which returned `above` (the ids above hi(),
  // ascending, whatever became of them).
  void advance(const std::vector<std::int64_t>& above, std::uint64_t snapshot_xmin, std::uint64_t next_xid);

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
