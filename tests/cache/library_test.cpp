// The Redis Functions library realchat_profile against a real throwaway Redis (REDIS_PORT, started
// by tests/cache/run.sh): the apply rules (duplicate, gap, deletion, eviction), the fill guard
// (never over a newer version, incl. an event between a reader's SQL read and its fill) and the
// visibility rules, checked case by case against extension/core's rp_visibility_decide.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "cache_keys.h"
#include "function_library.h"
#include "redis_client.h"
#include "visibility.h"

using realchat::RedisClient;
using realchat::RedisReply;

namespace {

const char* kA = "00000000-0000-4000-8000-00000000000a";
const char* kB = "00000000-0000-4000-8000-00000000000b";
const char* kC = "00000000-0000-4000-8000-00000000000c";

class Library : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* port = std::getenv("REDIS_PORT");
    if (!port) GTEST_SKIP() << "REDIS_PORT not set (tests/cache/run.sh starts a Redis)";
    redis_ = std::make_unique<RedisClient>("127.0.0.1", std::atoi(port), std::chrono::milliseconds(2000));
    std::string error;
    ASSERT_TRUE(realchat::load_profile_library(*redis_, &error)) << error;
    run({"FLUSHALL"});
  }

  RedisReply run(const std::vector<std::string>& args) {
    std::string error;
    auto r = redis_->command(args, &error);
    EXPECT_TRUE(r.has_value()) << error;
    return r ? *r : RedisReply{};
  }

  std::string apply(const std::string& user, const std::string& json) {
    auto k = realchat::cache_keys(user);
    RedisReply r = run({"FCALL", "profile_apply", "4", k.profile, k.contacts, k.blocks, k.floor, json, "600"});
    EXPECT_FALSE(r.is_error()) << r.str;
    return r.str;
  }

  std::string event(const std::string& user, int version, const std::string& type, const std::string& data) {
    return apply(user, R"({"event_id":"e","user_id":")" + user + R"(","version":)" + std::to_string(version) +
                           R"(,"event_type":")" + type + R"(","occurred_at":"2026-11-24T19:00:00.000000Z","data":)" +
                           data + "}");
  }

  std::string created(const std::string& user, int version, const std::string& status = "online") {
    return event(user, version, "ProfileCreated",
                 R"({"username":"u)" + std::to_string(version) + R"(","display_name":"U","bio":"","avatar_url":null,)"
                 R"("status":")" + status + R"(","last_seen":"2026-11-24T18:00:00.000000Z"})");
  }

  std::string fill(const std::string& user, int version, const std::string& username,
                   const std::string& contacts = "[]", const std::string& blocks = "[]",
                   const std::string& status_text = "null", const std::string& audience = "everyone") {
    auto k = realchat::cache_keys(user);
    std::string state = R"({"profile":{"username":")" + username +
                        R"(","display_name":"F","bio":"","avatar_url":null,"status":"online",)"
                        R"("last_seen":"2026-11-24T18:30:00.000000Z","status_text":)" + status_text +
                        R"(,"status_emoji":null,"status_expires_at":null,"presence_audience":")" + audience +
                        R"(","discoverable":true,"created_at":"2026-11-24T17:00:00.000000Z"},"contacts":)" + contacts + R"(,"blocks":)" + blocks +
                        R"(,"frozen_last_seen":null})";
    return run({"FCALL", "profile_fill", "4", k.profile, k.contacts, k.blocks, k.floor, std::to_string(version), state})
        .str;
  }

  // A new user as the cache sees one: ProfileCreated raises the floor, the first read fills.
  void start(const std::string& user, int version) {
    EXPECT_EQ(created(user, version), "absent");
    EXPECT_EQ(fill(user, version, "u" + std::to_string(version)), "filled");
  }

  // get_profile's fields for the viewer, or an empty vector on a miss.
  std::vector<std::string> get(const std::string& user, const std::string& viewer = "",
                               const std::string& viewer_audience = "everyone") {
    auto k = realchat::cache_keys(user);
    RedisReply r = run({"FCALL_RO", "profile_get", "3", k.profile, k.contacts, k.blocks, user, viewer, viewer_audience});
    std::vector<std::string> out;
    for (const auto& e : r.elements) out.push_back(e.is_nil() ? "<null>" : e.str);
    return out;
  }

  std::string version_of(const std::string& user) {
    auto k = realchat::cache_keys(user);
    RedisReply r = run({"FCALL_RO", "profile_version", "4", k.profile, k.contacts, k.blocks, k.floor});
    return (r.elements.at(0).is_nil() ? std::string("none") : r.elements[0].str) + "/" + r.elements.at(1).str;
  }

  std::unique_ptr<RedisClient> redis_;
};

