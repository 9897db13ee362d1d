#include "apply_outcome.h"

namespace realchat {

ApplyOutcome classify_apply_reply(const RedisReply& r) {
  if (r.kind != RedisReply::Kind::string) return ApplyOutcome::retry;
  if (r.str == "applied") return ApplyOutcome::applied;
  if (r.str == "duplicate") return ApplyOutcome::duplicate;
  if (r.str == "gap") return ApplyOutcome::gap;
  if (r.str == "absent") return ApplyOutcome::absent;
  if (r.str == "deleted") return ApplyOutcome::deleted;
  if (r.str == "bad") return ApplyOutcome::bad;
  return ApplyOutcome::retry;
}

bool is_missing_function(const RedisReply& r) {
  return r.is_error() && r.str.find("Function not found") != std::string::npos;
}

}  // namespace realchat
