#include "options.h"

// -X values may contain commas (broker lists): never split them.
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>

namespace event_checker {

namespace {

constexpr const char* kDescription =
    "Reads the Profile Service's events topic and checks every user's stream: events seen,\n"
    "duplicates (the same event_id again), gaps in version, versions out of order. Duplicates are\n"
    "normal with at-least-once delivery and are removed first; what is left must be each user's\n"
    "versions 1, 2, 3, ... in order, on one partition. A ProfileCreated at version 1 after a\n"
    "ProfileDeleted starts the re-used user id's stream again.\n";

constexpr const char* kEpilog =
    "\nWith --expect or --expect-from-db it also compares with what was committed, and reports\n"
    "committed events that were never consumed as lost. Read the outbox only once the publisher\n"
    "has drained it, or rows not yet published count as lost (they are shown apart).\n"
    "\n"
    "Exit status:\n"
    "  0  every stream complete and in order (and, if asked, matching what was committed)\n"
    "  1  a gap, a reordering, a version conflict, a malformed message, or lost events\n"
    "  2  bad command line\n"
    "  3  the topic or the database could not be read (in time)\n"
    "\n"
    "Examples:\n"
    "  event-checker --brokers 127.0.0.1:9092\n"
    "  event-checker --brokers 127.0.0.1:9092 --expect-from-db 'host=127.0.0.1 dbname=chat'\n"
    "  event-checker --brokers kafka1:9092 --group audit --partial -X security.protocol=ssl\n";

ParseResult fail(std::string message) {
  ParseResult r;
  r.message = std::move(message);
  r.exit_code = kExitUsage;
  return r;
}

}  // namespace

ParseResult parse_options(int argc, const char* const* argv) {
  cxxopts::Options spec("event-checker", kDescription);
  spec.custom_help("--brokers HOST:PORT[,HOST:PORT] [options]");
  spec.set_width(100);
  // clang-format off
  spec.add_options()
    ("b,brokers", "Kafka bootstrap servers", cxxopts::value<std::string>(), "HOST:PORT[,...]")
    ("t,topic", "the events topic", cxxopts::value<std::string>()->default_value("profile.events"), "NAME")
    ("g,group", "consume as this consumer group, from its committed offsets (or the beginning), and "
                "commit when done; without it, every partition is read from its first offset and "
                "nothing is committed", cxxopts::value<std::string>(), "GROUP")
    ("X", "librdkafka setting, as kcat takes it (repeatable)",
     cxxopts::value<std::vector<std::string>>(), "NAME=VALUE")
    ("timeout", "give up (exit 3) if the end of the topic is not reached in this many seconds",
     cxxopts::value<int>()->default_value("120"), "SECONDS")
    ("expect", "committed events per user, one \"USER_ID COUNT\" line each", cxxopts::value<std::string>(), "FILE")
    ("expect-at-least", "the --expect counts are lower bounds (writers that cannot know every commit)")
    ("expect-from-db", "read what was committed from profile.outbox (libpq connection string or URI; "
                       "PG* variables apply)", cxxopts::value<std::string>(), "CONNINFO")
    ("partial", "streams may start mid-way (a group resuming, retention): versions below a user's "
                "first one seen are not gaps")
    ("v,verbose", "list every user, not only those with anomalies")
    ("max-users", "list at most this many users with anomalies", cxxopts::value<int>()->default_value("20"), "N")
    ("h,help", "show this help");
  // clang-format on

  cxxopts::ParseResult parsed;
  try {
    parsed = spec.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    return fail(std::string("event-checker: ") + e.what() + " (see --help)");
  }
  if (parsed.count("help")) {
    ParseResult r;
    r.message = spec.help() + kEpilog;
    r.exit_code = kExitOk;
    return r;
  }
  if (!parsed.unmatched().empty()) return fail("event-checker: unexpected argument " + parsed.unmatched().front());

  Options o;
  if (!parsed.count("brokers") || parsed["brokers"].as<std::string>().empty())
    return fail("event-checker: --brokers is required (see --help)");
  o.brokers = parsed["brokers"].as<std::string>();
  o.topic = parsed["topic"].as<std::string>();
  if (o.topic.empty()) return fail("event-checker: --topic must not be empty");
  if (parsed.count("group")) o.group = parsed["group"].as<std::string>();
  if (parsed.count("X")) {
    for (const std::string& setting : parsed["X"].as<std::vector<std::string>>()) {
      auto eq = setting.find('=');
      if (eq == std::string::npos || eq == 0) return fail("event-checker: -X needs NAME=VALUE, got " + setting);
      o.kafka_settings.emplace_back(setting.substr(0, eq), setting.substr(eq + 1));
    }
  }
  o.timeout_seconds = parsed["timeout"].as<int>();
  if (o.timeout_seconds < 1) return fail("event-checker: --timeout must be at least 1 second");
  if (parsed.count("expect")) o.expect_file = parsed["expect"].as<std::string>();
  if (parsed.count("expect-from-db")) o.expect_db = parsed["expect-from-db"].as<std::string>();
  if (!o.expect_file.empty() && !o.expect_db.empty())
    return fail("event-checker: give --expect or --expect-from-db, not both");
  o.expect_at_least = parsed.count("expect-at-least") > 0;
  if (o.expect_at_least && o.expect_file.empty()) return fail("event-checker: --expect-at-least needs --expect");
  o.partial = parsed.count("partial") > 0;
  o.verbose = parsed.count("verbose") > 0;
  o.max_users = parsed["max-users"].as<int>();
  if (o.max_users < 0) return fail("event-checker: --max-users must not be negative");

  ParseResult r;
  r.options = std::move(o);
  return r;
}

}  // namespace event_checker
