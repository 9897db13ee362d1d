// Wake-ups are per database: each database of the preloaded cluster has its
// own request flag, and a publisher waits only for its own database's writers.
#include <gtest/gtest.h>

#include "pg_session.h"
#include "wakeup_helpers.h"

using namespace std::chrono_literals;

namespace {
std::string requested(PgSession& db) { return db.scalar("SELECT wakeup_requested FROM profile.wakeup_stats()"); }
}  // namespace

// Two publishers, one per database, both asleep: a write in B wakes B's and
// leaves A's request alone; the next write in A wakes A's.
TEST(PreloadedWakeupDatabases, AWriteWakesOnlyItsOwnDatabasesPublisher) {
  PgSession admin(test_conninfo());
  ScratchDatabase a(admin, "realchat_test_wakeup_a"), b(admin, "realchat_test_wakeup_b");
  PgSession publisher_a(a.conninfo()), publisher_b(b.conninfo()), writer_a(a.conninfo()), writer_b(b.conninfo());
  std::string user_a = make_user(writer_a), user_b = make_user(writer_b);
  for (PgSession* publisher : {&publisher_a, &publisher_b}) {
    publisher->query("LISTEN profile_outbox");
    mark_all_published(*publisher);
  }
  ASSERT_EQ(publisher_a.scalar("SELECT profile.request_wakeup()"), "f");
  EXPECT_EQ(requested(writer_b), "f") << "A's request is not B's";
  ASSERT_EQ(publisher_b.scalar("SELECT profile.request_wakeup()"), "f");
  ASSERT_EQ(requested(writer_a), "t");
  ASSERT_EQ(requested(writer_b), "t");

  writer_b.query("SELECT profile.set_status($1, 'online')", {user_b});
  EXPECT_TRUE(publisher_b.wait_notify(5s).has_value()) << "B's write wakes B's publisher";
  EXPECT_EQ(requested(writer_b), "f");
  EXPECT_EQ(requested(writer_a), "t") << "B's write must not take A's request";
  EXPECT_FALSE(publisher_a.wait_notify(200ms).has_value());

  writer_a.query("SELECT profile.set_status($1, 'online')", {user_a});
  EXPECT_TRUE(publisher_a.wait_notify(5s).has_value()) << "A's request was still there for A's next write";
  EXPECT_EQ(requested(writer_a), "f");
}

// A writer of B held inside its commit window (it decided not to notify) is
// none of A's business: A's publisher is told at once that nothing is
// pending, instead of waiting out the 20 ms and being told to read again.
TEST(PreloadedWakeupDatabases, RequestWaitsOnlyForItsOwnDatabasesWriters) {
  PgSession admin(test_conninfo());
  StuckCommits stuck(admin);
  ScratchDatabase a(admin, "realchat_test_wakeup_a"), b(admin, "realchat_test_wakeup_b");
  PgSession publisher_a(a.conninfo()), helper_b(b.conninfo());
  std::string user_b = make_user(helper_b);
  helper_b.query("SELECT profile.update_profile($1, bio => 'claims any request')", {user_b});
  ASSERT_EQ(requested(helper_b), "f") << "no request left for the stuck writer to claim";
  mark_all_published(publisher_a);

  StuckWriter writer_b(admin, b.conninfo(), user_b);
  ASSERT_TRUE(writer_b.stuck()) << "B's writer never reached its commit's wait";
  EXPECT_EQ(publisher_a.scalar("SELECT profile.request_wakeup()"), "f") << "nothing is pending in A";
}
