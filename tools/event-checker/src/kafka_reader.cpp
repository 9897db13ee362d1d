#include "kafka_reader.h"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <memory>
#include <thread>

#include <unistd.h>

namespace event_checker {

namespace {

using Clock = std::chrono::steady_clock;

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using KafkaPtr = std::unique_ptr<rd_kafka_t, KafkaDeleter>;

struct PartitionsDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
using PartitionsPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionsDeleter>;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}

KafkaPtr make_consumer(const Options& o, std::string* error) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& name, const std::string& value) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      *error = "Kafka setting " + name + ": " + err;
      return false;
    }
    return true;
  };
  bool ok = set("bootstrap.servers", o.brokers) && set("enable.partition.eof", "true") &&
            set("enable.auto.commit", "false") && set("auto.offset.reset", "earliest") &&
            set("client.id", "event-checker");
  // librdkafka wants a group id even for assign(); without --group it is a throwaway one that
  // never joins a group or commits.
  if (ok) ok = set("group.id", o.group.empty() ? "event-checker-" + std::to_string(getpid()) : o.group);
  for (const auto& [name, value] : o.kafka_settings) {
    if (!ok) break;
    ok = set(name, value);
  }
  if (!ok) {
    rd_kafka_conf_destroy(conf);
    return nullptr;
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    *error = std::string("cannot create a Kafka consumer: ") + err;
    return nullptr;
  }
  rd_kafka_poll_set_consumer(rk);
  return KafkaPtr(rk);
}

// The topic's partition count, retried until the deadline (the broker may be starting).
int partition_count(rd_kafka_t* rk, const std::string& topic, Clock::time_point deadline, std::string* error) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  int count = -1;
  while (count < 0) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, std::min(remaining_ms(deadline), 5000));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topics[0].partition_cnt > 0)
        count = md->topics[0].partition_cnt;
      else if (md->topic_cnt == 1)
        *error = "topic " + topic + ": " + rd_kafka_err2str(md->topics[0].err);
      rd_kafka_metadata_destroy(md);
    } else {
      *error = std::string("metadata: ") + rd_kafka_err2str(err);
    }
    if (count < 0) {
      if (remaining_ms(deadline) == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  rd_kafka_topic_destroy(rkt);
  return count;
}

bool watermarks(rd_kafka_t* rk, const std::string& topic, std::int32_t partition, Clock::time_point deadline,
                std::int64_t* low, std::int64_t* high, std::string* error) {
  for (;;) {
    rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, low, high, std::min(remaining_ms(deadline), 5000));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
    *error = "watermarks of partition " + std::to_string(partition) + ": " + rd_kafka_err2str(err);
    if (remaining_ms(deadline) == 0) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

struct PartitionProgress {
  std::int64_t low = 0;
  std::int64_t high = 0;  // end when reading started
  bool done = false;
};

// Polls until every tracked partition is done. `track` learns new partitions (group mode).
// cut_at_end: skip messages past the end recorded at the start (they belong to a later check).
// A group handles everything it consumes, since what it consumed is what it commits.
template <typename Track>
bool consume(rd_kafka_t* rk, std::map<std::int32_t, PartitionProgress>& progress, const MessageHandler& handle,
             const std::atomic<bool>& stop, Clock::time_point deadline, bool cut_at_end, ReadResult* result,
             Track track) {
  for (;;) {
    if (!track(progress)) return false;
    bool all_done = !progress.empty();
    for (const auto& [p, state] : progress) all_done = all_done && state.done;
    if (all_done) return true;
    if (stop.load()) {
      result->error = "interrupted";
      return false;
    }
    if (remaining_ms(deadline) == 0) {
      std::uint64_t left = 0;
      for (const auto& [p, state] : progress)
        if (!state.done) ++left;
      result->error = "timed out with " + std::to_string(left) + " partition(s) not read to the end";
      return false;
    }
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk, 200);
    if (!msg) continue;
    std::int32_t partition = msg->partition;
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      auto it = progress.find(partition);
      if (it != progress.end() && msg->offset >= it->second.high) it->second.done = true;
    } else if (msg->err) {
      // Transient errors (a broker restarting) are retried by librdkafka; fatal ones end the read.
      std::string text = rd_kafka_message_errstr(msg);
      if (msg->err == RD_KAFKA_RESP_ERR__FATAL || msg->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
          msg->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
        result->error = "consuming: " + text;
        rd_kafka_message_destroy(msg);
        return false;
      }
    } else {
      auto it = progress.find(partition);
      if (!cut_at_end || it == progress.end() || msg->offset < it->second.high) {
        handle(std::string_view(static_cast<const char*>(msg->key), msg->key ? msg->key_len : 0),
               std::string_view(static_cast<const char*>(msg->payload), msg->payload ? msg->len : 0), partition,
               msg->offset);
        ++result->messages;
      }
      if (it != progress.end() && msg->offset + 1 >= it->second.high) it->second.done = true;
    }
    rd_kafka_message_destroy(msg);
  }
}

