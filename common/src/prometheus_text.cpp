#include "prometheus_text.h"

#include <cstdio>
#include <cstdlib>

namespace realchat {

std::string prometheus_number(double v) {
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

void prometheus_header(std::string& out, const char* name, const char* type, const char* help) {
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

void prometheus_sample(std::string& out, const char* name, const char* type, const char* help, double value) {
  prometheus_header(out, name, type, help);
  out += name;
  out += ' ';
  out += prometheus_number(value);
  out += '\n';
}

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
    out += name + "_bucket{le=\"" + (i < kBounds.size() ? prometheus_number(kBounds[i]) : std::string("+Inf")) +
           "\"} " + std::to_string(cumulative) + '\n';
  }
  out += name + "_sum " + prometheus_number(static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6) +
         '\n';
  out += name + "_count " + std::to_string(cumulative) + '\n';
}

}  // namespace realchat
