#include "report.h"

#include <sstream>

namespace event_checker {

namespace {

std::string range_text(std::int64_t first, std::int64_t last) {
  return first == last ? "v" + std::to_string(first) : "v" + std::to_string(first) + ".." + std::to_string(last);
}

}  // namespace

std::string format_user(const UserReport& u) {
  std::ostringstream out;
  out << "user " << to_string(u.user_id) << ": " << u.events << " events (" << u.messages << " messages, "
      << u.duplicates << " duplicates)";
  if (u.events > 0) out << ", versions " << u.first_version << ".." << u.last_version;
  if (u.incarnations > 1) out << " in " << u.incarnations << " incarnations";
  if (u.deleted) out << ", deleted";
  out << (u.partitions.size() == 1 ? ", partition " : ", partitions ");
  for (std::size_t i = 0; i < u.partitions.size(); ++i) out << (i ? "," : "") << u.partitions[i];
  if (u.ok()) {
    out << ": ok";
    return out.str();
  }
  out << ":";
  if (u.missing > 0) {
    out << " MISSING " << u.missing << " (";
    std::size_t shown = 0;
    for (const Gap& g : u.gaps) {
      if (shown == 5) {
        out << ", ...";
        break;
      }
      out << (shown ? ", " : "") << range_text(g.first, g.last);
      if (u.incarnations > 1) out << " of incarnation " << g.incarnation + 1;
      ++shown;
    }
    out << ")";
  }
  if (u.reordered > 0) out << " REORDERED " << u.reordered;
  if (u.conflicts > 0) out << " VERSION-CONFLICTS " << u.conflicts;
  if (u.inconsistent_duplicates > 0) out << " INCONSISTENT-DUPLICATES " << u.inconsistent_duplicates;
  if (u.partitions.size() > 1) out << " SEVERAL-PARTITIONS";
  return out.str();
}

bool passed(const Totals& t, const RunFacts& facts, const std::optional<Comparison>& comparison) {
  return t.users_with_anomalies == 0 && facts.malformed == 0 && (!comparison || comparison->ok());
}

std::string format_summary(const Totals& t, const RunFacts& facts, const std::optional<Comparison>& c) {
  std::ostringstream out;
  out << "consumed: " << t.messages + facts.malformed << " messages from " << facts.partitions << " partition"
      << (facts.partitions == 1 ? "" : "s") << " of " << facts.topic << ": " << t.events << " events, "
      << t.duplicates << " duplicates, " << facts.malformed << " malformed, " << t.users << " users\n";
  out << "order: " << t.missing << " missing versions, " << t.reordered << " reordered, " << t.conflicts
      << " version conflicts, " << t.inconsistent_duplicates << " inconsistent duplicates, "
      << t.users_on_several_partitions << " users on several partitions (" << t.users_with_anomalies
      << " users with anomalies)\n";
  if (c) {
    out << "committed (" << facts.expectation_source << "): " << c->expected << " events for " << c->users_expected
        << " users; consumed " << c->consumed << ", lost " << c->lost;
    if (c->lost_pending || c->lost_quarantined)
      out << " (" << c->lost_pending << " still pending in the outbox, " << c->lost_quarantined << " quarantined)";
    if (c->unexpected) out << ", " << c->unexpected << " more than expected";
    if (c->not_in_outbox) out << "; " << c->not_in_outbox << " consumed events have no outbox row (purged?)";
    if (c->users_unknown) out << "; " << c->users_unknown << " users consumed but not expected";
    out << "\n";
  }
  bool ok = passed(t, facts, c);
  out << "summary: messages=" << t.messages + facts.malformed << " events=" << t.events
      << " duplicates=" << t.duplicates << " malformed=" << facts.malformed << " users=" << t.users
      << " missing=" << t.missing << " reordered=" << t.reordered << " conflicts=" << t.conflicts;
  if (c) out << " committed=" << c->expected << " lost=" << c->lost;
  out << " result=" << (ok ? "OK" : "FAILED") << "\n";
  return out.str();
}

}  // namespace event_checker
