// The publisher's /metrics and /healthz: its Metrics, healthy while the
// database connection is up, leader or standby alike.
#pragma once

#include <string>

#include "http_endpoints.h"
#include "metrics.h"

namespace publisher {

class MetricsServer {
 public:
  explicit MetricsServer(const Metrics& metrics);
  bool start(const std::string& host, int port, std::string* error) { return http_.start(host, port, error); }
  void stop() { http_.stop(); }

 private:
  HttpEndpoints http_;
};

}  // namespace publisher
