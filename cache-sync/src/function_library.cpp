#include "function_library.h"

#include "realchat_profile_lua.h"  // generated from redis/realchat_profile.lua
#include "redis_client.h"

namespace realchat {

const std::string& profile_library_source() {
  static const std::string source(kRealchatProfileLua);
  return source;
}

const char* profile_library_version() { return "4"; }

bool load_profile_library(RedisClient& redis, std::string* error) {
  auto r = redis.command({"FUNCTION", "LOAD", "REPLACE", profile_library_source()}, error);
  if (!r) return false;
  if (r->is_error()) {
    *error = "FUNCTION LOAD: " + r->str;
    return false;
  }
  auto v = redis.command({"FCALL_RO", "profile_library_version", "0"}, error);
  if (!v) return false;
  if (v->is_error() || v->str != profile_library_version()) {
    *error = "library realchat_profile reports version \"" + v->str + "\", expected " + profile_library_version();
    return false;
  }
  return true;
}

}  // namespace realchat
