// event-checker: consumes the Profile Service's events topic and checks each user's stream
// (duplicates, gaps, order), optionally against what was committed. See --help.
#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>
#include <optional>

#include "event.h"
#include "expectations.h"
#include "kafka_reader.h"
#include "options.h"
#include "outbox_reader.h"
#include "report.h"
#include "sequence_tracker.h"

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop.store(true); }

constexpr std::size_t kMalformedShown = 10;

}  // namespace

int main(int argc, char** argv) {
  using namespace event_checker;
  ParseResult parsed = parse_options(argc, argv);
  if (!parsed.options) {
    (parsed.exit_code == kExitOk ? std::cout : std::cerr) << parsed.message << "\n";
    return parsed.exit_code;
  }
  const Options& o = *parsed.options;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  // What was committed is read first: rows written while the topic is read then show up as
  // "consumed, not in the outbox" rather than as lost.
  std::optional<Expectations> expected;
  std::string source;
  if (!o.expect_file.empty()) {
    std::ifstream in(o.expect_file);
    if (!in) {
      std::cerr << "event-checker: cannot open " << o.expect_file << "\n";
      return kExitUnreadable;
    }
    auto r = parse_expectations(in);
    if (auto* e = std::get_if<ParseError>(&r)) {
      std::cerr << "event-checker: " << o.expect_file << ": " << e->message << "\n";
      return kExitUsage;
    }
    expected = std::get<Expectations>(std::move(r));
    expected->at_least = o.expect_at_least;
    source = o.expect_at_least ? "file, at least" : "file";
  } else if (!o.expect_db.empty()) {
    auto r = read_outbox(o.expect_db, o.topic);
    if (auto* e = std::get_if<OutboxError>(&r)) {
      std::cerr << "event-checker: " << e->message << "\n";
      return kExitUnreadable;
    }
    expected = std::get<Expectations>(std::move(r));
    source = "outbox";
  }

  SequenceTracker tracker(o.partial);
  std::uint64_t malformed = 0;
  ReadResult read = read_topic(
      o,
      [&](std::string_view key, std::string_view value, std::int32_t partition, std::int64_t offset) {
        auto parsed_event = parse_event(key, value, partition, offset);
        if (auto* bad = std::get_if<MalformedMessage>(&parsed_event)) {
          if (++malformed <= kMalformedShown)
            std::cout << "malformed message at partition " << partition << " offset " << offset << ": " << bad->reason
                      << "\n";
          return;
        }
        tracker.add(std::get<Event>(parsed_event));
      },
      g_stop);
  if (!read.note.empty()) std::cout << "note: " << read.note << "\n";

  std::vector<UserReport> users = tracker.users();
  int listed = 0;
  int anomalous = 0;
  for (const UserReport& u : users) {
    if (!u.ok()) ++anomalous;
    if (o.verbose || (!u.ok() && listed < o.max_users)) {
      std::cout << format_user(u) << "\n";
      if (!u.ok()) ++listed;
    }
  }
  if (anomalous > listed && !o.verbose) std::cout << "(" << anomalous - listed << " more users with anomalies)\n";

  std::optional<Comparison> comparison;
  if (expected) {
    comparison = compare(*expected, tracker);
    std::size_t shown = 0;
    for (const ShortUser& s : comparison->short_users) {
      if (shown++ == static_cast<std::size_t>(o.max_users)) break;
      std::cout << "user " << to_string(s.user_id) << ": " << s.expected << " events committed, " << s.consumed
                << " consumed\n";
    }
    for (const Uuid& id : comparison->lost_event_ids) std::cout << "lost event " << to_string(id) << "\n";
  }

  RunFacts facts;
  facts.topic = o.topic;
  facts.partitions = read.partitions;
  facts.malformed = malformed;
  facts.expectation_source = source;
  std::cout << format_summary(tracker.totals(), facts, comparison);
  if (!read.complete) {
    std::cerr << "event-checker: the topic was not read to its end: " << read.error << "\n";
    return kExitUnreadable;
  }
  return passed(tracker.totals(), facts, comparison) ? kExitOk : kExitAnomalies;
}
