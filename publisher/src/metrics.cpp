#include "metrics.h"

namespace publisher {

namespace {
template <typename T>
void sample(std::string& out, const char* name, const char* type, const char* help, T value) {
  prometheus_sample(out, name, type, help, static_cast<double>(value));
}
}  // namespace

std::string Metrics::render() const {
  std::string out;
  out.reserve(4096);
  sample(out, "profile_publisher_published_total", "counter", "Outbox rows acknowledged by Kafka and marked published.",
         published_total.load());
  sample(out, "profile_publisher_failed_total", "counter",
         "Deliveries that failed for a transient reason; the rows are produced again.", failed_total.load());
  sample(out, "profile_publisher_quarantined_total", "counter",
         "Rows this process quarantined as permanently undeliverable.", quarantined_total.load());
  sample(out, "profile_publisher_producer_restarts_total", "counter",
         "Kafka producers replaced after a fatal error.", producer_restarts_total.load());
  sample(out, "profile_publisher_db_reconnects_total", "counter", "PostgreSQL connections lost and made again.",
         db_reconnects_total.load());
  sample(out, "profile_publisher_purged_rows_total", "counter", "Published rows deleted by retention.",
         purged_total.load());
  sample(out, "profile_publisher_in_flight_rows", "gauge", "Rows produced and not yet marked.", in_flight_rows.load());
  sample(out, "profile_publisher_leader", "gauge", "1 if this instance holds the leader lock and publishes.",
         leader.load());
  sample(out, "profile_publisher_db_up", "gauge", "1 while the PostgreSQL connection is up.", db_up.load());
  if (pending_rows.load() >= 0) {
    sample(out, "profile_publisher_outbox_pending_rows", "gauge",
           "Rows neither published nor quarantined (profile.outbox_stats()).", pending_rows.load());
    sample(out, "profile_publisher_outbox_oldest_pending_age_seconds", "gauge",
           "Age of the oldest pending row (profile.outbox_stats()).", oldest_pending_age_seconds.load());
  }
  if (quarantined_rows.load() >= 0)
    sample(out, "profile_publisher_outbox_quarantined_rows", "gauge", "Quarantined rows waiting for an operator.",
           quarantined_rows.load());
  prometheus_header(out, "profile_publisher_delivery_latency_seconds", "histogram",
         "From the row's created_at to the broker's acknowledgement.");
  delivery_latency.render("profile_publisher_delivery_latency_seconds", out);
  return out;
}

}  // namespace publisher
