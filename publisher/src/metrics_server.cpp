#include "metrics_server.h"

#include <httplib.h>

namespace publisher {

MetricsServer::MetricsServer(const Metrics& metrics) : metrics_(metrics) {}

MetricsServer::~MetricsServer() { stop(); }

bool MetricsServer::start(const std::string& host, int port, std::string* error) {
  server_ = std::make_unique<httplib::Server>();
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  // Healthy while the database connection is up, leader or standby alike.
  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    bool up = metrics_.db_up.load() != 0;
    res.status = up ? 200 : 503;
    res.set_content(std::string(up ? "ok" : "database unreachable") +
                        (metrics_.leader.load() ? " leader\n" : " standby\n"),
                    "text/plain");
  });
  if (!server_->bind_to_port(host.c_str(), port)) {
    *error = "cannot listen on " + host + ":" + std::to_string(port) + " (in use or not a local address)";
    server_.reset();
    return false;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return true;
}

void MetricsServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace publisher
