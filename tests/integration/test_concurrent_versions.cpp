// Several connections change one user's profile, contacts and blocks at once;
// afterwards each user's outbox rows, in id order, carry versions 1..N.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "pg_session.h"
#include "user_helpers.h"

namespace {

// SQLSTATEs a random workload legitimately meets: duplicates, absent rows,
// blocked contacts, and deadlocks of transactions that make several calls
// (one call never deadlocks: see test_lock_order.cpp).
bool expected_refusal(const std::string& state) {
  static const std::set<std::string> ok{"", "23505", "P0002", "22023", "40P01"};
  return ok.count(state) > 0;
}

}  // namespace

TEST(ConcurrentVersions, OneUserChangedFromManyConnections) {
  PgSession setup(test_conninfo());
  std::string owner = make_user(setup, "own");
  std::vector<std::string> others;
  for (int i = 0; i < 8; i++) others.push_back(make_user(setup, "oth"));

  constexpr int kThreads = 8, kOps = 60;
  std::atomic<int> committed{0}, refused{0}, unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      PgSession db(test_conninfo());
      std::mt19937 rng(1000 + t);
      const char* statuses[] = {"online", "away", "busy", "offline"};
      for (int i = 0; i < kOps; i++) {
        const std::string& other = others[rng() % others.size()];
        std::string state;
        switch (rng() % 8) {
          case 0: state = db.try_exec("SELECT profile.update_profile($1, bio => $2)", {owner, std::to_string(rng())}); break;
          case 1: state = db.try_exec("SELECT profile.set_status($1, $2)", {owner, statuses[rng() % 4]}); break;
          case 2: state = db.try_exec("SELECT profile.add_contact($1, $2)", {owner, other}); break;
          case 3: state = db.try_exec("SELECT profile.update_contact($1, $2, nickname => $3)", {owner, other, "n" + std::to_string(rng() % 5)}); break;
          case 4: state = db.try_exec("SELECT profile.remove_contact($1, $2)", {owner, other}); break;
          case 5: state = db.try_exec("SELECT profile.block_user($1, $2)", {owner, other}); break;
          case 6: state = db.try_exec("SELECT profile.unblock_user($1, $2)", {owner, other}); break;
          default:
            // several events of the owner, and one of another user, in one transaction
            db.query("BEGIN");
            state = db.try_exec("SELECT profile.update_profile($1, display_name => $2)", {owner, "Owner " + std::to_string(rng() % 7)});
            if (state.empty()) state = db.try_exec("SELECT profile.add_contact($1, $2)", {other, owner});
            if (state.empty()) state = db.try_exec("SELECT profile.set_status($1, $2)", {owner, statuses[rng() % 4]});
            db.query(state.empty() ? "COMMIT" : "ROLLBACK");
        }
        if (state.empty()) committed++;
        else if (expected_refusal(state)) refused++;
        else unexpected++;
      }
    });
  }
  for (auto& t : threads) t.join();

  EXPECT_EQ(unexpected, 0);
  EXPECT_GT(committed, kThreads * kOps / 4) << "most operations should commit";
  expect_gapless(setup, owner);
  for (const auto& other : others) expect_gapless(setup, other);
}

TEST(ConcurrentVersions, DeleteCascadeRacesWithContactChanges) {
  PgSession setup(test_conninfo());
  for (int round = 0; round < 10; round++) {
    std::string doomed = make_user(setup, "del");
    std::vector<std::string> friends;
    for (int i = 0; i < 4; i++) {
      friends.push_back(make_user(setup, "fri"));
      setup.query("SELECT profile.add_contact($1, $2)", {doomed, friends.back()});
    }
    std::vector<std::thread> threads;
    std::atomic<int> unexpected{0};
    for (size_t i = 0; i < friends.size(); i++) {
      threads.emplace_back([&, i] {
        PgSession db(test_conninfo());
        // P0002 when the deletion commits first, never a raw foreign-key violation (23503).
        std::string s = db.try_exec("SELECT profile.add_contact($1, $2)", {friends[i], doomed});
        if (!expected_refusal(s) || s == "40P01") unexpected++;
      });
    }
    threads.emplace_back([&] {
      PgSession db(test_conninfo());
      std::string s = db.try_exec("SELECT profile.delete_profile($1)", {doomed});
      if (!expected_refusal(s) || s == "40P01") unexpected++;
    });
    for (auto& t : threads) t.join();
    EXPECT_EQ(unexpected, 0);
    EXPECT_EQ(setup.scalar("SELECT count(*) FROM profile.contacts WHERE $1 IN (user_id, contact_user_id)", {doomed}), "0");
    expect_gapless(setup, doomed);
    for (const auto& f : friends) expect_gapless(setup, f);
  }
}
