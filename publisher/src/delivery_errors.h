// Which Kafka errors mean "this row can never be delivered as it is"
// (quarantine it) and which mean "try again later" (keep the row).
#pragma once

#include <librdkafka/rdkafka.h>

namespace publisher {

// Permanent: the message itself or its topic is refused, so retrying the same
// row can only fail again. Everything else (brokers down, leader moves, purges
// on shutdown, a fatal producer error) is transient: the row stays pending.
bool is_permanent_delivery_error(rd_kafka_resp_err_t err);

}  // namespace publisher
