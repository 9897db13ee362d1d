// The idempotent librdkafka producer the relay sends rows with. Delivery
// reports come back through poll(), on the caller's thread; event_fd()
// becomes readable when some are waiting.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "event_headers.h"
#include "shared_names.h"

namespace publisher {

struct DeliveryReport {
  std::int64_t id;
  rd_kafka_resp_err_t err;  // RD_KAFKA_RESP_ERR_NO_ERROR when acknowledged
};

enum class ProduceStatus {
  queued,
  queue_full,  // poll and try again
  rejected,    // this row can never be sent (too large, bad topic): quarantine
  failed,      // could not queue now: keep the row, try again later
  fatal,       // the producer is unusable: replace it
};

struct ProducerSettings {
  std::string brokers;
  std::vector<std::pair<std::string, std::string>> overrides;  // -X, applied last
};

class KafkaProducer {
 public:
  using ReportHandler = std::function<void(const DeliveryReport&)>;

  // Throws std::runtime_error with librdkafka's message if it cannot be created.
  KafkaProducer(const ProducerSettings& settings, ReportHandler on_report);
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  ProduceStatus produce(std::int64_t id, std::string_view topic, std::string_view key, std::string_view value,
                        const Headers& headers, std::string* error);

  // Serves delivery reports (and logs broker errors); waits up to timeout_ms.
  void poll(int timeout_ms);
  int event_fd() const { return event_pipe_[0]; }
  // Messages not yet acknowledged or failed.
  int outq_len() const;
  // Drops queued and in-flight messages; their reports say PURGE_*.
  void purge();
  // The reason if librdkafka raised a fatal error (e.g. an idempotence
  // sequence broken beyond repair): this instance must be replaced.
  bool fatal(std::string* reason) const;
  // For tests: make librdkafka raise a fatal error, as a broken idempotence
  // sequence would.
  void inject_fatal_error();
  // All brokers unreachable, as last reported by librdkafka.
  bool brokers_down() const { return brokers_down_.load(); }

 private:
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  rd_kafka_topic_t* topic_handle(std::string_view topic);

  rd_kafka_t* rk_ = nullptr;
  ReportHandler on_report_;
  std::unordered_map<std::string, rd_kafka_topic_t*> topics_;
  int event_pipe_[2] = {-1, -1};
  std::atomic<bool> fatal_{false};
  std::atomic<bool> brokers_down_{false};
};

// "kafka: MSG_SIZE_TOO_LARGE: Broker: Message size too large": the name to
// search for and the text to read, as quarantined rows' last_error shows it.
std::string kafka_error_text(rd_kafka_resp_err_t err);

// librdkafka settings the publisher starts from, before -X overrides.
std::vector<std::pair<std::string, std::string>> default_producer_settings(const std::string& brokers);

}  // namespace publisher