enum Field { USER_ID, USERNAME, DISPLAY_NAME, BIO, AVATAR, STATUS, LAST_SEEN, VERSION, STATUS_TEXT, EMOJI, EXPIRES,
             AUDIENCE, DISCOVERABLE, CREATED_AT };

TEST_F(Library, EventsApplyOnlyOnTopOfTheVersionTheyFollow) {
  start(kA, 1);
  EXPECT_EQ(event(kA, 2, "ProfileUpdated",
                  R"({"username":"renamed","display_name":"U","bio":"b","avatar_url":null,"status":"online",)"
                  R"("last_seen":"2026-11-24T18:00:00.000000Z","changed":["username","bio"]})"),
            "applied");
  // A duplicate (redelivered after a crash) is skipped and changes nothing.
  EXPECT_EQ(event(kA, 2, "ProfileUpdated",
                  R"({"username":"old","display_name":"U","bio":"","avatar_url":null,"status":"online",)"
                  R"("last_seen":null,"changed":["username"]})"),
            "duplicate");
  EXPECT_EQ(created(kA, 1), "duplicate");
  auto p = get(kA);
  ASSERT_EQ(p.size(), 14u);
  EXPECT_EQ(p[USERNAME], "renamed");
  EXPECT_EQ(p[VERSION], "2");
  // A gap (version 4 after 2) drops the user instead of applying out of order.
  EXPECT_EQ(event(kA, 4, "UserBlocked", R"({"blocked_user_id":")" + std::string(kB) + R"("})"), "gap");
  EXPECT_TRUE(get(kA).empty());
  EXPECT_EQ(version_of(kA), "none/4");
  // Later events of an uncached user only move its floor.
  EXPECT_EQ(event(kA, 5, "UserUnblocked", R"({"blocked_user_id":")" + std::string(kB) + R"("})"), "absent");
  EXPECT_EQ(version_of(kA), "none/5");
}

// ProfileCreated carries only the six 1.0 fields; a profile inserted by hand may have a custom
// status or privacy that no later event reports. So it starts no cache: it raises the floor, the
// first read misses and fills from PostgreSQL, and later events apply on top of that fill.
TEST_F(Library, ProfileCreatedOnlyRaisesTheFloor) {
  EXPECT_EQ(created(kA, 1), "absent");
  EXPECT_TRUE(get(kA).empty());
  EXPECT_EQ(version_of(kA), "none/1");
  EXPECT_EQ(fill(kA, 1, "byhand", "[]", "[]", R"("lunch")", "nobody"), "filled");
  EXPECT_EQ(created(kA, 1), "duplicate");  // redelivered after the fill: the fill's state stays
  auto p = get(kA, kB);
  ASSERT_EQ(p.size(), 14u);
  EXPECT_EQ(p[STATUS_TEXT], "lunch");
  EXPECT_EQ(p[AUDIENCE], "nobody");
  EXPECT_EQ(p[LAST_SEEN], "<null>");
  EXPECT_EQ(p[CREATED_AT], "2026-11-24T17:00:00.000000Z");
  EXPECT_EQ(event(kA, 2, "PresenceChanged", R"({"status":"busy","last_seen":null})"), "applied");
  EXPECT_EQ(get(kA)[STATUS_TEXT], "lunch");
  EXPECT_EQ(get(kA)[STATUS], "busy");
  // A ProfileCreated that follows a cached version (no path writes one, but the rule is total)
  // drops the user rather than caching defaults.
  EXPECT_EQ(created(kA, 3), "absent");
  EXPECT_TRUE(get(kA).empty());
  EXPECT_EQ(version_of(kA), "none/3");
}

TEST_F(Library, AFillNeverOverwritesANewerVersion) {
  start(kA, 1);
  EXPECT_EQ(event(kA, 2, "PresenceChanged", R"({"status":"away","last_seen":"2026-11-24T18:10:00.000000Z"})"),
            "applied");
  EXPECT_EQ(fill(kA, 1, "stale"), "stale");
  EXPECT_EQ(fill(kA, 2, "same"), "stale");
  EXPECT_EQ(get(kA)[STATUS], "away");
  EXPECT_EQ(fill(kA, 3, "newer"), "filled");
  EXPECT_EQ(get(kA)[USERNAME], "newer");
  EXPECT_EQ(event(kA, 3, "PresenceChanged", R"({"status":"busy","last_seen":null})"), "duplicate");
  EXPECT_EQ(event(kA, 4, "PresenceChanged", R"({"status":"busy","last_seen":null})"), "applied");
  EXPECT_EQ(get(kA)[STATUS], "busy");
}

