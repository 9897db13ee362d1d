// A synchronous hiredis connection with pipelining, for the cache daemon and the read helper.
// Replies are copied into plain values so no hiredis object outlives a call. Any I/O error
// closes the connection; the caller reconnects (and reloads the function library).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

struct redisContext;

namespace realchat {

struct RedisReply {
  enum class Kind { nil, string, integer, array, error };
  Kind kind = Kind::nil;
  std::string str;  // string, status and error text
  long long integer = 0;
  std::vector<RedisReply> elements;

  bool is_error() const { return kind == Kind::error; }
  bool is_nil() const { return kind == Kind::nil; }
};

class RedisClient {
 public:
  RedisClient(std::string host, int port, std::chrono::milliseconds timeout);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Connects if not connected; false with *error set on failure.
  bool connect(std::string* error);
  bool connected() const { return ctx_ != nullptr; }
  void close();

  // Sends every command, then reads every reply, in order. nullopt (and the connection closed)
  // on an I/O error; error replies are returned as such.
  std::optional<std::vector<RedisReply>> pipeline(const std::vector<std::vector<std::string>>& commands,
                                                  std::string* error);
  std::optional<RedisReply> command(const std::vector<std::string>& args, std::string* error);

  const std::string& host() const { return host_; }
  int port() const { return port_; }

 private:
  std::string host_;
  int port_;
  std::chrono::milliseconds timeout_;
  redisContext* ctx_ = nullptr;
};

}  // namespace realchat
