#include "cache_keys.h"

namespace realchat {

CacheKeys cache_keys(const std::string& user_id) {
  std::string base = "rp:{" + user_id + "}:";
  return {base + "p", base + "c", base + "b", base + "f"};
}

bool is_canonical_uuid(const std::string& t) {
  if (t.size() != 36) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = t[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace realchat
