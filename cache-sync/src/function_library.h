// The Redis Functions library realchat_profile (cache-sync/redis/realchat_profile.lua), built
// into the binaries so the daemon and the tests load exactly the code they were built with.
#pragma once

#include <string>

namespace realchat {

class RedisClient;

// The library's source text.
const std::string& profile_library_source();
// The version the library reports (profile_library_version).
const char* profile_library_version();

// FUNCTION LOAD REPLACE, then checks the version it reports; false with *error.
bool load_profile_library(RedisClient& redis, std::string* error);

}  // namespace realchat
