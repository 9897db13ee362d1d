// user_helpers.cpp: see user_helpers.h.
#include "user_helpers.h"

#include <gtest/gtest.h>

std::string make_user(PgSession& db, const std::string& tag) {
  std::string id = random_uuid();
  db.query("SELECT profile.create_profile($1, $2, $3)", {id, tag + id.substr(0, 8) + id.substr(9, 4), "User " + tag});
  return id;
}

void expect_gapless(PgSession& db, const std::string& user) {
  auto rows = db.query("SELECT (payload->>'version')::bigint FROM profile.outbox WHERE key = $1 ORDER BY id", {user});
  ASSERT_FALSE(rows.empty()) << user;
  for (size_t i = 0; i < rows.size(); i++)
    ASSERT_EQ(std::stol(rows[i][0]), static_cast<long>(i + 1)) << "user " << user << " at row " << i;
  auto profile = db.query("SELECT version FROM profile.profiles WHERE user_id = $1", {user});
  if (!profile.empty()) {
    EXPECT_EQ(std::stol(profile[0][0]), static_cast<long>(rows.size())) << user;
  }
}
