#include "sync_metrics.h"

namespace realchat {

std::string SyncMetrics::render() const {
  std::string out;
  out.reserve(4096);
  auto counter = [&out](const char* name, const char* help, std::uint64_t v) {
    prometheus_sample(out, name, "counter", help, static_cast<double>(v));
  };
  auto gauge = [&out](const char* name, const char* help, double v) { prometheus_sample(out, name, "gauge", help, v); };
  counter("profile_cache_sync_applied_total", "Events applied on top of the version they follow.",
          applied_total.load());
  counter("profile_cache_sync_duplicates_total", "Events already applied (redelivered), skipped.",
          duplicates_total.load());
  counter("profile_cache_sync_gaps_total", "Events newer than the next version: the user was dropped from the cache.",
          gaps_total.load());
  counter("profile_cache_sync_absent_total", "Events of users not in the cache (only their floor moved).",
          absent_total.load());
  counter("profile_cache_sync_deleted_total", "ProfileDeleted events: the user's keys removed.", deleted_total.load());
  counter("profile_cache_sync_bad_events_total", "Messages that are not events, skipped.", bad_events_total.load());
  counter("profile_cache_sync_redis_errors_total", "Redis round trips that failed; their batch is applied again.",
          redis_errors_total.load());
  counter("profile_cache_sync_library_loads_total", "FUNCTION LOAD of realchat_profile (start, reconnects).",
          library_loads_total.load());
  counter("profile_cache_sync_commits_total", "Offset commits of applied events.", commits_total.load());
  counter("profile_cache_sync_commit_failures_total", "Offset commits that failed (retried with later offsets).",
          commit_failures_total.load());
  counter("profile_cache_sync_rebalances_total", "Partition assignments and revocations.", rebalances_total.load());
  gauge("profile_cache_sync_redis_up", "1 while the Redis connection is up.", redis_up.load());
  gauge("profile_cache_sync_assigned_partitions", "Partitions this instance consumes.", assigned_partitions.load());
  prometheus_header(out, "profile_cache_sync_apply_lag_seconds", "histogram",
                    "From the event's occurred_at to Redis having applied it.");
  apply_lag.render("profile_cache_sync_apply_lag_seconds", out);
  prometheus_header(out, "profile_cache_sync_hold_seconds", "histogram",
                    "From the consumer handing the event over to Redis having applied it.");
  hold.render("profile_cache_sync_hold_seconds", out);
  return out;
}

}  // namespace realchat
