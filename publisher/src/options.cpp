#include "options.h"

// -X values may contain commas (bootstrap lists): never split them.
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>

#include <charconv>

#include "daemon_flags.h"

namespace publisher {

namespace {

constexpr const char* kEnvHelp =
    "\nEnvironment:\n"
    "  PROFILE_PUBLISHER_DB       connection string when --db is not given\n"
    "  PROFILE_PUBLISHER_BROKERS  broker list when --brokers is not given\n"
    "  PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGPASSFILE, ...\n"
    "                             read by libpq; keep the password here or in a\n"
    "                             password file, not on the command line\n"
    "\nOperator commands:\n"
    "  profile-publisher quarantined [--db CONNINFO]          list quarantined rows\n"
    "  profile-publisher redrive [--db CONNINFO] --id N|--all  publish them again, in order\n";

bool parse_int(const std::string& text, std::int64_t* out) {
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && p == end && !text.empty();
}

ParseResult fail(std::string message) { return ParseResult{std::nullopt, std::move(message)}; }

std::string from_env(const EnvLookup& env, const char* name) {
  const char* v = env ? env(name) : nullptr;
  return v ? std::string(v) : std::string();
}

ParseResult parse_admin(Command command, int argc, const char* const* argv, const EnvLookup& env) {
  const char* name = command == Command::redrive ? "profile-publisher redrive" : "profile-publisher quarantined";
  cxxopts::Options spec(name, command == Command::redrive
                                  ? "Clear the quarantine of rows so the publisher delivers them again, in order."
                                  : "List the outbox rows the publisher quarantined, with their errors.");
  spec.add_options()("db", "PostgreSQL connection string or URI (default: $PROFILE_PUBLISHER_DB, then PG* variables)",
                     cxxopts::value<std::string>())("h,help", "show this help");
  if (command == Command::redrive) {
    spec.add_options()("id", "the quarantined row to re-drive", cxxopts::value<std::int64_t>())(
        "all", "re-drive every quarantined row")("channel", "NOTIFY channel that wakes the publisher",
                                                 cxxopts::value<std::string>()->default_value("profile_outbox"));
  }
  Options o;
  o.command = command;
  try {
    auto r = spec.parse(argc, argv);
    if (r.count("help")) {
      o.command = Command::help;
      o.help_text = spec.help() + kEnvHelp;
      return {o, {}};
    }
    if (!r.unmatched().empty()) return fail("unexpected argument \"" + r.unmatched().front() + "\"");
    o.db = r.count("db") ? r["db"].as<std::string>() : from_env(env, "PROFILE_PUBLISHER_DB");
    if (command == Command::redrive) {
      o.channel = r["channel"].as<std::string>();
      o.redrive_all = r.count("all") > 0;
      if (r.count("id")) o.redrive_id = r["id"].as<std::int64_t>();
      if (o.redrive_all == o.redrive_id.has_value()) return fail("redrive needs exactly one of --id N and --all");
      if (o.redrive_id && *o.redrive_id <= 0) return fail("--id must be a positive row id");
    }
  } catch (const cxxopts::exceptions::exception& e) {
    return fail(e.what());
  }
  return {o, {}};
}

}  // namespace

ParseResult parse_options(int argc, const char* const* argv, const EnvLookup& env) {
  if (argc >= 2) {
    std::string first = argv[1];
    if (first == "quarantined") return parse_admin(Command::quarantined, argc - 1, argv + 1, env);
    if (first == "redrive") return parse_admin(Command::redrive, argc - 1, argv + 1, env);
  }

  cxxopts::Options spec("profile-publisher",
                        "Relays committed rows of profile.outbox to Kafka, in order per key, marking each row\n"
                        "published once the broker has acknowledged it. One instance per database publishes;\n"
                        "others wait as hot standbys.\n");
  spec.custom_help("--brokers HOST:PORT[,HOST:PORT] [--db CONNINFO] [options]");
  // clang-format off
  spec.add_options()
    ("db", "PostgreSQL connection string or URI (default: $PROFILE_PUBLISHER_DB, then libpq's PG* variables)",
     cxxopts::value<std::string>(), "CONNINFO")
    ("brokers", "Kafka bootstrap brokers (default: $PROFILE_PUBLISHER_BROKERS)", cxxopts::value<std::string>(),
     "HOST:PORT,...")
    ("X", "librdkafka setting, repeatable; \"-X list\" shows them all", cxxopts::value<std::vector<std::string>>(),
     "NAME=VALUE")
    ("kafka-config", "librdkafka settings from a file of NAME=VALUE lines, before any -X (keeps SASL "
     "passwords out of ps)", cxxopts::value<std::string>(), "FILE")
    ("once", "publish everything pending, then exit 0")
    ("batch-size", "rows read per query", cxxopts::value<std::string>()->default_value("5000"), "N")
    ("max-in-flight", "rows produced but not yet marked, at most (bounds memory during an outage)",
     cxxopts::value<std::string>()->default_value("50000"), "N")
    ("poll-interval", "read the outbox at least this often even without a NOTIFY",
     cxxopts::value<std::string>()->default_value("1s"), "DURATION")
    ("prepared-poll", "while a prepared transaction has written to the outbox, read at least this often "
     "(its COMMIT PREPARED sends no NOTIFY); 0 never looks for one",
     cxxopts::value<std::string>()->default_value("200ms"), "DURATION")
    ("channel", "NOTIFY channel the extension wakes the publisher on",
     cxxopts::value<std::string>()->default_value("profile_outbox"), "NAME")
    ("metrics-addr", "HTTP listen address for /metrics and /healthz (\"off\" for none)",
     cxxopts::value<std::string>()->default_value("127.0.0.1:9187"), "HOST:PORT")
    ("retention", "delete published rows older than this (0 keeps them)",
     cxxopts::value<std::string>()->default_value("1d"), "DURATION")
    ("flush-timeout", "on SIGTERM, wait at most this long for in-flight deliveries",
     cxxopts::value<std::string>()->default_value("10s"), "DURATION")
    ("stall-timeout", "a leader with rows in flight and no acknowledgement from Kafka for this long gives the "
     "leadership up to a standby (0 never does)", cxxopts::value<std::string>()->default_value("30s"), "DURATION")
    ("log-level", "debug, info, warn or error", cxxopts::value<std::string>()->default_value("info"), "LEVEL")
    ("version", "print the version")
    ("h,help", "show this help");
  // clang-format on

  Options o;
  try {
    auto r = spec.parse(argc, argv);
    if (r.count("help")) {
      o.command = Command::help;
      o.help_text = spec.help() +
                    "DURATION is a number with ms, s, m, h or d (\"250ms\", \"10s\", \"1d\"); a bare number is "
                    "seconds.\n" +
                    kEnvHelp;
      return {o, {}};
    }
    if (r.count("version")) {
      o.command = Command::version;
      return {o, {}};
    }
    if (!r.unmatched().empty()) return fail("unexpected argument \"" + r.unmatched().front() + "\"");

    std::optional<std::string> kafka_config;
    if (r.count("kafka-config")) kafka_config = r["kafka-config"].as<std::string>();
    std::vector<std::string> x_args;
    if (r.count("X")) x_args = r["X"].as<std::vector<std::string>>();
    bool list_kafka_properties = false;
    std::string kafka_error;
    if (!read_kafka_flags(kafka_config, x_args, &o.kafka_settings, &list_kafka_properties, &kafka_error))
      return fail(kafka_error);
    if (list_kafka_properties) {
      o.command = Command::kafka_properties;
      return {o, {}};
    }

    o.db = r.count("db") ? r["db"].as<std::string>() : from_env(env, "PROFILE_PUBLISHER_DB");
    o.brokers = r.count("brokers") ? r["brokers"].as<std::string>() : from_env(env, "PROFILE_PUBLISHER_BROKERS");
    bool brokers_in_x = kafka_settings_name_brokers(o.kafka_settings);
    if (o.brokers.empty() && !brokers_in_x)
      return fail("no Kafka brokers: give --brokers HOST:PORT or set PROFILE_PUBLISHER_BROKERS");

    o.once = r.count("once") > 0;
    std::int64_t n;
    if (!parse_int(r["batch-size"].as<std::string>(), &n) || n < 1 || n > 100000)
      return fail("--batch-size must be between 1 and 100000");
    o.batch_size = static_cast<int>(n);
    if (!parse_int(r["max-in-flight"].as<std::string>(), &n) || n < o.batch_size || n > 10'000'000)
      return fail("--max-in-flight must be at least --batch-size (" + std::to_string(o.batch_size) +
                  ") and at most 10000000");
    o.max_in_flight = static_cast<int>(n);

    auto duration = [&r](const char* name, Millis* out, bool zero_ok) -> std::optional<std::string> {
      std::string text = r[name].as<std::string>();
      auto d = parse_duration(text);
      if (!d) return std::string("--") + name + " \"" + text + "\" is not a duration (examples: 500ms, 10s, 5m, 1d)";
      if (!zero_ok && d->count() == 0) return std::string("--") + name + " must be more than 0";
      *out = *d;
      return std::nullopt;
    };
    if (auto e = duration("poll-interval", &o.poll_interval, false)) return fail(*e);
    if (auto e = duration("prepared-poll", &o.prepared_poll, true)) return fail(*e);
    if (auto e = duration("retention", &o.retention, true)) return fail(*e);
    if (auto e = duration("flush-timeout", &o.flush_timeout, true)) return fail(*e);
    if (auto e = duration("stall-timeout", &o.stall_timeout, true)) return fail(*e);

    o.channel = r["channel"].as<std::string>();
    if (o.channel.empty() || o.channel.size() > 63) return fail("--channel must be 1 to 63 characters");

    if (auto e = read_daemon_flags(r["metrics-addr"].as<std::string>(), r["log-level"].as<std::string>(),
                                   &o.metrics_host, &o.metrics_port, &o.log_level))
      return fail(*e);
  } catch (const cxxopts::exceptions::exception& e) {
    return fail(e.what());
  }
  return {o, {}};
}

}  // namespace publisher
