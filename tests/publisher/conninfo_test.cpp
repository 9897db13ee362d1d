#include "conninfo.h"

#include <gtest/gtest.h>

using publisher::describe_conninfo;

TEST(Conninfo, KeepsHostPortDbnameOnly) {
  auto d = describe_conninfo("host=db1 port=5433 dbname=profiles user=relay password=s3cret sslmode=require");
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, "host=db1 port=5433 dbname=profiles");
}

TEST(Conninfo, UriPasswordNeverShows) {
  auto d = describe_conninfo("postgresql://relay:s3cret@db1:5433/profiles?application_name=x");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->find("s3cret"), std::string::npos);
  EXPECT_EQ(d->find("relay"), std::string::npos);
  EXPECT_EQ(*d, "host=db1 port=5433 dbname=profiles");
}

TEST(Conninfo, EmptyMeansEnvironment) {
  auto d = describe_conninfo("");
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, "(from PG* environment)");
}

TEST(Conninfo, UnparsableGivesNoTextAtAll) {
  // libpq's own message would quote "s3cret" back.
  EXPECT_FALSE(describe_conninfo("host=db1 s3cret").has_value());
  EXPECT_FALSE(describe_conninfo("password='unterminated").has_value());
}
