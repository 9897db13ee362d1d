#include "cache_sync.h"

#include <chrono>
#include <cstring>
#include <thread>

#include "apply_outcome.h"
#include "cache_keys.h"
#include "event_time.h"
#include "function_library.h"
#include "log.h"

namespace realchat {

volatile std::sig_atomic_t g_sync_stop = 0;

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<TopicPartition> partitions_of(const rd_kafka_topic_partition_list_t* parts) {
  std::vector<TopicPartition> out;
  for (int i = 0; i < parts->cnt; ++i) out.push_back({parts->elems[i].topic, parts->elems[i].partition});
  return out;
}

// Sleeps up to `total`, in short steps so SIGTERM is honoured at once.
void sleep_unless_stopped(std::chrono::milliseconds total) {
  auto until = std::chrono::steady_clock::now() + total;
  while (!g_sync_stop && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

CacheSync::CacheSync(const SyncOptions& options, SyncMetrics& metrics, SystemdNotifier& systemd)
    : options_(options),
      metrics_(metrics),
      systemd_(systemd),
      redis_(options.redis_host, options.redis_port, options.redis_timeout) {}

CacheSync::~CacheSync() {
  if (rk_) rd_kafka_destroy(rk_);
}

bool CacheSync::ensure_redis() {
  std::string error;
  if (redis_.connected() && library_loaded_) return true;
  library_loaded_ = false;
  if (!redis_.connect(&error) || !load_profile_library(redis_, &error)) {
    redis_.close();
    if (metrics_.redis_up.exchange(0) == 1) log_warn("redis_down").kv("error", error);
    return false;
  }
  library_loaded_ = true;
  metrics_.library_loads_total++;
  if (metrics_.redis_up.exchange(1) == 0)
    log_info("redis_up").kv("redis", redis_.host() + ":" + std::to_string(redis_.port()));
  return true;
}

bool CacheSync::start(std::string* error) {
  // At start an unreachable Redis is a configuration error (one line, exit 1); later it is waited for.
  if (!redis_.connect(error) || !load_profile_library(redis_, error)) return false;
  library_loaded_ = true;
  metrics_.library_loads_total++;
  metrics_.redis_up = 1;
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const std::string& name, const std::string& value) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      *error = name + ": " + err;
      return false;
    }
    return true;
  };
  // Offsets are ours to commit (after Redis applied); a new group reads the stream from the start.
  bool ok = set("group.id", options_.group) && set("enable.auto.commit", "false") &&
            set("enable.auto.offset.store", "false") && set("auto.offset.reset", "earliest") &&
            set("client.id", "profile-cache-sync");
  if (ok && !options_.brokers.empty()) ok = set("bootstrap.servers", options_.brokers);
  for (const auto& [name, value] : options_.kafka_settings)
    if (ok) ok = set(name, value);
  if (!ok) {
    rd_kafka_conf_destroy(conf);
    return false;
  }
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_rebalance_cb(conf, &CacheSync::rebalance_cb);
  rd_kafka_conf_set_offset_commit_cb(conf, &CacheSync::commit_cb);
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk_) {
    *error = std::string("kafka consumer: ") + err;
    return false;
  }
  rd_kafka_poll_set_consumer(rk_);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, options_.topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(rk_, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (e) {
    *error = std::string("subscribe ") + options_.topic + ": " + rd_kafka_err2str(e);
    return false;
  }
  return true;
}

void CacheSync::take(rd_kafka_message_t* msg) {
  PendingMessage m;
  m.tp = {rd_kafka_topic_name(msg->rkt), msg->partition};
  m.offset = msg->offset;
  if (msg->key) m.key.assign(static_cast<const char*>(msg->key), msg->key_len);
  if (msg->payload) m.payload.assign(static_cast<const char*>(msg->payload), msg->len);
  m.taken_at = steady_seconds();
  pending_.push_back(std::move(m));
}

