// The read helper for services: a profile as get_profile(user_id, viewer) returns it, from
// Redis when cached, else from PostgreSQL, filling the cache so the next read hits.
//
//   1. With a viewer (V != A), one round trip of two calls, each on one user's slot: V's
//      presence_audience (rule 4) from V's keys (profile_viewer), and profile_get for A with V
//      and the audience '*' (both rule-4 variants); on a hit, the variant V's audience picks
//      (every rule applied in the library). A miss of V reads and fills V's state from
//      PostgreSQL for its audience. Without a viewer, profile_get alone.
//   2. On a miss: A's whole state in one statement (one snapshot, one version), filled with
//      profile_fill (refused if the cache or the floor is newer), then profile_get again.
//      If Redis still cannot answer (evicted at once, or down), get_profile in PostgreSQL.
//
// PostgreSQL: SELECT on profile.profiles, contacts, blocks and presence_state for the fill
// (scripts/create-roles.sql: profile_cache_reader), EXECUTE on get_profile for the fallback.
#pragma once

#include <array>
#include <optional>
#include <string>

#include <libpq-fe.h>

#include "redis_client.h"

namespace realchat {

// get_profile's columns the cache serves, in this order (not updated_at: README, "Read cache",
// says why).
constexpr std::array<const char*, 14> kProfileFields = {
    "user_id",     "username",     "display_name",      "bio",               "avatar_url",
    "status",      "last_seen",    "version",           "status_text",       "status_emoji",
    "status_expires_at", "presence_audience", "discoverable", "created_at"};

// Text values; nullopt = null. Timestamps as "YYYY-MM-DDTHH:MM:SS.ffffffZ", discoverable "1"/"0".
using ProfileFields = std::array<std::optional<std::string>, kProfileFields.size()>;

enum class ReadSource { cache, filled, database };

struct ReaderStats {
  long hits = 0, fills = 0, stale_fills = 0, database_fallbacks = 0;
};

class ProfileReader {
 public:
  ProfileReader(RedisClient& redis, PGconn* db) : redis_(redis), db_(db) {}

  // nullopt if the user does not exist. Throws std::runtime_error on a PostgreSQL error.
  std::optional<ProfileFields> get(const std::string& user_id, const std::string& viewer,
                                   ReadSource* source = nullptr);

  // The user's whole state read from PostgreSQL and offered to the cache; false if no such user.
  bool fill(const std::string& user_id, std::string* presence_audience = nullptr);

  const ReaderStats& stats() const { return stats_; }

 private:
  std::optional<ProfileFields> cached_with_viewer(const std::string& user_id, const std::string& viewer,
                                                  std::string* audience, bool* redis_ok);
  static std::optional<ProfileFields> fields_of(const RedisReply& reply, bool reciprocal);
  std::optional<ProfileFields> cached(const std::string& user_id, const std::string& viewer,
                                      const std::string& audience, bool* redis_ok);
  std::optional<ProfileFields> from_database(const std::string& user_id, const std::string& viewer);

  RedisClient& redis_;
  PGconn* db_;
  ReaderStats stats_;
};

// The SQL of one user's whole state (one statement, so one snapshot): version, then the
// library's fill document.
extern const char* const kUserStateSql;
// get_profile's served columns in the cache's text forms.
extern const char* const kGetProfileSql;

}  // namespace realchat
