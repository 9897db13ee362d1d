// The publisher uses the shared daemon library (common/src: logging, backoff,
// durations, metrics text, HTTP endpoints, sd_notify, Kafka settings) by its
// short names.
#pragma once

namespace realchat {}

namespace publisher {
using namespace realchat;
}  // namespace publisher
