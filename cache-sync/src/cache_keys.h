// Key names of one user's cached state; all share the hash tag {<user_id>} so they live in
// one slot (Redis Cluster ready). The Lua library documents what each key holds.
#pragma once

#include <string>
#include <vector>

namespace realchat {

struct CacheKeys {
  std::string profile, contacts, blocks, floor;
  // The four, in the order the library's writing functions take them.
  std::vector<std::string> all() const { return {profile, contacts, blocks, floor}; }
};

CacheKeys cache_keys(const std::string& user_id);

// A user id as the event stream writes it (canonical lower-case uuid text).
bool is_canonical_uuid(const std::string& text);

}  // namespace realchat
