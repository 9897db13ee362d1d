// /metrics (Prometheus text) and /healthz over HTTP, on a thread of its own.
// The daemon supplies both bodies; this class only serves them.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace realchat {

struct Health {
  bool ok = false;
  std::string text;  // one line, e.g. "ok leader"
};

class HttpEndpoints {
 public:
  HttpEndpoints(std::function<std::string()> metrics, std::function<Health()> health);
  ~HttpEndpoints();
  HttpEndpoints(const HttpEndpoints&) = delete;
  HttpEndpoints& operator=(const HttpEndpoints&) = delete;
  // Binds now (so a taken port is a startup error), serves on a thread.
  // Returns false with *error set if the address cannot be bound.
  bool start(const std::string& host, int port, std::string* error);
  void stop();

 private:
  std::function<std::string()> metrics_;
  std::function<Health()> health_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace realchat
