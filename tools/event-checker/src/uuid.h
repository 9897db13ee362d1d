// uuid.h: a 128-bit uuid parsed from its text form, for compact sets of event ids.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace event_checker {

struct Uuid {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;

  bool operator==(const Uuid& o) const { return hi == o.hi && lo == o.lo; }
  bool operator!=(const Uuid& o) const { return !(*this == o); }
  bool operator<(const Uuid& o) const { return hi != o.hi ? hi < o.hi : lo < o.lo; }
};

// Parses the canonical 8-4-4-4-12 form (either case); nullopt for anything else.
std::optional<Uuid> parse_uuid(std::string_view text);

// The canonical lower-case text form.
std::string to_string(const Uuid& id);

struct UuidHash {
  std::size_t operator()(const Uuid& id) const noexcept {
    return std::hash<std::uint64_t>()(id.hi ^ (id.lo * 0x9e3779b97f4a7c15ULL));
  }
};

}  // namespace event_checker
