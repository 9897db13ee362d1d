// What profile_apply answered for one event, and what the daemon does about it.
#pragma once

#include <string>

#include "redis_client.h"

namespace realchat {

enum class ApplyOutcome {
  applied,    // on top of the version it follows (or a ProfileCreated that started the user)
  duplicate,  // already applied: skipped
  gap,        // newer than the next one: the user was dropped from the cache
  absent,     // the user is not cached: only the floor moved
  deleted,    // ProfileDeleted: the user's keys are gone
  bad,        // not an event (unparsable): skipped, counted, never retried
  retry,      // Redis did not apply it (an error reply): the batch is applied again
};

ApplyOutcome classify_apply_reply(const RedisReply& reply);

// The error reply means the library is not loaded (an empty Redis after a restart).
bool is_missing_function(const RedisReply& reply);

}  // namespace realchat
