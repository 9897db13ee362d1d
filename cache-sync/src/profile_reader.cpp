#include "profile_reader.h"

#include <memory>
#include <stdexcept>

#include "cache_keys.h"

namespace realchat {

#define RP_TS(expr) "to_char((" expr ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

const char* const kUserStateSql =
    "SELECT p.version::text, json_build_object("
    " 'profile', json_build_object('username', p.username, 'display_name', p.display_name, 'bio', p.bio,"
    "   'avatar_url', p.avatar_url, 'status', p.status, 'last_seen', " RP_TS("p.last_seen") ","
    "   'status_text', p.status_text, 'status_emoji', p.status_emoji,"
    "   'status_expires_at', " RP_TS("p.status_expires_at") ","
    "   'presence_audience', p.presence_audience, 'discoverable', p.discoverable,"
    "   'created_at', " RP_TS("p.created_at") "),"
    " 'contacts', (SELECT coalesce(json_agg(c.contact_user_id), '[]') FROM profile.contacts c"
    "              WHERE c.user_id = p.user_id),"
    " 'blocks', (SELECT coalesce(json_agg(b.blocked_user_id), '[]') FROM profile.blocks b"
    "            WHERE b.user_id = p.user_id),"
    " 'frozen_last_seen', (SELECT " RP_TS("s.frozen_last_seen") " FROM profile.presence_state s"
    "                      WHERE s.user_id = p.user_id))::text,"
    " p.presence_audience::text"
    " FROM profile.profiles p WHERE p.user_id = $1::uuid";

const char* const kGetProfileSql =
    "SELECT user_id::text, username, display_name, bio, avatar_url, status::text, " RP_TS("last_seen") ","
    " version::text, status_text, status_emoji, " RP_TS("status_expires_at") ", presence_audience::text,"
    " CASE WHEN discoverable THEN '1' ELSE '0' END, " RP_TS("created_at")
    " FROM profile.get_profile($1::uuid, $2::uuid)";

#undef RP_TS

namespace {

using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

Result query(PGconn* db, const char* sql, const std::string& a, const std::string* b) {
  const char* values[2] = {a.c_str(), b && !b->empty() ? b->c_str() : nullptr};
  Result res(PQexecParams(db, sql, b ? 2 : 1, nullptr, values, nullptr, nullptr, 0), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK)
    throw std::runtime_error(std::string("profile reader: ") + PQerrorMessage(db));
  return res;
}

}  // namespace

bool ProfileReader::fill(const std::string& user_id, std::string* presence_audience) {
  Result res = query(db_, kUserStateSql, user_id, nullptr);
  if (PQntuples(res.get()) == 0) return false;
  if (presence_audience) *presence_audience = PQgetvalue(res.get(), 0, 2);
  CacheKeys k = cache_keys(user_id);
  std::string error;
  auto reply = redis_.command({"FCALL", "profile_fill", "4", k.profile, k.contacts, k.blocks, k.floor,
                               PQgetvalue(res.get(), 0, 0), PQgetvalue(res.get(), 0, 1)},
                              &error);
  if (reply && !reply->is_error()) {
    if (reply->str == "filled")
      stats_.fills++;
    else
      stats_.stale_fills++;
  }
  return true;
}

std::optional<ProfileFields> ProfileReader::cached(const std::string& user_id, const std::string& viewer,
                                                   const std::string& audience, bool* redis_ok) {
  CacheKeys k = cache_keys(user_id);
  std::string error;
  auto reply = redis_.command(
      {"FCALL_RO", "profile_get", "3", k.profile, k.contacts, k.blocks, user_id, viewer, audience}, &error);
  *redis_ok = reply && !reply->is_error();
  if (!*redis_ok) return std::nullopt;
  return fields_of(*reply, false);
}

std::optional<ProfileFields> ProfileReader::from_database(const std::string& user_id, const std::string& viewer) {
  stats_.database_fallbacks++;
  Result res = query(db_, kGetProfileSql, user_id, &viewer);
  if (PQntuples(res.get()) == 0) return std::nullopt;
  ProfileFields out;
  for (size_t i = 0; i < out.size(); ++i)
    if (!PQgetisnull(res.get(), 0, static_cast<int>(i))) out[i] = PQgetvalue(res.get(), 0, static_cast<int>(i));
  return out;
}

// The 14 fields of a profile_get reply; with a 15th (the '*' form), last_seen for a viewer who
// shows theirs to nobody replaces the 7th when `reciprocal`.
std::optional<ProfileFields> ProfileReader::fields_of(const RedisReply& reply, bool reciprocal) {
  size_t n = kProfileFields.size();
  if (reply.kind != RedisReply::Kind::array || (reply.elements.size() != n && reply.elements.size() != n + 1))
    return std::nullopt;
  ProfileFields out;
  for (size_t i = 0; i < n; ++i)
    if (reply.elements[i].kind == RedisReply::Kind::string) out[i] = reply.elements[i].str;
  if (reciprocal && reply.elements.size() == n + 1) {
    const RedisReply& alt = reply.elements[n];
    out[6] = alt.kind == RedisReply::Kind::string ? std::optional<std::string>(alt.str) : std::nullopt;
  }
  return out;
}

// A hit with a viewer in one round trip: the viewer's audience and the user's answer pipelined
// (each call still touches one user's slot); the answer carries both rule-4 variants.
std::optional<ProfileFields> ProfileReader::cached_with_viewer(const std::string& user_id, const std::string& viewer,
                                                               std::string* audience, bool* redis_ok) {
  CacheKeys v = cache_keys(viewer), k = cache_keys(user_id);
  std::string error;
  auto replies = redis_.pipeline({{"FCALL_RO", "profile_viewer", "3", v.profile, v.contacts, v.blocks},
                                  {"FCALL_RO", "profile_get", "3", k.profile, k.contacts, k.blocks, user_id, viewer, "*"}},
                                 &error);
  *redis_ok = replies && !(*replies)[1].is_error();
  if ((replies && (*replies)[0].kind == RedisReply::Kind::string)) {
    *audience = (*replies)[0].str;
  } else if (!fill(viewer, audience)) {
    *audience = "everyone";  // a viewer without a profile shows to everyone (as get_profile)
  }
  if (!*redis_ok) return std::nullopt;
  return fields_of((*replies)[1], *audience == "nobody");
}

std::optional<ProfileFields> ProfileReader::get(const std::string& user_id, const std::string& viewer,
                                                ReadSource* source) {
  std::string audience = "everyone";
  bool redis_ok = false;
  std::optional<ProfileFields> hit;
  if (!viewer.empty() && viewer != user_id)
    hit = cached_with_viewer(user_id, viewer, &audience, &redis_ok);
  else
    hit = cached(user_id, viewer, audience, &redis_ok);
  if (hit) {
    stats_.hits++;
    if (source) *source = ReadSource::cache;
    return hit;
  }
  if (redis_ok) {
    if (!fill(user_id)) {
      if (source) *source = ReadSource::database;
      return std::nullopt;
    }
    if (auto filled = cached(user_id, viewer, audience, &redis_ok)) {
      if (source) *source = ReadSource::filled;
      return filled;
    }
  }
  if (source) *source = ReadSource::database;
  return from_database(user_id, viewer);
}

}  // namespace realchat