bool CacheSync::apply_pending() {
  if (pending_.empty()) return true;
  if (!ensure_redis()) return false;
  std::vector<std::vector<std::string>> commands;
  commands.reserve(pending_.size());
  std::vector<size_t> index;  // pending_ position of each command
  const std::string ttl = std::to_string(std::max<long long>(1, options_.floor_ttl.count() / 1000));
  size_t bad = 0;
  for (size_t i = 0; i < pending_.size(); ++i) {
    const PendingMessage& m = pending_[i];
    if (!is_canonical_uuid(m.key)) {
      ++bad;
      log_warn("bad_event").kv("reason", "key is not a user id").kv("partition", m.tp.partition).kv("offset", m.offset);
      continue;
    }
    CacheKeys k = cache_keys(m.key);
    commands.push_back({"FCALL", "profile_apply", "4", k.profile, k.contacts, k.blocks, k.floor, m.payload, ttl});
    index.push_back(i);
  }
  std::string error;
  auto replies = redis_.pipeline(commands, &error);
  if (!replies) {
    metrics_.redis_errors_total++;
    library_loaded_ = false;
    if (metrics_.redis_up.exchange(0) == 1) log_warn("redis_down").kv("error", error);
    return false;
  }
  // Every reply first: the batch counts only if Redis applied all of it.
  for (const RedisReply& r : *replies) {
    if (classify_apply_reply(r) == ApplyOutcome::retry) {
      metrics_.redis_errors_total++;
      if (is_missing_function(r)) library_loaded_ = false;  // an empty Redis: load and apply again
      log_warn("apply_failed").kv("error", r.str);
      return false;
    }
  }
  double now = now_seconds(), steady_now = steady_seconds();
  for (size_t j = 0; j < replies->size(); ++j) {
    const PendingMessage& m = pending_[index[j]];
    ApplyOutcome outcome = classify_apply_reply((*replies)[j]);
    switch (outcome) {
      case ApplyOutcome::applied: metrics_.applied_total++; break;
      case ApplyOutcome::duplicate: metrics_.duplicates_total++; break;
      case ApplyOutcome::gap:
        metrics_.gaps_total++;
        log_info("gap").kv("user_id", m.key).kv("partition", m.tp.partition).kv("offset", m.offset);
        break;
      case ApplyOutcome::absent: metrics_.absent_total++; break;
      case ApplyOutcome::deleted: metrics_.deleted_total++; break;
      case ApplyOutcome::bad:
        ++bad;
        log_warn("bad_event").kv("reason", "not an event").kv("partition", m.tp.partition).kv("offset", m.offset);
        break;
      case ApplyOutcome::retry: break;
    }
    // Redelivered events would measure the outage, not the pipeline.
    if (outcome != ApplyOutcome::duplicate) {
      if (auto at = event_occurred_at(m.payload)) metrics_.apply_lag.observe(now - *at);
      metrics_.hold.observe(steady_now - m.taken_at);
    }
  }
  metrics_.bad_events_total += bad;
  tracker_.applied(pending_);
  pending_.clear();
  return true;
}

void CacheSync::commit(const CommitList& positions, bool sync) {
  if (positions.empty() || !rk_) return;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(positions.size()));
  for (const auto& [tp, next] : positions) {
    if (next < 0) continue;
    rd_kafka_topic_partition_list_add(list, tp.topic.c_str(), tp.partition)->offset = next;
  }
  if (list->cnt > 0) {
    rd_kafka_resp_err_t e = rd_kafka_commit(rk_, list, sync ? 0 : 1);
    if (sync) {
      if (e) {
        metrics_.commit_failures_total++;
        log_warn("commit_failed").kv("error", rd_kafka_err2str(e));
      } else {
        metrics_.commits_total++;
      }
    }
  }
  rd_kafka_topic_partition_list_destroy(list);
}

void CacheSync::commit_cb(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*, void* opaque) {
  auto* self = static_cast<CacheSync*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
  if (err) {
    self->metrics_.commit_failures_total++;
    log_warn("commit_failed").kv("error", rd_kafka_err2str(err));
  } else {
    self->metrics_.commits_total++;
  }
}

