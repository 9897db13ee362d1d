// Which keys are held back behind a quarantined row, and how many rows this
// publisher quarantined.
//
// A key is held from the moment its row is handed to the marker for
// quarantine, and leaves only through a re-drive: a reload of the table's
// quarantined keys that no longer shows it. A reload cannot see a quarantine
// whose UPDATE had not committed when it ran, so a key quarantined here is
// judged by a reload only once its UPDATE is known to have committed before
// that reload began. If the marker connection drops its queued UPDATEs, their
// rows are pending again and read (first, in id order) like any other.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace publisher {

class QuarantineHold {
 public:
  // Row `id` of `key` goes to quarantine: hold the key. False if that row's
  // UPDATE is already queued (it must not be sent, or counted, twice).
  bool queue(std::int64_t id, const std::string& key);
  // The UPDATE of row `id` committed; `changed` if it quarantined the row
  // (not if another publisher got there first). Returns how many rows this
  // adds to the quarantined count: 1 or 0.
  int committed(std::int64_t id, bool changed);
  // The queued UPDATEs are lost (the marker connection went away).
  void lost_queued();

  // The table's quarantined keys, read after every committed() reported so
  // far. Returns true if a key left the held set (re-driven): its rows lie
  // below the read window.
  bool reload(const std::vector<std::string>& table_keys);

  bool held(std::string_view key) const;
  bool empty() const { return table_.empty() && own_.empty(); }
  std::vector<std::string> keys() const;
  std::size_t queued() const { return queued_.size(); }

 private:
  struct Own {
    int queued = 0;          // UPDATEs of this key not committed yet
    bool unconfirmed = false;  // one committed since the last reload began
  };
  void forget_if_settled(const std::string& key);

  std::unordered_set<std::string> table_;           // as the last reload read it
  std::unordered_map<std::string, Own> own_;        // quarantines of ours not yet seen by a reload
  std::unordered_map<std::int64_t, std::string> queued_;  // row id -> key
};

}  // namespace publisher
