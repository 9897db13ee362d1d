#include "quarantine_hold.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using publisher::QuarantineHold;
using Keys = std::vector<std::string>;

namespace {
const std::string kUser = "11111111-1111-4111-8111-111111111111";
}

TEST(QuarantineHold, HoldsAKeyFromTheMomentItsRowIsQueued) {
  QuarantineHold h;
  EXPECT_FALSE(h.held(kUser));
  EXPECT_TRUE(h.queue(7, kUser));
  EXPECT_TRUE(h.held(kUser));
  EXPECT_EQ(h.keys(), Keys{kUser});
}

// The race of the periodic reload: it runs after the quarantine UPDATE was
// queued and before it committed, so the table does not show the key yet.
TEST(QuarantineHold, AReloadBeforeTheUpdateCommitsDoesNotReleaseTheKey) {
  QuarantineHold h;
  h.queue(7, kUser);
  EXPECT_FALSE(h.reload({})) << "nothing was re-driven";
  EXPECT_TRUE(h.held(kUser));
  h.committed(7, true);
  EXPECT_TRUE(h.held(kUser));
  EXPECT_FALSE(h.reload({kUser}));
  EXPECT_TRUE(h.held(kUser));
}

// Committed on the server, the reload saw it, and only then did the marker
// report the commit: still held, and later reloads keep it.
TEST(QuarantineHold, ACommitReportedAfterAReloadThatSawIt) {
  QuarantineHold h;
  h.queue(7, kUser);
  h.reload({kUser});
  h.committed(7, true);
  h.reload({kUser});
  EXPECT_TRUE(h.held(kUser));
}

TEST(QuarantineHold, ARedriveReleasesTheKeyAndAsksForAReread) {
  QuarantineHold h;
  h.queue(7, kUser);
  h.committed(7, true);
  h.reload({kUser});
  EXPECT_TRUE(h.reload({})) << "re-driven: its rows lie below the read window";
  EXPECT_FALSE(h.held(kUser));
  EXPECT_TRUE(h.empty());
}

// Keys quarantined by someone else (an earlier leader) come from the table alone.
TEST(QuarantineHold, KeysFromTheTable) {
  QuarantineHold h;
  EXPECT_FALSE(h.reload({"a", "b"}));
  EXPECT_TRUE(h.held("a"));
  EXPECT_TRUE(h.reload({"b"}));
  EXPECT_FALSE(h.held("a"));
  EXPECT_TRUE(h.held("b"));
}

// The marker's connection went away with the UPDATE queued: the row is still
// pending in the table and is read again, first of its key, so the key goes.
TEST(QuarantineHold, LostUpdatesReleaseTheirKeys) {
  QuarantineHold h;
  h.queue(7, kUser);
  h.lost_queued();
  EXPECT_FALSE(h.held(kUser));
  EXPECT_EQ(h.committed(7, true), 0) << "a late report for a forgotten row";
  EXPECT_EQ(h.queued(), 0u);
}

TEST(QuarantineHold, AKeyWithAnotherUnconfirmedQuarantineStaysHeldAfterALoss) {
  QuarantineHold h;
  h.queue(7, kUser);
  h.committed(7, true);
  h.queue(9, kUser);
  h.lost_queued();
  EXPECT_TRUE(h.held(kUser)) << "row 7 is quarantined in the table";
}

// quarantined_total counts rows, once each: not a row queued a second time,
// not an UPDATE that found the row already quarantined.
TEST(QuarantineHold, CountsEachQuarantinedRowOnce) {
  QuarantineHold h;
  EXPECT_TRUE(h.queue(7, kUser));
  EXPECT_FALSE(h.queue(7, kUser)) << "already queued: not sent again";
  EXPECT_EQ(h.queued(), 1u);
  EXPECT_EQ(h.committed(7, true), 1);
  EXPECT_EQ(h.committed(7, true), 0) << "no second UPDATE was queued";
  EXPECT_TRUE(h.queue(8, "other"));
  EXPECT_EQ(h.committed(8, false), 0) << "the UPDATE changed nothing";
}

// Every order of the events around one quarantine, two reloads among them:
// the UPDATE commits on the server, the marker reports it, an operator
// re-drives the row (after the commit), a reload reads the table. The key is
// held until a reload that began after both the re-drive and the report.
TEST(QuarantineHold, EveryInterleavingHoldsTheKeyUntilAnExplicitRedrive) {
  enum Step { server_commit, reported, redrive, reload1, reload2 };
  std::vector<int> steps = {server_commit, reported, redrive, reload1, reload2};
  int orders = 0;
  do {
    auto pos = [&](int s) { return std::find(steps.begin(), steps.end(), s) - steps.begin(); };
    if (pos(reported) < pos(server_commit) || pos(redrive) < pos(server_commit) || pos(reload2) < pos(reload1))
      continue;
    ++orders;
    QuarantineHold h;
    h.queue(7, kUser);
    bool in_table = false, done_report = false, done_redrive = false, released = false;
    std::string trace = "queue";
    for (int s : steps) {
      switch (s) {
        case server_commit: in_table = true; trace += " commit"; break;
        case reported:
          EXPECT_EQ(h.committed(7, true), 1);
          done_report = true;
          trace += " report";
          break;
        case redrive: in_table = false; done_redrive = true; trace += " redrive"; break;
        default: {
          bool left = h.reload(in_table ? Keys{kUser} : Keys{});
          trace += " reload";
          if (done_redrive && done_report) {
            EXPECT_EQ(left, !released) << trace;
            released = true;
          } else {
            EXPECT_FALSE(left) << trace;
          }
        }
      }
      EXPECT_EQ(h.held(kUser), !released) << trace;
    }
  } while (std::next_permutation(steps.begin(), steps.end()));
  EXPECT_GT(orders, 10);
}
