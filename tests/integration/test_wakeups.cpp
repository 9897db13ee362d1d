// Wake-ups against real servers: with the extension preloaded, writers NOTIFY only
// after request_wakeup(), one writer per request; without it, every writing
// transaction notifies once.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "pg_session.h"

using namespace std::chrono_literals;

namespace {

std::string make_user(PgSession& db) {
  std::string id = random_uuid();
  db.query("SELECT profile.create_profile($1, $2, 'Wake Test')", {id, "w" + id.substr(0, 8) + id.substr(9, 4)});
  return id;
}

void mark_all_published(PgSession& db) {
  db.query("UPDATE profile.outbox SET published_at = now() WHERE published_at IS NULL");
}

long notifies_sent(PgSession& db) { return std::stol(db.scalar("SELECT notifies_sent FROM profile.wakeup_stats()")); }

int drain_notifications(PgSession& db, std::chrono::milliseconds quiet) {
  int n = 0;
  while (db.wait_notify(quiet)) n++;
  return n;
}

}  // namespace

TEST(PreloadedWakeup, ListenerIsWokenByTheNextCommit) {
  PgSession listener(test_conninfo()), writer(test_conninfo());
  std::string user = make_user(writer);
  ASSERT_EQ(listener.scalar("SELECT preloaded FROM profile.wakeup_stats()"), "t");
  listener.query("LISTEN profile_outbox");
  mark_all_published(listener);
  ASSERT_EQ(listener.scalar("SELECT profile.request_wakeup()"), "f") << "nothing pending, so the publisher may sleep";

  auto start = std::chrono::steady_clock::now();
  writer.query("SELECT profile.set_status($1, 'online')", {user});
  auto woke = listener.wait_notify(5s);
  ASSERT_TRUE(woke.has_value()) << "the commit after request_wakeup() must notify";
  EXPECT_EQ(*woke, "profile_outbox");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(listener.scalar("SELECT wakeup_requested FROM profile.wakeup_stats()"), "f");
}

TEST(PreloadedWakeup, WritersDoNotNotifyWhileNobodyWaits) {
  PgSession listener(test_conninfo()), writer(test_conninfo());
  std::string user = make_user(writer);  // also uses up any request left by an earlier test
  writer.query("SELECT profile.update_profile($1, bio => 'consume')", {user});
  ASSERT_EQ(writer.scalar("SELECT wakeup_requested FROM profile.wakeup_stats()"), "f");
  listener.query("LISTEN profile_outbox");
  long before = notifies_sent(writer);

  for (int i = 0; i < 50; i++) writer.query("SELECT profile.update_profile($1, bio => $2)", {user, std::to_string(i)});

  EXPECT_EQ(notifies_sent(writer), before) << "50 writing transactions, no waiting publisher, no NOTIFY";
  EXPECT_EQ(drain_notifications(listener, 300ms), 0);
}

TEST(PreloadedWakeup, OneRequestWakesExactlyOnce) {
  PgSession listener(test_conninfo()), writer(test_conninfo());
  std::string user = make_user(writer);
  listener.query("LISTEN profile_outbox");
  mark_all_published(listener);
  long before = notifies_sent(writer);
  ASSERT_EQ(listener.scalar("SELECT profile.request_wakeup()"), "f");

  for (int i = 0; i < 20; i++) writer.query("SELECT profile.update_profile($1, bio => $2)", {user, std::to_string(i)});

  EXPECT_EQ(drain_notifications(listener, 500ms), 1);
  EXPECT_EQ(notifies_sent(writer) - before, 1);
}

// The race the commit window closes: a writer that decided "no NOTIFY" just
// before the publisher's request, but whose commit was not yet visible to the
// publisher's check for pending rows. Bounded: 3000 rounds, 40 sleeps or 60 seconds.
TEST(PreloadedWakeup, NoWakeupIsLostUnderConcurrentWriters) {
  constexpr int kWriters = 3;
  std::atomic<bool> stop{false};
  std::atomic<long> writes{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; w++) {
    writers.emplace_back([&] {
      PgSession db(test_conninfo());
      std::string user = make_user(db);
      std::mt19937 rng(std::random_device{}());
      const char* statuses[] = {"online", "away", "busy", "offline"};
      auto until = std::chrono::steady_clock::now() + 60s;
      for (int i = 0; !stop && std::chrono::steady_clock::now() < until && i < 200000; i++) {
        db.query("SELECT profile.set_status($1, $2)", {user, statuses[i % 4]});
        writes++;
        // Short random pauses leave quiet moments in which the listener sleeps.
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 10000));
      }
    });
  }

  PgSession listener(test_conninfo());
  listener.query("LISTEN profile_outbox");
  int slept = 0, busy = 0, lost = 0;
  auto until = std::chrono::steady_clock::now() + 60s;
  for (int round = 0; round < 3000 && slept < 40 && std::chrono::steady_clock::now() < until; round++) {
    drain_notifications(listener, 0ms);
    mark_all_published(listener);
    if (listener.scalar("SELECT profile.request_wakeup()") == "t") {
      busy++;
      continue;
    }
    slept++;
    if (!listener.wait_notify(2s)) lost++;
  }
  stop = true;
  for (auto& t : writers) t.join();

  std::cout << "rounds slept=" << slept << " busy=" << busy << " writes=" << writes << "\n";
  EXPECT_GE(slept, 20) << "the listener should have slept in many rounds";
  EXPECT_EQ(lost, 0) << "a sleeping listener missed a commit while writers were writing";
}

TEST(PlainWakeup, EveryWritingTransactionNotifiesOnce) {
  PgSession listener(test_conninfo(false)), writer(test_conninfo(false));
  ASSERT_EQ(writer.scalar("SELECT preloaded FROM profile.wakeup_stats()"), "f");
  std::string user = make_user(writer);
  listener.query("LISTEN profile_outbox");
  drain_notifications(listener, 200ms);

  for (int i = 0; i < 5; i++) writer.query("SELECT profile.update_profile($1, bio => $2)", {user, std::to_string(i)});
  EXPECT_EQ(drain_notifications(listener, 500ms), 5) << "one NOTIFY per writing transaction";

  writer.query("BEGIN");
  for (int i = 0; i < 3; i++) writer.query("SELECT profile.update_profile($1, bio => $2)", {user, "tx" + std::to_string(i)});
  writer.query("COMMIT");
  EXPECT_EQ(drain_notifications(listener, 500ms), 1) << "at most one NOTIFY per transaction";

  writer.query("SELECT * FROM profile.get_profile($1)", {user});
  writer.query("SELECT profile.update_profile($1, bio => 'tx2')", {user});  // changes nothing
  EXPECT_EQ(drain_notifications(listener, 300ms), 0) << "no event, no NOTIFY";
}
