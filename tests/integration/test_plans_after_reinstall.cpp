// A pooled connection outlives a reinstall: one session uses every function, another session runs
// DROP EXTENSION and CREATE EXTENSION, and the first session's calls all work again without
// reconnecting (its saved plans must not keep the dropped objects' OIDs). In a database of its
// own, so the reinstall touches nothing the other tests use.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "pg_session.h"

namespace {

const char* const kDatabase = "realchat_plans_after_reinstall";

// Every API function, the outbox functions and a change by hand; returns the SQLSTATE of the
// first call that failed, with the call, or "" when all succeeded.
std::string use_everything(PgSession& db) {
  std::string a = random_uuid(), b = random_uuid();
  const std::vector<std::pair<std::string, std::vector<std::string>>> calls{
      {"SELECT profile.create_profile($1, $2, 'A')", {a, "a" + a.substr(0, 8)}},
      {"SELECT profile.create_profile($1, $2, 'B')", {b, "b" + b.substr(0, 8)}},
      {"SELECT profile.update_profile($1, bio => 'hi')", {a}},
      {"SELECT profile.set_status($1, 'online')", {a}},
      {"SELECT profile.set_status($1, $2)", {a, "offline"}},
      {"SELECT profile.add_contact($1, $2, nickname => 'B')", {a, b}},
      {"SELECT profile.update_contact($1, $2, is_favorite => true)", {a, b}},
      {"SELECT count(*) FROM profile.list_contacts($1)", {a}},
      {"SELECT count(*) FROM profile.get_profile($1, viewer => $2)", {b, a}},
      {"SELECT count(*) FROM profile.get_profiles(ARRAY[$1, $2]::uuid[])", {a, b}},
      {"SELECT count(*) FROM profile.find_profile_by_username($1)", {"a" + a.substr(0, 8)}},
      {"SELECT profile.block_user($1, $2)", {b, a}},
      {"SELECT count(*) FROM profile.list_blocks($1)", {b}},
      {"SELECT profile.is_blocked($1, $2), profile.can_interact($1, $2)", {b, a}},
      {"SELECT profile.unblock_user($1, $2)", {b, a}},
      {"SELECT profile.remove_contact($1, $2)", {a, b}},
      {"UPDATE profile.profiles SET display_name = 'B by hand' WHERE user_id = $1", {b}},
      {"SELECT profile.delete_profile($1)", {b}},
      {"SELECT * FROM profile.outbox_stats()", {}},
      {"SELECT profile.purge_outbox('1 day'), profile.request_wakeup()", {}},
  };
  for (const auto& [sql, params] : calls) {
    std::string state = db.try_exec(sql, params);
    if (!state.empty()) return state + " from " + sql;
  }
  return "";
}

}  // namespace

TEST(PlansAfterReinstall, PooledSessionWorksAfterAnotherSessionReinstalls) {
  PgSession admin(test_conninfo());
  admin.query(std::string("DROP DATABASE IF EXISTS ") + kDatabase);
  admin.query(std::string("CREATE DATABASE ") + kDatabase);
  // In a keyword connection string the last dbname wins.
  std::string conninfo = test_conninfo() + " dbname=" + kDatabase;
  {
    PgSession installer(conninfo);
    installer.query("CREATE EXTENSION realchat_profile CASCADE");
    PgSession pooled(conninfo);
    EXPECT_EQ(use_everything(pooled), "");

    installer.query("DROP EXTENSION realchat_profile");
    installer.query("CREATE EXTENSION realchat_profile CASCADE");
    EXPECT_EQ(use_everything(pooled), "");
    // and again, once every slot has been prepared anew
    EXPECT_EQ(use_everything(pooled), "");
  }
  admin.query(std::string("DROP DATABASE ") + kDatabase);
}
