// kafka_reader.h: reads a topic to its end as it was when reading started, with librdkafka.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "options.h"

namespace event_checker {

using MessageHandler =
    std::function<void(std::string_view key, std::string_view value, std::int32_t partition, std::int64_t offset)>;

struct ReadResult {
  bool complete = false;  // every partition was read to its end
  int partitions = 0;
  std::uint64_t messages = 0;
  std::string error;      // why it is not complete
  std::string note;       // something the reader should know (e.g. messages already deleted)
};

// Without a group: assigns every partition from its first offset and stops at the high
// watermarks queried at the start. With a group: subscribes, stops when every assigned
// partition is at its end, and commits. `stop` is checked between polls (signals).
ReadResult read_topic(const Options& options, const MessageHandler& handle, const std::atomic<bool>& stop);

}  // namespace event_checker
