// The command line: `profile-publisher [run options]`, plus the operator
// subcommands `quarantined` and `redrive`. Parsing and validation only; a bad
// option becomes one line of text for stderr.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "duration.h"
#include "kafka_settings.h"
#include "listen_address.h"
#include "log.h"
#include "shared_names.h"

namespace publisher {

enum class Command {
  run,          // relay the outbox (the daemon)
  quarantined,  // list quarantined rows
  redrive,      // put quarantined rows back in line
  kafka_properties,  // -X list
  help,
  version,
};

struct Options {
  Command command = Command::run;
  std::string db;  // libpq conninfo or URI; empty: PG* environment variables only
  std::string brokers;
  // --kafka-config file lines, then -X name=value, in order.
  std::vector<std::pair<std::string, std::string>> kafka_settings;
  bool once = false;
  int batch_size = 5000;
  int max_in_flight = 50000;
  Millis poll_interval{1000};
  // While a prepared transaction holds a lock on the outbox (its COMMIT
  // PREPARED sends no NOTIFY), read at least this often; 0: never look.
  Millis prepared_poll{200};
  std::string channel = "profile_outbox";
  std::string metrics_host = "127.0.0.1";
  int metrics_port = 9187;  // 0: no HTTP endpoint
  Millis retention{24 * 3600 * 1000};
  Millis flush_timeout{10000};
  // A leader with rows in flight and no acknowledgement for this long gives
  // the leadership up, so a standby that reaches Kafka publishes; 0: never.
  Millis stall_timeout{30000};
  LogLevel log_level = LogLevel::info;
  // redrive
  std::optional<std::int64_t> redrive_id;
  bool redrive_all = false;

  std::string help_text;  // for Command::help
};

struct ParseResult {
  std::optional<Options> options;
  std::string error;  // one line, set when options is empty
};

using EnvLookup = std::function<const char*(const char*)>;

// argv[1] may name a subcommand. Environment: PROFILE_PUBLISHER_DB and
// PROFILE_PUBLISHER_BROKERS stand in for --db and --brokers (so secrets stay
// out of `ps`); libpq reads PGHOST, PGPASSWORD, PGPASSFILE and the rest itself.
ParseResult parse_options(int argc, const char* const* argv, const EnvLookup& env);

}  // namespace publisher
