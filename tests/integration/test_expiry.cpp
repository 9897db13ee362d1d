// Expiry against a real server: run_expiry from two sessions at once (no change made twice,
// versions without gaps), and the background worker of the preloaded cluster, which makes idle
// users away and then offline by itself, comes back after it is terminated, and paces itself
// over a backlog (realchat_profile.expiry_duty).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pg_session.h"

using namespace std::chrono_literals;

namespace {

std::vector<std::string> make_online_users(PgSession& db, int n, const std::string& prefix) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; i++) {
    std::string id = random_uuid();
    db.query("SELECT profile.create_profile($1, $2, 'Expiry Test')", {id, prefix + id.substr(0, 8) + id.substr(9, 4)});
    db.query("SELECT profile.set_status($1, 'online')", {id});
    ids.push_back(id);
  }
  return ids;
}

std::string id_array(const std::vector<std::string>& ids) {
  std::string out = "{";
  for (size_t i = 0; i < ids.size(); i++) out += (i ? "," : "") + ids[i];
  return out + "}";
}

// "reason:status" of each user's PresenceChanged events after `from_version`, in version order.
std::vector<std::string> presence_events(PgSession& db, const std::string& user, int from_version) {
  std::vector<std::string> out;
  for (auto& row : db.query(
           "SELECT payload->'data'->>'reason', payload->'data'->>'status' FROM profile.outbox"
           " WHERE key = $1 AND payload->>'event_type' = 'PresenceChanged'"
           " AND (payload->>'version')::int > $2 ORDER BY (payload->>'version')::int",
           {user, std::to_string(from_version)}))
    out.push_back(row[0] + ":" + row[1]);
  return out;
}

// Every user's versions in the outbox are 1..n: no gap, no duplicate.
void expect_gapless(PgSession& db, const std::vector<std::string>& ids) {
  auto bad = db.scalar(
      "SELECT count(*) FROM (SELECT key, array_agg((payload->>'version')::int ORDER BY id) v"
      " FROM profile.outbox WHERE key = ANY($1::text[]) GROUP BY key) s"
      " WHERE v <> ARRAY(SELECT generate_series(1, cardinality(v)))",
      {id_array(ids)});
  EXPECT_EQ(bad, "0") << "a user's versions have a gap, a duplicate or are out of id order";
}

// Puts the cluster's settings back however the test ends.
struct SystemSettings {
  PgSession& db;
  explicit SystemSettings(PgSession& d) : db(d) {}
  void set(const std::string& name, const std::string& value) {
    db.query("ALTER SYSTEM SET " + name + " = '" + value + "'");
  }
  void reload() { db.query("SELECT pg_reload_conf()"); }
  ~SystemSettings() {
    try {
      for (const char* name : {"realchat_profile.away_after", "realchat_profile.offline_after",
                               "realchat_profile.expiry_interval", "realchat_profile.expiry_databases",
                               "realchat_profile.expiry_duty"})
        db.query(std::string("ALTER SYSTEM RESET ") + name);
      reload();
    } catch (...) {
    }
  }
};

// Waits up to `limit` for the expiry worker of this database; returns its pid or "".
std::string wait_worker_pid(PgSession& db, std::chrono::seconds limit, const std::string& not_this = "") {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto rows = db.query(
        "SELECT pid::text FROM pg_stat_activity WHERE backend_type = 'realchat_profile expiry'"
        " AND datname = current_database() AND pid::text <> $1",
        {not_this});
    if (rows.size() == 1) return rows[0][0];
    std::this_thread::sleep_for(100ms);
  }
  return "";
}

// Waits up to `limit` until every user's PresenceChanged events after from_version are `expected`.
bool wait_events(PgSession& db, const std::vector<std::string>& ids, int from_version,
                 const std::vector<std::string>& expected, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (auto& id : ids)
      if (presence_events(db, id, from_version).size() < expected.size()) all = false;
    if (all) return true;
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

}  // namespace

