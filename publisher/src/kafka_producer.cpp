#include "kafka_producer.h"

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>

#include "delivery_errors.h"
#include "log.h"

namespace publisher {

std::string kafka_error_text(rd_kafka_resp_err_t err) {
  return std::string("kafka: ") + rd_kafka_err2name(err) + ": " + rd_kafka_err2str(err);
}

std::vector<std::pair<std::string, std::string>> default_producer_settings(const std::string& brokers) {
  std::vector<std::pair<std::string, std::string>> s = {
      {"client.id", "profile-publisher"},
      // Exactly-once per partition across retries, in produce order.
      {"enable.idempotence", "true"},
      {"acks", "all"},
      // The partition Java clients pick for the same key.
      {"partitioner", "murmur2_random"},
      // Send at once: batches still form from what queues while requests are
      // in flight, so a backlog drains as fast as with 5 ms (measured), and a
      // lone event does not wait 5 ms for company.
      {"linger.ms", "0"},
      // Nagle would hold a small produce request back while an earlier one
      // is unacknowledged (up to the peer's delayed ACK); the broker already
      // sets TCP_NODELAY on its side.
      {"socket.nagle.disable", "true"},
      {"compression.type", "lz4"},
      // Never time out. With idempotence, a queued message that times out
      // while later ones of the same partition are retried leaves a gap: a
      // user's later event in Kafka without the earlier one. During an outage
      // rows simply wait, bounded by --max-in-flight; shutdown purges them
      // and they stay pending in the table.
      {"message.timeout.ms", "0"},
      {"queue.buffering.max.messages", "1000000"},
  };
  if (!brokers.empty()) s.insert(s.begin(), {"bootstrap.servers", brokers});
  return s;
}

KafkaProducer::KafkaProducer(const ProducerSettings& settings, ReportHandler on_report)
    : on_report_(std::move(on_report)) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto settings_list = default_producer_settings(settings.brokers);
  settings_list.insert(settings_list.end(), settings.overrides.begin(), settings.overrides.end());
  for (const auto& [name, value] : settings_list) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw std::runtime_error("-X " + name + ": " + err);
    }
  }
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaProducer::on_delivery);
  rd_kafka_conf_set_error_cb(conf, &KafkaProducer::on_error);
  // librdkafka's own log lines (from its threads) in our key=value format.
  rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int level, const char* facility, const char* text) {
    LogLine(level <= 3 ? LogLevel::error : level <= 4 ? LogLevel::warn : level <= 6 ? LogLevel::info : LogLevel::debug,
            "librdkafka")
        .kv("facility", facility)
        .kv("text", text);
  });
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("cannot create the Kafka producer: ") + err);
  }
  if (pipe2(event_pipe_, O_NONBLOCK | O_CLOEXEC) != 0) {
    rd_kafka_destroy(rk_);
    throw std::runtime_error("pipe2 failed");
  }
  rd_kafka_queue_t* main_queue = rd_kafka_queue_get_main(rk_);
  rd_kafka_queue_io_event_enable(main_queue, event_pipe_[1], "r", 1);
  rd_kafka_queue_destroy(main_queue);
}

KafkaProducer::~KafkaProducer() {
  if (rk_) {
    // Reports for purged messages would call back into a relay that is
    // letting go of them: there is nothing left to tell.
    on_report_ = nullptr;
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk_, 0);
    for (auto& [name, rkt] : topics_) rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk_);
  }
  for (int fd : event_pipe_)
    if (fd >= 0) close(fd);
}

rd_kafka_topic_t* KafkaProducer::topic_handle(std::string_view topic) {
  std::string name(topic);
  auto it = topics_.find(name);
  if (it != topics_.end()) return it->second;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, name.c_str(), nullptr);
  if (rkt) topics_.emplace(std::move(name), rkt);
  return rkt;
}

ProduceStatus KafkaProducer::produce(std::int64_t id, std::string_view topic, std::string_view key,
                                     std::string_view value, const Headers& headers, std::string* error) {
  rd_kafka_topic_t* rkt = topic_handle(topic);
  if (!rkt) {
    *error = std::string("cannot use topic: ") + rd_kafka_err2str(rd_kafka_last_error());
    return ProduceStatus::rejected;
  }
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int attempt = 0; attempt < 2; ++attempt) {
    rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.count);
    for (const Header& h : headers)
      rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()), h.value.data(),
                          static_cast<ssize_t>(h.value.size()));
    err = rd_kafka_producev(rk_, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                            RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                            RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_HEADERS(hdrs),
                            RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<intptr_t>(id))), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    rd_kafka_headers_destroy(hdrs);  // not taken over on failure
    if (err != RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || attempt > 0) break;
    // librdkafka remembers a topic it found missing; an operator may have
    // created it since (then re-driven the row). Ask the broker once more.
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(rk_, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_metadata_destroy(md);
  }
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return ProduceStatus::queued;
  *error = kafka_error_text(err);
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return ProduceStatus::queue_full;
  if (err == RD_KAFKA_RESP_ERR__FATAL) return ProduceStatus::fatal;
  if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
    *error = "message of " + std::to_string(value.size()) + " bytes is larger than message.max.bytes (" + *error + ")";
  return is_permanent_delivery_error(err) ? ProduceStatus::rejected : ProduceStatus::failed;
}

void KafkaProducer::poll(int timeout_ms) {
  char buf[64];
  while (read(event_pipe_[0], buf, sizeof buf) > 0) {
  }
  rd_kafka_poll(rk_, timeout_ms);
}

int KafkaProducer::outq_len() const { return rd_kafka_outq_len(rk_); }

void KafkaProducer::purge() { rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT); }

bool KafkaProducer::fatal(std::string* reason) const {
  if (!fatal_.load()) return false;
  char buf[512];
  rd_kafka_resp_err_t err = rd_kafka_fatal_error(rk_, buf, sizeof buf);
  if (reason) *reason = std::string(rd_kafka_err2name(err)) + ": " + buf;
  return true;
}

void KafkaProducer::inject_fatal_error() {
  rd_kafka_test_fatal_error(rk_, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "injected for a test");
}

void KafkaProducer::on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR && self->brokers_down_.exchange(false)) log_info("kafka_reachable");
  if (self->on_report_)
    self->on_report_(DeliveryReport{static_cast<std::int64_t>(reinterpret_cast<intptr_t>(msg->_private)), msg->err});
}

void KafkaProducer::on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    self->fatal_ = true;
    log_error("kafka_fatal_error").kv("reason", reason);
    return;
  }
  if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    if (!self->brokers_down_.exchange(true)) log_warn("kafka_unreachable").kv("reason", reason);
    return;
  }
  // librdkafka reconnects by itself; these are worth a line but not an action.
  log_debug("kafka_error").kv("code", rd_kafka_err2name(code)).kv("reason", reason);
}

}  // namespace publisher
