// profile-publisher: relays profile.outbox to Kafka (see docs/publisher.md).
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "admin_commands.h"
#include "conninfo.h"
#include "housekeeping.h"
#include "log.h"
#include "metrics.h"
#include "metrics_server.h"
#include "options.h"
#include "outbox_db.h"
#include "relay.h"
#include "systemd_notify.h"

using namespace publisher;

namespace {

constexpr const char* kVersion = "1.0.0";

int fail(const std::string& what) {
  std::fprintf(stderr, "profile-publisher: %s\n", what.c_str());
  return 1;
}

void on_stop_signal(int) { g_stop_requested = 1; }

void set_signal_mask(int how) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(how, &set, nullptr);
}

int run_daemon(const Options& options) {
  auto where = describe_conninfo(options.db);
  if (!where) return fail("--db is not a valid connection string or URI");
  log_info("starting")
      .kv("version", kVersion)
      .kv("db", *where)
      .kv("brokers", options.brokers)
      .kv("batch_size", options.batch_size)
      .kv("max_in_flight", options.max_in_flight)
      .kv("poll_interval", format_duration(options.poll_interval))
      .kv("prepared_poll", format_duration(options.prepared_poll))
      .kv("channel", options.channel)
      .kv("once", options.once);

  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Metrics metrics;
  SystemdNotifier systemd;
  MetricsServer server(metrics);
  Housekeeping housekeeping(options.db, options.retention, metrics);
  // Helper threads inherit a mask without the stop signals: only the main
  // loop's thread takes them, so its poll() wakes up at once.
  set_signal_mask(SIG_BLOCK);
  if (options.metrics_port != 0) {
    std::string error;
    if (!server.start(options.metrics_host, options.metrics_port, &error)) {
      set_signal_mask(SIG_UNBLOCK);
      return fail("--metrics-addr: " + error);
    }
  }
  if (!options.once) housekeeping.start();
  set_signal_mask(SIG_UNBLOCK);

  int code;
  try {
    Relay relay(options, metrics, systemd);
    code = relay.run();
  } catch (const DbError& e) {
    code = fail(std::string("cannot use PostgreSQL (") + *where + "): " + e.what());
  } catch (const std::runtime_error& e) {
    code = fail(e.what());
  }
  housekeeping.stop();
  server.stop();
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  ParseResult parsed = parse_options(argc, argv, [](const char* name) { return std::getenv(name); });
  if (!parsed.options) {
    std::fprintf(stderr, "profile-publisher: %s (see --help)\n", parsed.error.c_str());
    return 2;
  }
  const Options& options = *parsed.options;
  set_log_level(options.log_level);
  switch (options.command) {
    case Command::help:
      std::fputs(options.help_text.c_str(), stdout);
      return 0;
    case Command::version:
      std::printf("profile-publisher %s (librdkafka %s)\n", kVersion, rd_kafka_version_str());
      return 0;
    case Command::kafka_properties:
      rd_kafka_conf_properties_show(stdout);
      return 0;
    case Command::quarantined:
      return list_quarantined(options);
    case Command::redrive:
      return redrive(options);
    case Command::run:
      return run_daemon(options);
  }
  return 2;
}
