/*
 * visibility.h: the contract's visibility rules ("Privacy"), as a pure function from facts to
 * what a viewer is shown. Every read that takes a viewer (get_profile, get_profiles,
 * find_profile_by_username, list_contacts, search_profiles) goes through rp_visibility_decide,
 * and the Redis cache's Lua implements the same table; tests compare both against it.
 *
 * C interface, noexcept, no PostgreSQL: the glue gathers the facts (index probes or SQL
 * columns) and applies the result to the row.
 */
#ifndef REALCHAT_CORE_VISIBILITY_H
#define REALCHAT_CORE_VISIBILITY_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* profile.audience, in enum order. */
typedef enum rp_audience
{
	RP_AUDIENCE_EVERYONE = 0,
	RP_AUDIENCE_CONTACTS,
	RP_AUDIENCE_NOBODY
} rp_audience;

/* Parses an audience label ("everyone", "contacts", "nobody"); false if unknown. */
bool rp_audience_parse(const char *label, rp_audience *out);

/* What a read of owner A by viewer V knows. */
typedef struct rp_visibility_facts
{
	bool		trusted;				/* no viewer, or V = A: the stored values */
	bool		owner_blocks_viewer;	/* A blocks V (rule 1) */
	bool		viewer_blocks_owner;	/* V blocks A (search leaves A out) */
	bool		viewer_in_owner_contacts; /* V is in A's contacts (rules 2 and 5) */
	rp_audience owner_audience;			/* A's presence_audience (rule 2) */
	rp_audience viewer_audience;		/* V's own presence_audience (rule 4) */
	bool		owner_invisible;		/* A's stored status is invisible (rule 3) */
	bool		owner_discoverable;		/* A's discoverable (rule 5) */
} rp_visibility_facts;

/* How last_seen is shown. */
typedef enum rp_last_seen_shown
{
	RP_LAST_SEEN_STORED = 0,
	RP_LAST_SEEN_FROZEN,		/* the moment A went invisible (null when none is recorded) */
	RP_LAST_SEEN_NULL
} rp_last_seen_shown;

typedef struct rp_visibility
{
	bool		status_offline;		/* show status as offline */
	rp_last_seen_shown last_seen;
	bool		hide_custom_status; /* status_text, status_emoji, status_expires_at null */
	bool		found_by_username;	/* find_profile_by_username returns A (rule 5) */
	bool		found_by_search;	/* search_profiles returns A (rule 5, and no block either way) */
} rp_visibility;

/* The rules; where several apply, the one that hides more wins. */
rp_visibility rp_visibility_decide(const rp_visibility_facts *facts);

/*
 * Whether viewer_in_owner_contacts can change the result for an owner with this audience and
 * discoverability (for_lookup: the read is find_profile_by_username or search_profiles, where
 * rule 5 applies), so the glue probes the contacts only when it matters.
 */
bool rp_visibility_needs_contact(rp_audience owner_audience, bool owner_discoverable, bool for_lookup);

#ifdef __cplusplus
}
#endif

#endif
