// Concurrent calls on related users: no deadlock, only the contract's SQLSTATEs, gapless
// versions; and the races of creating a user (a conflicting insert in flight, a deletion of
// the same user_id in flight) that one session cannot show.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "pg_session.h"
#include "user_helpers.h"

namespace {

// What the contract lets these calls answer; anything else (40P01, 55P03, 23503) is a defect.
bool contract_state(const std::string& state) {
  return state.empty() || state == "23505" || state == "P0002" || state == "22023";
}

}  // namespace

// Six sessions delete a group of users who are all in each other's contact lists while three
// more add, remove, block and unblock contacts among the same users.
TEST(LockOrder, DeletionsOfMutualContactsMixedWithListChanges) {
  PgSession setup(test_conninfo());
  constexpr int kRounds = 6, kUsers = 12, kDeleters = 6, kChangers = 3, kChangeOps = 40;
  std::map<std::string, int> states;
  std::mutex states_mutex;
  auto count = [&](const std::string& s) {
    std::lock_guard<std::mutex> lock(states_mutex);
    states[s.empty() ? "ok" : s]++;
  };
  std::vector<std::string> everyone;

  for (int round = 0; round < kRounds; round++) {
    std::vector<std::string> users;
    for (int i = 0; i < kUsers; i++) users.push_back(make_user(setup, "mut"));
    for (const auto& a : users)
      for (const auto& b : users)
        if (a != b) setup.query("SELECT profile.add_contact($1, $2)", {a, b});
    everyone.insert(everyone.end(), users.begin(), users.end());

    std::vector<std::thread> threads;
    for (int d = 0; d < kDeleters; d++) {
      threads.emplace_back([&, d] {
        PgSession db(test_conninfo());
        // Each deleter takes two users; they all start at once.
        for (int k = 0; k < kUsers / kDeleters; k++)
          count(db.try_exec("SELECT profile.delete_profile($1)", {users[d * (kUsers / kDeleters) + k]}));
      });
    }
    for (int c = 0; c < kChangers; c++) {
      threads.emplace_back([&, c, round] {
        PgSession db(test_conninfo());
        std::mt19937 rng(round * 100 + c);
        for (int i = 0; i < kChangeOps; i++) {
          const std::string& a = users[rng() % users.size()];
          const std::string& b = users[rng() % users.size()];
          switch (rng() % 4) {
            case 0: count(db.try_exec("SELECT profile.add_contact($1, $2)", {a, b})); break;
            case 1: count(db.try_exec("SELECT profile.remove_contact($1, $2)", {a, b})); break;
            case 2: count(db.try_exec("SELECT profile.block_user($1, $2)", {a, b})); break;
            default: count(db.try_exec("SELECT profile.unblock_user($1, $2)", {a, b})); break;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(setup.scalar("SELECT count(*) FROM profile.profiles WHERE user_id = ANY($1::uuid[])",
                           {"{" + [&] { std::string s; for (auto& u : users) s += (s.empty() ? "" : ",") + u; return s; }() + "}"}),
              "0");
  }
  std::string summary;
  for (const auto& [state, n] : states) {
    summary += state + "=" + std::to_string(n) + " ";
    EXPECT_TRUE(state == "ok" || contract_state(state)) << n << " calls failed with " << state;
  }
  std::cout << "[ states ] " << summary << std::endl;
  EXPECT_EQ(setup.scalar("SELECT count(*) FROM profile.contacts c WHERE NOT EXISTS "
                         "(SELECT 1 FROM profile.profiles p WHERE p.user_id = c.contact_user_id)"),
            "0");
  for (const auto& u : everyone) expect_gapless(setup, u);
}

// A contact added while its user is being deleted: P0002 once the deletion commits, never a
// foreign-key violation.
TEST(LockOrder, AddContactOfUserBeingDeletedAnswersNoDataFound) {
  PgSession setup(test_conninfo());
  for (const char* call : {"SELECT profile.add_contact($1, $2)", "SELECT profile.block_user($1, $2)"}) {
    std::string owner = make_user(setup, "own");
    std::string doomed = make_user(setup, "dom");
    PgSession deleter(test_conninfo());
    deleter.query("BEGIN");
    deleter.query("SELECT profile.delete_profile($1)", {doomed});
    std::string state = "unset";
    std::thread adder([&] {
      PgSession db(test_conninfo());
      state = db.try_exec(call, {owner, doomed});
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    deleter.query("COMMIT");
    adder.join();
    EXPECT_EQ(state, "P0002") << call;
    expect_gapless(setup, owner);
  }
}

// INSERT ... ON CONFLICT DO NOTHING that loses to a row committed while it waited writes no event
// (the primary key's conflict and the username's).
TEST(CreateRaces, SkippedInsertWritesNoEvent) {
  PgSession setup(test_conninfo());
  for (bool same_id : {true, false}) {
    std::string first = random_uuid();
    std::string second = same_id ? first : random_uuid();
    std::string name = "race" + first.substr(0, 8);
    PgSession winner(test_conninfo());
    winner.query("BEGIN");
    winner.query("INSERT INTO profile.profiles (user_id, username, display_name) VALUES ($1, $2, 'W')", {first, name});
    std::string state = "unset";
    std::thread loser([&] {
      PgSession db(test_conninfo());
      state = db.try_exec("INSERT INTO profile.profiles (user_id, username, display_name) VALUES ($1, $2, 'L')"
                          " ON CONFLICT DO NOTHING",
                          {second, name});
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    winner.query("COMMIT");
    loser.join();
    EXPECT_EQ(state, "");
    EXPECT_EQ(setup.scalar("SELECT count(*) FROM profile.outbox WHERE key = $1", {first}), "1");
    if (!same_id) {
      EXPECT_EQ(setup.scalar("SELECT count(*) FROM profile.outbox WHERE key = $1", {second}), "0");
    }
    EXPECT_EQ(setup.scalar("SELECT display_name FROM profile.profiles WHERE user_id = $1", {first}), "W");
  }
}

// A user created again while its deletion is in flight continues the deleted user's versions.
TEST(CreateRaces, RecreateWhileDeletionInFlightContinuesVersions) {
  PgSession setup(test_conninfo());
  std::string user = make_user(setup, "re");
  setup.query("SELECT profile.update_profile($1, bio => 'v2')", {user});
  PgSession deleter(test_conninfo());
  deleter.query("BEGIN");
  deleter.query("SELECT profile.delete_profile($1)", {user});
  std::string state = "unset";
  std::thread creator([&] {
    PgSession db(test_conninfo());
    state = db.try_exec("SELECT profile.create_profile($1, $2, 'Again')", {user, "again" + user.substr(0, 8)});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  deleter.query("COMMIT");
  creator.join();
  EXPECT_EQ(state, "");
  EXPECT_EQ(setup.scalar("SELECT version FROM profile.profiles WHERE user_id = $1", {user}), "4");
  expect_gapless(setup, user);
}