// A reader reads version 7 from PostgreSQL; version 8 commits and its event reaches the cache
// (the user is not cached: only the floor moves); then the reader's fill arrives: refused.
TEST_F(Library, TheFillRaceWithAnEventBetweenSqlReadAndFill) {
  EXPECT_EQ(event(kA, 8, "ContactAdded", R"({"contact_user_id":")" + std::string(kC) +
                                             R"(","nickname":null,"is_favorite":false})"),
            "absent");
  EXPECT_EQ(fill(kA, 7, "before"), "stale");
  EXPECT_TRUE(get(kA).empty());
  // The next reader reads version 8 and fills; version 9 then applies on top.
  EXPECT_EQ(fill(kA, 8, "at8", R"([")" + std::string(kC) + R"("])"), "filled");
  EXPECT_EQ(event(kA, 9, "ContactRemoved", R"({"contact_user_id":")" + std::string(kC) + R"("})"), "applied");
  EXPECT_EQ(version_of(kA), "9/8");
  // The same race when the user was cached: the event applies, the older fill is refused.
  EXPECT_EQ(fill(kA, 9, "late"), "stale");
  EXPECT_EQ(get(kA)[USERNAME], "at8");
}

TEST_F(Library, DeletedUsersDisappearAndOlderFillsStayOut) {
  start(kA, 1);
  EXPECT_EQ(event(kA, 2, "ProfileDeleted", "{}"), "deleted");
  EXPECT_TRUE(get(kA).empty());
  EXPECT_EQ(run({"EXISTS", "rp:{" + std::string(kA) + "}:p", "rp:{" + std::string(kA) + "}:c",
                 "rp:{" + std::string(kA) + "}:b"})
                .integer,
            0);
  EXPECT_EQ(fill(kA, 1, "ghost"), "stale");  // a reader that read the profile before the delete
  EXPECT_TRUE(get(kA).empty());
  // Versions never restart: the same id created again continues at 3.
  start(kA, 3);
  EXPECT_EQ(get(kA)[VERSION], "3");
}

TEST_F(Library, AUserMissingAnyKeyIsAMiss) {
  start(kA, 1);
  run({"DEL", "rp:{" + std::string(kA) + "}:c"});  // as allkeys-lru may evict it
  EXPECT_TRUE(get(kA).empty());
  EXPECT_EQ(event(kA, 2, "PresenceChanged", R"({"status":"busy","last_seen":null})"), "absent");
  EXPECT_EQ(fill(kA, 2, "back"), "filled");
  EXPECT_EQ(get(kA)[USERNAME], "back");
}

// created_at comes only from a fill; a profile hash without it (written by the library's
// earlier version, which started a user from ProfileCreated) is a miss and is filled again.
TEST_F(Library, AProfileWithoutCreatedAtIsAMiss) {
  start(kA, 1);
  run({"HDEL", "rp:{" + std::string(kA) + "}:p", "created_at"});
  EXPECT_TRUE(get(kA).empty());
  EXPECT_EQ(event(kA, 2, "PresenceChanged", R"({"status":"busy","last_seen":null})"), "absent");
  EXPECT_EQ(fill(kA, 2, "again"), "filled");
  EXPECT_EQ(get(kA)[CREATED_AT], "2026-11-24T17:00:00.000000Z");
  EXPECT_EQ(event(kA, 3, "PresenceChanged", R"({"status":"away","last_seen":null})"), "applied");
  EXPECT_EQ(get(kA)[CREATED_AT], "2026-11-24T17:00:00.000000Z");
}

