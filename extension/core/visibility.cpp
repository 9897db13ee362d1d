/* visibility.cpp: the contract's visibility rules (see visibility.h). */
#include "visibility.h"

#include <cstring>

bool
rp_audience_parse(const char *label, rp_audience *out)
{
	static const char *const labels[] = {"everyone", "contacts", "nobody"};

	for (int i = 0; i < 3; i++)
	{
		if (label != nullptr && std::strcmp(label, labels[i]) == 0)
		{
			*out = static_cast<rp_audience>(i);
			return true;
		}
	}
	return false;
}

rp_visibility
rp_visibility_decide(const rp_visibility_facts *f)
{
	rp_visibility v = {false, RP_LAST_SEEN_STORED, false, true, true};

	if (f->trusted)
		return v;

	/* Rule 1: a blocked viewer sees A offline, without last_seen or custom status. */
	bool		blocked = f->owner_blocks_viewer;
	/* Rule 2: presence only for the audience A chose. */
	bool		outside_audience = f->owner_audience == RP_AUDIENCE_NOBODY ||
		(f->owner_audience == RP_AUDIENCE_CONTACTS && !f->viewer_in_owner_contacts);
	/* Rule 4: who shows nobody their last_seen sees nobody's. */
	bool		reciprocity = f->viewer_audience == RP_AUDIENCE_NOBODY;
	/* Rule 5: not discoverable, and V not in A's contacts. */
	bool		hidden_from_lookup = !f->owner_discoverable && !f->viewer_in_owner_contacts;

	v.status_offline = blocked || outside_audience || f->owner_invisible;
	if (blocked || outside_audience || reciprocity)
		v.last_seen = RP_LAST_SEEN_NULL;
	else if (f->owner_invisible)
		v.last_seen = RP_LAST_SEEN_FROZEN;	/* rule 3 */
	v.hide_custom_status = blocked;
	v.found_by_username = !hidden_from_lookup;
	v.found_by_search = !hidden_from_lookup && !blocked && !f->viewer_blocks_owner;
	return v;
}

bool
rp_visibility_needs_contact(rp_audience owner_audience, bool owner_discoverable, bool for_lookup)
{
	return owner_audience == RP_AUDIENCE_CONTACTS || (for_lookup && !owner_discoverable);
}