TEST(RunExpiry, TwoSessionsAtOnceChangeEachUserOnce) {
  PgSession setup(test_conninfo());
  const int n = 1200;  // more than two batches of 500
  auto ids = make_online_users(setup, n, "ex");
  // Idle for an hour: due for away under a 30 minute limit (offline off), in these sessions only.
  setup.query("UPDATE profile.profiles SET last_seen = now() - interval '1 hour' WHERE user_id = ANY($1::uuid[])",
              {id_array(ids)});
  auto mark = setup.scalar("SELECT coalesce(max(id), 0) FROM profile.outbox");

  long away[2] = {0, 0};
  std::vector<std::thread> sessions;
  for (int s = 0; s < 2; s++)
    sessions.emplace_back([&, s] {
      PgSession db(test_conninfo());
      db.query("SET realchat_profile.away_after = '30min'");
      db.query("SET realchat_profile.offline_after = 0");
      // Several rounds each, so the two overlap however the scheduler runs them.
      for (int round = 0; round < 5; round++)
        away[s] += std::stol(db.scalar("SELECT count FROM profile.run_expiry() WHERE kind = 'away'"));
    });
  for (auto& t : sessions) t.join();

  // Each user exactly one idle event, and every idle event written is counted by exactly one session.
  EXPECT_EQ(setup.scalar("SELECT count(DISTINCT key) FROM profile.outbox WHERE id > $1 AND key = ANY($2::text[])"
                         " AND payload->'data'->>'reason' = 'idle'",
                         {mark, id_array(ids)}),
            std::to_string(n));
  EXPECT_EQ(setup.scalar("SELECT count(*) FROM profile.outbox WHERE id > $1 AND key = ANY($2::text[])",
                         {mark, id_array(ids)}),
            std::to_string(n));
  EXPECT_EQ(std::to_string(away[0] + away[1]),
            setup.scalar("SELECT count(*) FROM profile.outbox WHERE id > $1 AND payload->'data'->>'reason' = 'idle'",
                         {mark}));
  EXPECT_EQ(setup.scalar("SELECT count(*) FROM profile.profiles WHERE user_id = ANY($1::uuid[]) AND status = 'away'",
                         {id_array(ids)}),
            std::to_string(n));
  expect_gapless(setup, ids);
  setup.query("DELETE FROM profile.profiles WHERE user_id = ANY($1::uuid[])", {id_array(ids)});
}

TEST(ExpiryWorker, MakesIdleUsersAwayThenOfflineAndComesBackAfterTermination) {
  PgSession db(test_conninfo());
  ASSERT_EQ(db.scalar("SELECT current_setting('shared_preload_libraries') LIKE '%realchat_profile%'"), "t")
      << "needs the preloaded cluster";
  SystemSettings settings(db);
  settings.set("realchat_profile.away_after", "2s");
  settings.set("realchat_profile.offline_after", "4s");
  settings.set("realchat_profile.expiry_interval", "1s");
  settings.set("realchat_profile.expiry_databases", db.scalar("SELECT current_database()"));
  settings.reload();

  std::string pid = wait_worker_pid(db, 20s);
  ASSERT_FALSE(pid.empty()) << "no expiry worker for this database in pg_stat_activity";
  EXPECT_EQ(db.scalar("SELECT application_name FROM pg_stat_activity WHERE pid = $1", {pid}),
            "realchat_profile expiry");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'realchat_profile expiry launcher'"),
            "1");

  // Users online (version 2) and then idle: away (idle), then offline (timeout), by themselves.
  auto ids = make_online_users(db, 3, "wk");
  ASSERT_TRUE(wait_events(db, ids, 2, {"idle:away", "timeout:offline"}, 30s))
      << "the worker did not make the idle users away and then offline";
  for (auto& id : ids)
    EXPECT_EQ(presence_events(db, id, 2), (std::vector<std::string>{"idle:away", "timeout:offline"})) << id;
  expect_gapless(db, ids);

  // Terminated (SIGTERM), the worker is started again and keeps working.
  ASSERT_EQ(db.scalar("SELECT pg_terminate_backend($1::int)", {pid}), "t");
  std::string next = wait_worker_pid(db, 20s, pid);
  ASSERT_FALSE(next.empty()) << "the expiry worker did not come back after pg_terminate_backend";
  for (auto& id : ids) db.query("SELECT profile.set_status($1, 'online')", {id});  // version 5
  EXPECT_TRUE(wait_events(db, ids, 5, {"idle:away"}, 30s)) << "the restarted worker does not work";

  // So is the launcher, after its restart time; the worker it starts works too.
  std::string launcher =
      db.scalar("SELECT pid::text FROM pg_stat_activity WHERE backend_type = 'realchat_profile expiry launcher'");
  ASSERT_EQ(db.scalar("SELECT pg_terminate_backend($1::int)", {launcher}), "t");
  auto deadline = std::chrono::steady_clock::now() + 30s;
  std::string relaunched;
  while (relaunched.empty() && std::chrono::steady_clock::now() < deadline) {
    auto rows = db.query(
        "SELECT pid::text FROM pg_stat_activity WHERE backend_type = 'realchat_profile expiry launcher' AND pid <> $1::int",
        {launcher});
    if (!rows.empty()) relaunched = rows[0][0];
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_FALSE(relaunched.empty()) << "the launcher was not restarted";
  ASSERT_FALSE(wait_worker_pid(db, 20s).empty());
  for (auto& id : ids) db.query("SELECT profile.set_status($1, 'online')", {id});
  EXPECT_TRUE(wait_events(db, ids, 8, {"idle:away"}, 30s)) << "no expiry after the launcher's restart";
  expect_gapless(db, ids);
  db.query("DELETE FROM profile.profiles WHERE user_id = ANY($1::uuid[])", {id_array(ids)});
}

