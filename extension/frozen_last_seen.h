/*
 * frozen_last_seen.h: rule 3's one input that lives outside profile.profiles.
 *
 * To other viewers an invisible user shows the last_seen of the moment they went invisible.
 * That moment is recorded by the presence code in profile.presence_state(user_id uuid primary
 * key, frozen_last_seen timestamptz). This accessor is the only reader; until that table
 * exists, or when it holds no row (or a null) for the user, nothing is recorded and the
 * viewer sees last_seen null, which hides more.
 */
#ifndef REALCHAT_FROZEN_LAST_SEEN_H
#define REALCHAT_FROZEN_LAST_SEEN_H

#include "pg_glue.h"

/* The moment user_id went invisible, if recorded. */
bool		rp_frozen_last_seen(const pg_uuid_t *user_id, TimestampTz *at);

#endif
