#include "delivery_errors.h"

#include <gtest/gtest.h>

using publisher::is_permanent_delivery_error;

TEST(DeliveryErrors, RefusedMessagesAndTopicsArePermanent) {
  EXPECT_TRUE(is_permanent_delivery_error(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE));
  EXPECT_TRUE(is_permanent_delivery_error(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC));
  EXPECT_TRUE(is_permanent_delivery_error(RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION));
  EXPECT_TRUE(is_permanent_delivery_error(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
}

TEST(DeliveryErrors, OutagesPurgesAndFatalErrorsAreTransient) {
  EXPECT_FALSE(is_permanent_delivery_error(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT));
  EXPECT_FALSE(is_permanent_delivery_error(RD_KAFKA_RESP_ERR__TRANSPORT));
  EXPECT_FALSE(is_permanent_delivery_error(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN));
  EXPECT_FALSE(is_permanent_delivery_error(RD_KAFKA_RESP_ERR__PURGE_QUEUE));
  EXPECT_FALSE(is_permanent_delivery_error(RD_KAFKA_RESP_ERR__PURGE_INFLIGHT));
  EXPECT_FALSE(is_permanent_delivery_error(RD_KAFKA_RESP_ERR__FATAL));
  EXPECT_FALSE(is_permanent_delivery_error(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION));
  EXPECT_FALSE(is_permanent_delivery_error(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
  EXPECT_FALSE(is_permanent_delivery_error(RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER));
}
