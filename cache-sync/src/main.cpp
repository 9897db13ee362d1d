// profile-cache-sync: keeps the Redis read cache current from profile.events (README, "Read cache").
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>

#include "cache_sync.h"
#include "function_library.h"
#include "http_endpoints.h"
#include "log.h"
#include "sync_metrics.h"
#include "sync_options.h"
#include "systemd_notify.h"

using namespace realchat;

namespace {

constexpr const char* kVersion = "1.1.0";

void on_stop_signal(int) { g_sync_stop = 1; }

void set_signal_mask(int how) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(how, &set, nullptr);
}

int fail(const std::string& what) {
  std::fprintf(stderr, "profile-cache-sync: %s\n", what.c_str());
  return 1;
}

int run_daemon(const SyncOptions& options) {
  log_info("starting")
      .kv("version", kVersion)
      .kv("library_version", profile_library_version())
      .kv("brokers", options.brokers)
      .kv("redis", options.redis_host + ":" + std::to_string(options.redis_port))
      .kv("topic", options.topic)
      .kv("group", options.group)
      .kv("batch_size", options.batch_size)
      .kv("floor_ttl", format_duration(options.floor_ttl));
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  SyncMetrics metrics;
  SystemdNotifier systemd;
  HttpEndpoints http([&metrics] { return metrics.render(); },
                     [&metrics] {
                       bool up = metrics.redis_up.load() != 0;
                       return Health{up, std::string(up ? "ok" : "redis unreachable") + " partitions=" +
                                             std::to_string(metrics.assigned_partitions.load())};
                     });
  // Helper threads (HTTP, librdkafka) start without the stop signals: the main loop takes them.
  set_signal_mask(SIG_BLOCK);
  if (options.metrics_port != 0) {
    std::string error;
    if (!http.start(options.metrics_host, options.metrics_port, &error)) {
      set_signal_mask(SIG_UNBLOCK);
      return fail("--metrics-addr: " + error);
    }
  }
  CacheSync sync(options, metrics, systemd);
  std::string error;
  bool started = sync.start(&error);
  set_signal_mask(SIG_UNBLOCK);
  if (!started) {
    http.stop();
    return fail(error);
  }
  int code = sync.run();
  http.stop();
  log_info("stopped");
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  SyncParseResult parsed = parse_sync_options(argc, argv, [](const char* name) { return std::getenv(name); });
  if (!parsed.options) {
    std::fprintf(stderr, "profile-cache-sync: %s (see --help)\n", parsed.error.c_str());
    return 2;
  }
  const SyncOptions& options = *parsed.options;
  set_log_level(options.log_level);
  switch (options.command) {
    case SyncOptions::Command::help:
      std::fputs(options.help_text.c_str(), stdout);
      return 0;
    case SyncOptions::Command::version:
      std::printf("profile-cache-sync %s (library realchat_profile %s, librdkafka %s)\n", kVersion,
                  profile_library_version(), rd_kafka_version_str());
      return 0;
    case SyncOptions::Command::kafka_properties:
      rd_kafka_conf_properties_show(stdout);
      return 0;
    case SyncOptions::Command::run:
      return run_daemon(options);
  }
  return 2;
}
