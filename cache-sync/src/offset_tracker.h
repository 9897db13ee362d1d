// Which Kafka offsets may be committed: only those Redis has applied. Pure (no Kafka), so the
// commit rules are unit-tested without a broker.
//
// Messages arrive in offset order per partition and are applied in batches. A batch's
// messages are `taken` when read and `applied` when Redis has answered for all of them; an
// offset is committable (as "next to read" = last applied + 1) only once every message of its
// partition read before it has been applied.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace realchat {

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  bool operator<(const TopicPartition& o) const {
    return topic != o.topic ? topic < o.topic : partition < o.partition;
  }
  bool operator==(const TopicPartition& o) const { return topic == o.topic && partition == o.partition; }
};

struct PendingMessage {
  TopicPartition tp;
  std::int64_t offset = 0;
  std::string key;      // the owner's user id
  std::string payload;  // the event's JSON
  double taken_at = 0;  // steady clock, seconds: when the consumer handed it over
};

// Commit positions: partition -> next offset to read.
using CommitList = std::vector<std::pair<TopicPartition, std::int64_t>>;

class OffsetTracker {
 public:
  // Redis applied every message of `batch` (in any partition).
  void applied(const std::vector<PendingMessage>& batch);
  // Positions that moved since the last call; they stay known for revoke().
  CommitList take_commits();
  // Positions to commit for partitions being revoked (moved or not), then forgets them.
  CommitList revoke(const std::vector<TopicPartition>& partitions);
  // Everything known (for the final commit at shutdown).
  CommitList all() const;

 private:
  struct Position {
    std::int64_t next = -1;
    bool dirty = false;
  };
  std::map<TopicPartition, Position> positions_;
};

}  // namespace realchat
