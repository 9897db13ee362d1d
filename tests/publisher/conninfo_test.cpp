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

TEST(ConnectError, ConfigurationMistakesAreFinal) {
  using publisher::connect_error_is_permanent;
  EXPECT_TRUE(connect_error_is_permanent(
      "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  password authentication failed for user "
      "\"relay\""));
  EXPECT_TRUE(connect_error_is_permanent(
      "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \"nope\" does not exist"));
  EXPECT_TRUE(connect_error_is_permanent("could not translate host name \"db.invalid\" to address: Name or service "
                                         "not known"));
  EXPECT_TRUE(connect_error_is_permanent("connection to server at \"10.0.0.1\", port 5432 failed: FATAL:  no "
                                         "pg_hba.conf entry for host"));
  EXPECT_TRUE(connect_error_is_permanent(
      "connection to server at \"127.0.0.1\", port 5432 failed: fe_sendauth: no password supplied"));
}

TEST(ConnectError, OutagesAreRetried) {
  using publisher::connect_error_is_permanent;
  EXPECT_FALSE(connect_error_is_permanent(
      "connection to server at \"127.0.0.1\", port 5999 failed: Connection refused\n\tIs the server running on that "
      "host and accepting TCP/IP connections?"));
  EXPECT_FALSE(connect_error_is_permanent(
      "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  the database system is starting up"));
  EXPECT_FALSE(connect_error_is_permanent(
      "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  sorry, too many clients already"));
  EXPECT_FALSE(connect_error_is_permanent("connection to server at \"10.0.0.1\", port 5432 failed: timeout expired"));
}
