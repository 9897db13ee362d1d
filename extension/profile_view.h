/*
 * profile_view.h: profiles as a viewer sees them. The facts of the visibility rules are
 * gathered here (primary-key probes, no SPI) and decided by core/visibility.h, the one
 * implementation of the rules; list_contacts, which reads its facts through SQL, applies the
 * same decision with rp_mask_presence.
 */
#ifndef REALCHAT_PROFILE_VIEW_H
#define REALCHAT_PROFILE_VIEW_H

#include "pg_glue.h"
#include "core/visibility.h"

extern "C" {
#include "access/genam.h"
#include "executor/tuptable.h"
#include "utils/rel.h"
}

/* Which read asks: rule 5 and the search's block filter apply to lookups only. */
typedef enum ProfileRead
{
	READ_BY_ID,
	READ_BY_USERNAME,
	READ_BY_SEARCH
} ProfileRead;

/* profile.profiles attribute numbers the rules read or mask. */
enum
{
	PV_STATUS = 6,
	PV_LAST_SEEN = 7,
	PV_STATUS_TEXT = 11,
	PV_STATUS_EMOJI = 12,
	PV_STATUS_EXPIRES_AT = 13,
	PV_PRESENCE_AUDIENCE = 14,
	PV_DISCOVERABLE = 15
};

typedef struct PkProbe
{
	Relation	rel;
	Relation	pk;
	IndexScanDesc scan;
	TupleTableSlot *slot;
} PkProbe;

typedef struct ProfileView
{
	MemoryContext memory;		/* of the call: probes opened later (inside SPI) live here too */
	Snapshot	snapshot;
	PkProbe		profiles;
	PkProbe		blocks;			/* opened with a viewer */
	PkProbe		contacts;		/* opened when first needed */
	bool		schema_1_1;		/* profiles has the privacy columns */
	bool		has_viewer;
	pg_uuid_t	viewer;
	rp_audience viewer_audience;
	Oid			presence_type;
	Oid			audience_type;
} ProfileView;

void		profile_view_begin(ProfileView *pv, const pg_uuid_t *viewer);
void		profile_view_end(ProfileView *pv);

/* Appends the profile of id, as the viewer sees it, to the result; false if not shown. */
bool		profile_view_put(ProfileView *pv, ReturnSetInfo *rsinfo, const pg_uuid_t *id, ProfileRead read);

/* Enum values of profile.presence and profile.audience (types by oid). */
Datum		rp_presence_value(Oid presence_type, const char *label, bool *exists);
rp_audience rp_audience_of(Oid audience_type, Datum value);

/* Status and last_seen of owner as decided (rule 3's frozen last_seen read here). */
void		rp_mask_presence(const rp_visibility *v, const pg_uuid_t *owner, Oid presence_type,
							 Datum *status, bool *status_null, Datum *last_seen, bool *last_seen_null);

#endif