TEST_F(Library, ProfileGetMasksForTheViewer) {
  start(kA, 1);
  EXPECT_EQ(event(kA, 2, "CustomStatusChanged",
                  R"({"status_text":"lunch","status_emoji":null,"expires_at":null,"reason":"set"})"),
            "applied");
  EXPECT_EQ(event(kA, 3, "PresenceChanged", R"({"status":"invisible","last_seen":"2026-11-24T18:20:00.000000Z"})"),
            "applied");
  // Rule 3: others see offline with the frozen last_seen; the user and trusted callers the truth.
  EXPECT_EQ(get(kA, kB)[STATUS], "offline");
  EXPECT_EQ(get(kA, kB)[LAST_SEEN], "2026-11-24T18:20:00.000000Z");
  EXPECT_EQ(get(kA, kA)[STATUS], "invisible");
  EXPECT_EQ(get(kA)[STATUS], "invisible");
  // Rule 4: a viewer who shows nobody their last_seen sees nobody's.
  EXPECT_EQ(get(kA, kB, "nobody")[LAST_SEEN], "<null>");
  // With the audience not known yet ('*', read in the same round trip): the answer for any other
  // audience, then last_seen for a viewer who shows theirs to nobody.
  auto both = get(kA, kB, "*");
  ASSERT_EQ(both.size(), 15u);
  EXPECT_EQ(std::vector<std::string>(both.begin(), both.begin() + 14), get(kA, kB, "contacts"));
  EXPECT_EQ(both[14], "<null>");
  // Rule 1: blocked viewer: no last_seen, no custom status.
  EXPECT_EQ(event(kA, 4, "UserBlocked", R"({"blocked_user_id":")" + std::string(kB) + R"("})"), "applied");
  auto p = get(kA, kB);
  EXPECT_EQ(p[LAST_SEEN], "<null>");
  EXPECT_EQ(p[STATUS_TEXT], "<null>");
  EXPECT_EQ(get(kA, kC)[STATUS_TEXT], "lunch");
  // Rule 2 with contacts: C is a contact, B is not.
  EXPECT_EQ(event(kA, 5, "PresenceChanged", R"({"status":"online","last_seen":"2026-11-24T18:25:00.000000Z"})"),
            "applied");
  EXPECT_EQ(event(kA, 6, "PrivacyChanged",
                  R"({"presence_audience":"contacts","discoverable":false,"changed":["presence_audience"]})"),
            "applied");
  EXPECT_EQ(get(kA, kC)[STATUS], "offline");
  EXPECT_EQ(event(kA, 7, "ContactAdded", R"({"contact_user_id":")" + std::string(kC) +
                                             R"(","nickname":null,"is_favorite":false})"),
            "applied");
  EXPECT_EQ(get(kA, kC)[STATUS], "online");
  EXPECT_EQ(get(kA, kC)[DISCOVERABLE], "0");
  both = get(kA, kC, "*");
  ASSERT_EQ(both.size(), 15u);
  EXPECT_EQ(both[LAST_SEEN], "2026-11-24T18:25:00.000000Z");
  EXPECT_EQ(both[14], get(kA, kC, "nobody")[LAST_SEEN]);
  EXPECT_EQ(both[14], "<null>");
}

// Every combination of facts through the library's profile_decide and extension/core's
// rp_visibility_decide: one rule table, two implementations, the same answers.
TEST_F(Library, VisibilityRulesMatchTheExtensionCaseByCase) {
  const char* audiences[] = {"everyone", "contacts", "nobody"};
  const char* last_seen_modes[] = {"stored", "frozen", "null"};
  int cases = 0;
  for (int bits = 0; bits < 64; ++bits) {
    for (int oa = 0; oa < 3; ++oa) {
      for (int va = 0; va < 3; ++va) {
        rp_visibility_facts f{};
        f.trusted = bits & 1;
        f.owner_blocks_viewer = bits & 2;
        f.viewer_blocks_owner = bits & 4;
        f.viewer_in_owner_contacts = bits & 8;
        f.owner_invisible = bits & 16;
        f.owner_discoverable = bits & 32;
        f.owner_audience = static_cast<rp_audience>(oa);
        f.viewer_audience = static_cast<rp_audience>(va);
        rp_visibility want = rp_visibility_decide(&f);
        auto b = [](bool x) { return std::string(x ? "1" : "0"); };
        RedisReply r = run({"FCALL_RO", "profile_decide", "0", b(f.trusted), b(f.owner_blocks_viewer),
                            b(f.viewer_blocks_owner), b(f.viewer_in_owner_contacts), audiences[oa], audiences[va],
                            b(f.owner_invisible), b(f.owner_discoverable)});
        ASSERT_EQ(r.elements.size(), 5u) << r.str;
        std::string label = "facts bits=" + std::to_string(bits) + " owner_audience=" + audiences[oa] +
                            " viewer_audience=" + audiences[va];
        EXPECT_EQ(r.elements[0].integer, want.status_offline) << label;
        EXPECT_EQ(r.elements[1].str, last_seen_modes[want.last_seen]) << label;
        EXPECT_EQ(r.elements[2].integer, want.hide_custom_status) << label;
        EXPECT_EQ(r.elements[3].integer, want.found_by_username) << label;
        EXPECT_EQ(r.elements[4].integer, want.found_by_search) << label;
        // profile_get's '*' answers for every viewer audience at once on this property of the
        // rules: 'contacts' decides as 'everyone', and 'nobody' changes last_seen only.
        rp_visibility_facts as_everyone = f;
        as_everyone.viewer_audience = RP_AUDIENCE_EVERYONE;
        rp_visibility base = rp_visibility_decide(&as_everyone);
        EXPECT_EQ(want.status_offline, base.status_offline) << label;
        EXPECT_EQ(want.hide_custom_status, base.hide_custom_status) << label;
        EXPECT_EQ(want.found_by_username, base.found_by_username) << label;
        EXPECT_EQ(want.found_by_search, base.found_by_search) << label;
        if (f.viewer_audience != RP_AUDIENCE_NOBODY) {
          EXPECT_EQ(want.last_seen, base.last_seen) << label;
        }
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 576);
}

}  // namespace