ReadResult read_assigned(rd_kafka_t* rk, const Options& o, const MessageHandler& handle, const std::atomic<bool>& stop,
                         Clock::time_point deadline) {
  ReadResult result;
  std::string error;
  int count = partition_count(rk, o.topic, deadline, &error);
  if (count < 0) {
    result.error = error.empty() ? "no metadata for topic " + o.topic : error;
    return result;
  }
  result.partitions = count;
  std::map<std::int32_t, PartitionProgress> progress;
  PartitionsPtr assignment(rd_kafka_topic_partition_list_new(count));
  std::int64_t deleted = 0;
  for (std::int32_t p = 0; p < count; ++p) {
    PartitionProgress state;
    if (!watermarks(rk, o.topic, p, deadline, &state.low, &state.high, &error)) {
      result.error = error;
      return result;
    }
    deleted += state.low;
    state.done = state.high <= state.low;
    progress[p] = state;
    rd_kafka_topic_partition_list_add(assignment.get(), o.topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  if (deleted > 0)
    result.note = std::to_string(deleted) + " messages were already deleted from the topic (retention): use --partial";
  rd_kafka_resp_err_t err = rd_kafka_assign(rk, assignment.get());
  if (err) {
    result.error = std::string("assign: ") + rd_kafka_err2str(err);
    return result;
  }
  result.complete = consume(rk, progress, handle, stop, deadline, true, &result, [](auto&) { return true; });
  rd_kafka_assign(rk, nullptr);
  return result;
}

ReadResult read_as_group(rd_kafka_t* rk, const Options& o, const MessageHandler& handle, const std::atomic<bool>& stop,
                         Clock::time_point deadline) {
  ReadResult result;
  std::string error;
  int count = partition_count(rk, o.topic, deadline, &error);
  if (count < 0) {
    result.error = error.empty() ? "no metadata for topic " + o.topic : error;
    return result;
  }
  result.partitions = count;
  PartitionsPtr topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), o.topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics.get());
  if (err) {
    result.error = std::string("subscribe: ") + rd_kafka_err2str(err);
    return result;
  }
  std::map<std::int32_t, PartitionProgress> progress;
  // Learns the partitions the group assigned to us; the end of each is its high watermark now.
  auto track = [&](std::map<std::int32_t, PartitionProgress>& known) {
    rd_kafka_topic_partition_list_t* raw = nullptr;
    if (rd_kafka_assignment(rk, &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) return true;
    PartitionsPtr assigned(raw);
    for (int i = 0; i < assigned->cnt; ++i) {
      std::int32_t p = assigned->elems[i].partition;
      if (known.count(p)) continue;
      PartitionProgress state;
      if (!watermarks(rk, o.topic, p, deadline, &state.low, &state.high, &error)) {
        result.error = error;
        return false;
      }
      // The group's committed position: a partition already read to its end is done.
      PartitionsPtr committed(rd_kafka_topic_partition_list_new(1));
      rd_kafka_topic_partition_list_add(committed.get(), o.topic.c_str(), p);
      if (rd_kafka_committed(rk, committed.get(), std::min(remaining_ms(deadline), 10000)) == RD_KAFKA_RESP_ERR_NO_ERROR &&
          committed->elems[0].offset >= state.high)
        state.done = true;
      state.done = state.done || state.high <= state.low;
      known[p] = state;
    }
    return true;
  };
  result.complete = consume(rk, progress, handle, stop, deadline, false, &result, track);
  if (result.complete) {
    err = rd_kafka_commit(rk, nullptr, 0);
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) result.note = std::string("commit: ") + rd_kafka_err2str(err);
  }
  rd_kafka_consumer_close(rk);
  return result;
}

}  // namespace

ReadResult read_topic(const Options& options, const MessageHandler& handle, const std::atomic<bool>& stop) {
  auto deadline = Clock::now() + std::chrono::seconds(options.timeout_seconds);
  std::string error;
  KafkaPtr rk = make_consumer(options, &error);
  if (!rk) {
    ReadResult r;
    r.error = error;
    return r;
  }
  if (options.group.empty()) return read_assigned(rk.get(), options, handle, stop, deadline);
  return read_as_group(rk.get(), options, handle, stop, deadline);
}

}  // namespace event_checker
