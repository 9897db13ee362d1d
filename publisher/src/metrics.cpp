#include "metrics.h"

#include <cstdio>
#include <cstdlib>

namespace publisher {

namespace {
// The shortest text that reads back as the same double: "0.005", not "0.0050000000000000001".
std::string number(double v) {
  char buf[40];
  if (v == static_cast<double>(static_cast<long long>(v)) && v > -1e15 && v < 1e15) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

template <typename T>
void sample(std::string& out, const char* name, const char* type, const char* help, T value) {
  header(out, name, type, help);
  out += name;
  out += ' ';
  out += number(static_cast<double>(value));
  out += '\n';
}
}  // namespace

void LatencyHistogram::observe(double seconds) {
  if (seconds < 0) seconds = 0;
  std::size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void LatencyHistogram::render(const std::string& name, std::string& out) const {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    out += name + "_bucket{le=\"" + (i < kBounds.size() ? number(kBounds[i]) : std::string("+Inf")) + "\"} " +
           std::to_string(cumulative) + '\n';
  }
  out += name + "_sum " + number(static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6) + '\n';
  out += name + "_count " + std::to_string(cumulative) + '\n';
}

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
  header(out, "profile_publisher_delivery_latency_seconds", "histogram",
         "From the row's created_at to the broker's acknowledgement.");
  delivery_latency.render("profile_publisher_delivery_latency_seconds", out);
  return out;
}

}  // namespace publisher
