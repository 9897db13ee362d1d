#include "expectations.h"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace event_checker {

std::uint64_t Expectations::total() const {
  std::uint64_t n = 0;
  for (const auto& [user, count] : events_per_user) n += count;
  return n;
}

void Expectations::add_row(const Uuid& user_id, const Uuid& event_id, RowState state) {
  if (!event_ids) event_ids.emplace();
  if (event_ids->emplace(event_id, state).second) ++events_per_user[user_id];
}

std::variant<Expectations, ParseError> parse_expectations(std::istream& in) {
  Expectations out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream fields(line);
    std::string user, count, extra;
    fields >> user;
    if (user.empty() || user[0] == '#') continue;
    fields >> count >> extra;
    auto where = [&] { return "line " + std::to_string(number) + ": "; };
    auto id = parse_uuid(user);
    if (!id) return ParseError{where() + "not a uuid: " + user};
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
    if (count.empty() || ec != std::errc() || end != count.data() + count.size())
      return ParseError{where() + "expected \"USER_ID COUNT\", got: " + line};
    if (!extra.empty()) return ParseError{where() + "unexpected text after the count: " + extra};
    out.events_per_user[*id] += n;
  }
  if (in.bad()) return ParseError{"read error"};
  return out;
}

Comparison compare(const Expectations& expected, const SequenceTracker& consumed, std::size_t lost_ids_to_keep) {
  Comparison c;
  c.expected = expected.total();
  c.users_expected = expected.events_per_user.size();

  if (expected.event_ids) {
    std::unordered_map<Uuid, std::uint64_t, UuidHash> lost_per_user;
    std::vector<Uuid> lost_ids;
    for (const auto& [event_id, state] : *expected.event_ids) {
      if (consumed.seen(event_id)) continue;
      ++c.lost;
      if (state == RowState::pending) ++c.lost_pending;
      if (state == RowState::quarantined) ++c.lost_quarantined;
      lost_ids.push_back(event_id);
    }
    std::sort(lost_ids.begin(), lost_ids.end());
    if (lost_ids.size() > lost_ids_to_keep) lost_ids.resize(lost_ids_to_keep);
    c.lost_event_ids = std::move(lost_ids);
    c.consumed = c.expected - c.lost;
  }

  for (const auto& [user, want] : expected.events_per_user) {
    std::uint64_t got = consumed.distinct_events(user);
    if (got < want) {
      ++c.users_short;
      c.short_users.push_back({user, want, got});
      if (!expected.event_ids) c.lost += want - got;
    } else if (got > want && !expected.event_ids && !expected.at_least) {
      c.unexpected += got - want;
    }
  }
  if (!expected.event_ids) c.consumed = c.expected - c.lost;
  std::sort(c.short_users.begin(), c.short_users.end(),
            [](const ShortUser& a, const ShortUser& b) { return a.user_id < b.user_id; });

  Totals totals = consumed.totals();
  for (const UserReport& u : consumed.users())
    if (expected.events_per_user.count(u.user_id) == 0) ++c.users_unknown;
  if (expected.event_ids) c.not_in_outbox = totals.events - c.consumed;
  return c;
}

}  // namespace event_checker
