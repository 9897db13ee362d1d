#include "http_endpoints.h"

#include <httplib.h>

namespace realchat {

HttpEndpoints::HttpEndpoints(std::function<std::string()> metrics, std::function<Health()> health)
    : metrics_(std::move(metrics)), health_(std::move(health)) {}

HttpEndpoints::~HttpEndpoints() { stop(); }

bool HttpEndpoints::start(const std::string& host, int port, std::string* error) {
  server_ = std::make_unique<httplib::Server>();
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    Health h = health_();
    res.status = h.ok ? 200 : 503;
    res.set_content(h.text + "\n", "text/plain");
  });
  if (!server_->bind_to_port(host.c_str(), port)) {
    *error = "cannot listen on " + host + ":" + std::to_string(port) + " (in use or not a local address)";
    server_.reset();
    return false;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return true;
}

void HttpEndpoints::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace realchat
