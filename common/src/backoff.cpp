#include "backoff.h"

#include <algorithm>
#include <random>

namespace realchat {

Backoff::Millis Backoff::ceiling() const {
  std::int64_t c = initial_.count();
  for (int i = 0; i < failures_ && c < max_.count(); ++i) c *= 2;
  return Millis(std::min<std::int64_t>(c, max_.count()));
}

Backoff::Millis Backoff::next(double unit_random) {
  unit_random = std::clamp(unit_random, 0.0, 1.0);
  std::int64_t c = ceiling().count();
  if (failures_ < 62) ++failures_;
  return Millis(c / 2 + static_cast<std::int64_t>(static_cast<double>(c - c / 2) * unit_random));
}

double random_unit() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

}  // namespace realchat
