// Operator subcommands: `quarantined` lists the rows the publisher set
// aside, `redrive` puts them back in line (the leader then sends them, and
// the rows of the same key held behind them, in order).
#pragma once

#include "options.h"

namespace publisher {

int list_quarantined(const Options& options);
int redrive(const Options& options);

}  // namespace publisher
