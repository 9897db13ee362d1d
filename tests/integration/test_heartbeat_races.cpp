// heartbeat's in-place write (extension/plain_heartbeat.cpp) against changes of the same row
// by other transactions: it waits for them as an UPDATE does, and whatever they committed
// decides, as it would for the UPDATE: their status stays, a deleted user is P0002, and under
// REPEATABLE READ a row changed after the snapshot is a serialization failure.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "pg_session.h"
#include "user_helpers.h"

namespace {

// Runs `sql` in its own session on a thread while `holder` has a change of the row in flight,
// commits the holder after a pause long enough for the call to be waiting, and returns the
// call's first column (or "ERROR <sqlstate>").
std::string call_while_held(PgSession& holder, const std::string& sql, const std::string& user) {
  std::string answer = "unset";
  std::thread caller([&] {
    PgSession db(test_conninfo());
    try {
      answer = db.scalar(sql, {user});
    } catch (const std::exception& e) {
      answer = std::string("ERROR ") + e.what();
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  holder.query("COMMIT");
  caller.join();
  return answer;
}

}  // namespace

TEST(HeartbeatRaces, WaitsForAStatusChangeAndKeepsIt) {
  PgSession setup(test_conninfo());
  std::string user = make_user(setup, "hbs");
  setup.query("SELECT profile.set_status($1, 'online')", {user});
  PgSession holder(test_conninfo());
  holder.query("BEGIN");
  holder.query("SELECT profile.set_status($1, 'busy')", {user});
  std::string status = call_while_held(holder, "SELECT status FROM profile.heartbeat($1)", user);
  EXPECT_EQ(status, "busy");
  EXPECT_EQ(setup.scalar("SELECT status FROM profile.profiles WHERE user_id = $1", {user}), "busy");
  EXPECT_EQ(setup.scalar("SELECT string_agg(payload->>'event_type', ',' ORDER BY id) FROM profile.outbox WHERE key = $1",
                         {user}),
            "ProfileCreated,PresenceChanged,PresenceChanged");
  expect_gapless(setup, user);
}

TEST(HeartbeatRaces, UserDeletedMeanwhileIsNoDataFound) {
  PgSession setup(test_conninfo());
  std::string user = make_user(setup, "hbd");
  setup.query("SELECT profile.set_status($1, 'online')", {user});
  PgSession holder(test_conninfo());
  holder.query("BEGIN");
  holder.query("SELECT profile.delete_profile($1)", {user});
  std::string answer = call_while_held(holder, "SELECT status FROM profile.heartbeat($1)", user);
  EXPECT_NE(answer.find("P0002"), std::string::npos) << answer;
  EXPECT_EQ(setup.scalar("SELECT count(*) FROM profile.profiles WHERE user_id = $1", {user}), "0");
}

TEST(HeartbeatRaces, RepeatableReadSeesAConcurrentChangeAsASerializationFailure) {
  PgSession setup(test_conninfo());
  std::string user = make_user(setup, "hbr");
  setup.query("SELECT profile.set_status($1, 'online')", {user});
  PgSession reader(test_conninfo());
  reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
  reader.query("SELECT count(*) FROM profile.profiles");  // the snapshot is taken here
  setup.query("SELECT profile.set_status($1, 'busy')", {user});
  EXPECT_EQ(reader.try_exec("SELECT profile.heartbeat($1)", {user}), "40001");
  reader.query("ROLLBACK");
  // Without a concurrent change the same transaction shape succeeds.
  reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
  reader.query("SELECT count(*) FROM profile.profiles");
  EXPECT_EQ(reader.scalar("SELECT status FROM profile.heartbeat($1)", {user}), "busy");
  reader.query("COMMIT");
  expect_gapless(setup, user);
}
