// /metrics (Prometheus text) and /healthz over HTTP, on a thread of its own.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "metrics.h"

namespace httplib {
class Server;
}

namespace publisher {

class MetricsServer {
 public:
  explicit MetricsServer(const Metrics& metrics);
  ~MetricsServer();
  // Binds now (so a taken port is a startup error), serves on a thread.
  // Returns false with *error set if the address cannot be bound.
  bool start(const std::string& host, int port, std::string* error);
  void stop();

 private:
  const Metrics& metrics_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace publisher
