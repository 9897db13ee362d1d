#include "direct_connection.h"

#include <gtest/gtest.h>

namespace publisher {
namespace {

TEST(DirectConnection, SamePidIsDirect) { EXPECT_FALSE(pooler_refusal(4242, 4242).has_value()); }

TEST(DirectConnection, OtherPidIsAPooler) {
  auto message = pooler_refusal(-1761459941, 30741);
  ASSERT_TRUE(message.has_value());
  EXPECT_NE(message->find("PgBouncer"), std::string::npos);
  EXPECT_NE(message->find("30741"), std::string::npos);
  EXPECT_NE(message->find("-1761459941"), std::string::npos);
  EXPECT_NE(message->find("point --db at PostgreSQL itself"), std::string::npos);
}

}  // namespace
}  // namespace publisher
