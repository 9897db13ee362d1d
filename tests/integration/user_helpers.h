// user_helpers.h: users and version checks shared by the concurrency tests.
#pragma once

#include <string>

#include "pg_session.h"

// Creates a profile with a random user_id and a username made from `tag`; returns the id.
std::string make_user(PgSession& db, const std::string& tag);

// The user's outbox rows, in id order, carry versions exactly 1..N (across deletions and
// re-creations), and the profile, if it exists, is at N. Fails the current test otherwise.
void expect_gapless(PgSession& db, const std::string& user);
