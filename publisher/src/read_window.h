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
// A read takes at most a batch of rows from each gap. A gap holding more (one
// transaction that wrote thousands of events) is read in parts: it stays open
// above the last id returned, however far the snapshots have moved, and the
// rows the read returned above that id wait too. Among the ids left out may be
// a user's earlier event, and producing that user's later one first would
// break the user's order.
//
// The horizon is the next transaction id to be assigned, read with the
// snapshot that found the gap (profile.next_xid()). The extension's writers
// get their transaction id before they draw an outbox id, so a transaction
// holding a gap has an id below it. The snapshot's own xmax would not do: it
// is one past the latest *completed* transaction, and a writer that started
// earlier but has not finished can hold an id at or above it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
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

  static constexpr std::int64_t kWhole = std::numeric_limits<std::int64_t>::max();

  // After a read whose snapshot had `snapshot_xmin`, taken when `next_xid` was
  // the next transaction id, and which returned `above` (the ids above hi(),
  // ascending, whatever became of them) and `in_gaps` (the ids found in
  // gaps(), ascending), at most `gap_limit` of them per gap.
  // Returns the id up to which the read was complete: its rows above that id
  // must not be produced now (they are read again), kWhole if none was cut.
  std::int64_t advance(const std::vector<std::int64_t>& above, std::uint64_t snapshot_xmin, std::uint64_t next_xid,
                       const std::vector<std::int64_t>& in_gaps = {},
                       std::size_t gap_limit = std::numeric_limits<std::size_t>::max());

  // Start again from the bottom of the table: rows below hi() may be pending
  // again (a retry, a re-drive, a new leader).
  void reset() {
    hi_ = 0;
    gaps_.clear();
  }

  // Past this many open gaps, reading from the bottom is cheaper.
  static constexpr std::size_t kMaxGaps = 10000;

 private:
  // Index of the lowest gap whose read stopped at the limit below its end, and
  // the last id it returned; gaps_.size() if none.
  std::size_t first_cut_gap(const std::vector<std::int64_t>& in_gaps, std::size_t gap_limit,
                            std::int64_t* last) const;

  std::int64_t hi_ = 0;
  std::vector<IdGap> gaps_;
};

}  // namespace publisher