namespace {

// How many of `ids` are away.
long away_count(PgSession& db, const std::vector<std::string>& ids) {
  return std::stol(db.scalar("SELECT count(*) FROM profile.profiles WHERE user_id = ANY($1::uuid[]) AND status = 'away'",
                             {id_array(ids)}));
}

// Polls up to `limit` until more than `above` of `ids` are away; returns the count seen last.
long wait_away_above(PgSession& db, const std::vector<std::string>& ids, long above, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  long n = away_count(db, ids);
  while (n <= above && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    n = away_count(db, ids);
  }
  return n;
}

// Whether the away count of `ids` stays `n` for `span` (polled every 50 ms).
bool stays(PgSession& db, const std::vector<std::string>& ids, long n, std::chrono::milliseconds span) {
  auto end = std::chrono::steady_clock::now() + span;
  while (std::chrono::steady_clock::now() < end) {
    if (away_count(db, ids) != n) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

}  // namespace

// A backlog of 1,200 idle users is three batches. With expiry_duty 0.001 the worker waits 999
// times a batch's time after each one (seconds at least), so the backlog stops after a batch;
// SIGTERM ends that wait at once, and a reload to duty 1 lets the rest through without a pause.
TEST(ExpiryWorker, PacesItselfBetweenBatchesOfABacklog) {
  PgSession db(test_conninfo());
  ASSERT_EQ(db.scalar("SELECT current_setting('shared_preload_libraries') LIKE '%realchat_profile%'"), "t")
      << "needs the preloaded cluster";
  const long n = 1200;
  auto ids = make_online_users(db, n, "pc");
  SystemSettings settings(db);
  settings.set("realchat_profile.away_after", "30min");
  settings.set("realchat_profile.offline_after", "0");
  settings.set("realchat_profile.expiry_interval", "1s");
  settings.set("realchat_profile.expiry_duty", "0.001");
  settings.set("realchat_profile.expiry_databases", db.scalar("SELECT current_database()"));
  settings.reload();
  std::string pid = wait_worker_pid(db, 20s);
  ASSERT_FALSE(pid.empty()) << "no expiry worker for this database";
  EXPECT_EQ(db.scalar("SELECT current_setting('realchat_profile.expiry_duty')"), "0.001");

  // The whole backlog becomes due at once.
  db.query("UPDATE profile.profiles SET last_seen = now() - interval '1 hour' WHERE user_id = ANY($1::uuid[])",
           {id_array(ids)});
  long first = wait_away_above(db, ids, 0, 20s);
  ASSERT_GT(first, 0) << "the worker made no idle user away";
  ASSERT_LT(first, n) << "the backlog went through in one go";
  EXPECT_TRUE(stays(db, ids, first, 2000ms)) << "the worker did not pause after its first batch";

  // Terminated in its pause, it exits at once (pg_terminate_backend waits up to 5 s for that).
  ASSERT_EQ(db.scalar("SELECT pg_terminate_backend($1::int, 5000)", {pid}), "t")
      << "the worker did not leave its pause on SIGTERM";
  std::string next = wait_worker_pid(db, 20s, pid);
  ASSERT_FALSE(next.empty()) << "the expiry worker did not come back";
  long second = wait_away_above(db, ids, first, 20s);
  ASSERT_GT(second, first) << "the restarted worker did not take the next batch";
  if (second < n) {
    EXPECT_TRUE(stays(db, ids, second, 1000ms)) << "the restarted worker did not pause";
  }

  // A reload to duty 1 ends the pause under way: the rest goes through at once.
  settings.set("realchat_profile.expiry_duty", "1");
  settings.reload();
  EXPECT_EQ(wait_away_above(db, ids, n - 1, 20s), n) << "the backlog did not drain after the reload";
  EXPECT_EQ(db.scalar("SELECT count(*) FROM profile.outbox WHERE key = ANY($1::text[])"
                      " AND payload->'data'->>'reason' = 'idle'",
                      {id_array(ids)}),
            std::to_string(n));
  expect_gapless(db, ids);
  db.query("DELETE FROM profile.profiles WHERE user_id = ANY($1::uuid[])", {id_array(ids)});
}
