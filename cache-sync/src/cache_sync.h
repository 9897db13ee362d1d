// The consumer loop of profile-cache-sync: reads profile.events in the consumer group, applies
// each event through the library's profile_apply (one Redis pipeline per batch), and commits a
// partition's offset only after Redis has applied every event before it.
#pragma once

#include <librdkafka/rdkafka.h>

#include <csignal>
#include <string>
#include <vector>

#include "backoff.h"
#include "offset_tracker.h"
#include "redis_client.h"
#include "sync_metrics.h"
#include "sync_options.h"
#include "systemd_notify.h"

namespace realchat {

extern volatile std::sig_atomic_t g_sync_stop;

class CacheSync {
 public:
  CacheSync(const SyncOptions& options, SyncMetrics& metrics, SystemdNotifier& systemd);
  ~CacheSync();
  CacheSync(const CacheSync&) = delete;
  CacheSync& operator=(const CacheSync&) = delete;

  // Connects to Redis (loading the library) and subscribes; false with *error.
  bool start(std::string* error);
  // Until g_sync_stop: returns the exit code.
  int run();

 private:
  static void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                           void* opaque);
  static void commit_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
                        void* opaque);
  void on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);
  bool ensure_redis();
  // One pipeline for the pending events; true once Redis applied all of them.
  bool apply_pending();
  void take(rd_kafka_message_t* msg);
  void commit(const CommitList& positions, bool sync);
  void set_paused(bool paused);

  const SyncOptions& options_;
  SyncMetrics& metrics_;
  SystemdNotifier& systemd_;
  RedisClient redis_;
  rd_kafka_t* rk_ = nullptr;
  OffsetTracker tracker_;
  std::vector<PendingMessage> pending_;
  Backoff backoff_{Millis(100), Millis(5000)};
  bool paused_ = false;
  bool library_loaded_ = false;
};

}  // namespace realchat
