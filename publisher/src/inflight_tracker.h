// Which produced rows may be marked published, given delivery reports that
// arrive in any order across partitions.
//
// The rule that keeps each user's events in order: a row is marked only when
// it is acknowledged AND every earlier row of the same key that was produced
// is acknowledged too. A transient failure stops its key (the row and every
// later row of that key stay unmarked, to be produced again from the table);
// a permanent failure sends the row to quarantine and drops the later rows of
// its key without marking them, since they are held back until an operator
// re-drives the quarantined row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace publisher {

struct QuarantinedRow {
  std::int64_t id;
  std::string key;
  std::string error;
};

struct Settled {
  std::vector<std::int64_t> publish;       // acknowledged, safe to mark
  std::vector<QuarantinedRow> quarantine;  // permanently undeliverable
};

class InFlightTracker {
 public:
  // A row handed to the producer. Rows of one key must be added in id order.
  // `created_at` (seconds since the epoch) is kept for the latency metric.
  void add(std::int64_t id, std::string_view key, double created_at = 0);
  // created_at given to add(), 0 if the row is unknown.
  double created_at(std::int64_t id) const;

  // Delivery reports. Unknown ids are ignored (a report for a row forgotten by clear()).
  void acked(std::int64_t id);
  void failed(std::int64_t id);                      // transient: produce again later
  void rejected(std::int64_t id, std::string error);  // permanent: quarantine

  // Takes out the rows that can be marked published or quarantined now.
  Settled take_settled();

  // Forgets every row; they are still pending in the table and will be read
  // again. Only call when unresolved() == 0, so no late report can be mistaken.
  void clear();

  bool contains(std::int64_t id) const { return rows_.count(id) != 0; }
  // Rows still pending in the table because of us (not yet marked, not dropped).
  std::size_t size() const { return rows_.size(); }
  // Rows without a delivery report yet.
  std::size_t unresolved() const { return unresolved_; }
  // A transient failure is waiting for clear() and a new read.
  bool needs_retry() const { return failed_ != 0; }
  // Highest id added since the last clear(); 0 if none.
  std::int64_t max_id() const { return max_id_; }
  // Highest id of `key` still tracked, 0 if none: a row of that key with a
  // lower id must wait, or it would overtake the tracked one.
  std::int64_t max_id_of_key(std::string_view key) const;
  // A row of `key` was rejected: its later rows must not be produced.
  bool key_blocked(std::string_view key) const;
  // Keys that key_blocked() holds back.
  std::vector<std::string> blocked_keys() const;

 private:
  enum class State { sent, acked, failed, rejected };
  struct KeyQueue {
    std::string key;
    std::vector<std::int64_t> ids;  // produce order, from ids[head] on
    std::size_t head = 0;
    bool poisoned = false;  // an earlier row went to quarantine
    int rejected = 0;       // rejected rows not yet settled
    bool empty() const { return head == ids.size(); }
  };
  struct Row {
    KeyQueue* queue;
    double created_at = 0;
    State state = State::sent;
    std::string error;
  };

  void resolve(std::int64_t id, State state, std::string error);
  void settle_key(KeyQueue& queue, Settled& out);
  const KeyQueue* find_key(std::string_view key) const;

  std::unordered_map<std::int64_t, Row> rows_;
  // Looked up by string_view without copying the key: the view points into
  // the KeyQueue the map owns.
  std::unordered_map<std::string_view, std::unique_ptr<KeyQueue>> keys_;
  std::vector<KeyQueue*> touched_;  // keys with a report since the last take_settled()
  std::size_t unresolved_ = 0;
  std::size_t failed_ = 0;
  std::int64_t max_id_ = 0;
};

}  // namespace publisher