void CacheSync::set_paused(bool paused) {
  if (paused == paused_ || !rk_) return;
  rd_kafka_topic_partition_list_t* parts = nullptr;
  if (rd_kafka_assignment(rk_, &parts) == RD_KAFKA_RESP_ERR_NO_ERROR && parts) {
    if (paused)
      rd_kafka_pause_partitions(rk_, parts);
    else
      rd_kafka_resume_partitions(rk_, parts);
    rd_kafka_topic_partition_list_destroy(parts);
  }
  paused_ = paused;
}

void CacheSync::rebalance_cb(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                             void* opaque) {
  static_cast<CacheSync*>(opaque)->on_rebalance(err, parts);
}

// Revocation: apply what was read (one attempt), commit what Redis applied, forget the rest:
// the partitions' next owner reads it again from the committed offset.
void CacheSync::on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
  metrics_.rebalances_total++;
  bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk_), "COOPERATIVE") == 0;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    log_info("partitions_assigned").kv("count", parts->cnt).kv("protocol", cooperative ? "cooperative" : "eager");
    if (cooperative) {
      if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk_, parts)) rd_kafka_error_destroy(e);
      // Added to a paused assignment: wait with the others until Redis applies the kept batch.
      if (paused_) rd_kafka_pause_partitions(rk_, parts);
    } else {
      rd_kafka_assign(rk_, parts);  // a whole new assignment, none of it paused
      paused_ = false;
    }
  } else {
    std::vector<TopicPartition> revoked = partitions_of(parts);
    bool applied = apply_pending();
    if (!applied) {
      std::vector<PendingMessage> kept;
      for (auto& m : pending_) {
        bool gone = !cooperative;
        for (const auto& tp : revoked) gone = gone || m.tp == tp;
        if (!gone) kept.push_back(std::move(m));
      }
      pending_ = std::move(kept);
    }
    commit(tracker_.revoke(revoked), true);
    log_info("partitions_revoked").kv("count", parts->cnt).kv("applied_before", applied);
    if (cooperative) {
      if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk_, parts)) rd_kafka_error_destroy(e);
    } else {
      rd_kafka_assign(rk_, nullptr);
    }
  }
  rd_kafka_topic_partition_list_t* now = nullptr;
  if (rd_kafka_assignment(rk_, &now) == RD_KAFKA_RESP_ERR_NO_ERROR && now) {
    metrics_.assigned_partitions = now->cnt;
    rd_kafka_topic_partition_list_destroy(now);
  }
}

int CacheSync::run() {
  systemd_.ready("consuming " + options_.topic + " in group " + options_.group);
  log_info("ready").kv("topic", options_.topic).kv("group", options_.group);
  auto last_commit = std::chrono::steady_clock::now();
  while (!g_sync_stop) {
    systemd_.watchdog();
    // A full batch, or whatever arrived before the queue ran dry.
    int wait_ms = pending_.empty() ? static_cast<int>(std::min<long long>(200, systemd_.max_wait().count())) : 0;
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk_, paused_ ? 100 : wait_ms);
    if (msg) {
      if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        take(msg);
      } else if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        log_warn("kafka_error").kv("error", rd_kafka_message_errstr(msg));
      }
      rd_kafka_message_destroy(msg);
      if (pending_.size() < static_cast<size_t>(options_.batch_size)) continue;
    }
    if (!pending_.empty()) {
      if (apply_pending()) {
        backoff_.reset();
        set_paused(false);
      } else {
        // Keep the batch and stop fetching more until Redis applies it; poll still serves the group.
        set_paused(true);
        sleep_unless_stopped(backoff_.next(random_unit()));
        continue;
      }
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_commit >= options_.commit_interval) {
      commit(tracker_.take_commits(), false);
      last_commit = now;
    }
    if (!redis_.connected() && pending_.empty()) ensure_redis();
    systemd_.status(metrics_.redis_up.load() ? "consuming" : "waiting for Redis");
  }
  systemd_.stopping();
  log_info("stopping").kv("pending", static_cast<std::int64_t>(pending_.size()));
  apply_pending();
  commit(tracker_.all(), true);
  rd_kafka_consumer_close(rk_);  // revokes through the rebalance callback
  return 0;
}

}  // namespace realchat
