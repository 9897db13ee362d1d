/*
 * The visibility rules over every combination of facts, against the contract's wording rule by
 * rule, plus the cases the contract spells out.
 */
#include "visibility.h"

#include <gtest/gtest.h>

namespace
{

rp_visibility_facts
facts(bool blocks, bool in_contacts, rp_audience owner, rp_audience viewer, bool invisible, bool discoverable)
{
	rp_visibility_facts f = {};

	f.owner_blocks_viewer = blocks;
	f.viewer_in_owner_contacts = in_contacts;
	f.owner_audience = owner;
	f.viewer_audience = viewer;
	f.owner_invisible = invisible;
	f.owner_discoverable = discoverable;
	return f;
}

const rp_audience kAudiences[] = {RP_AUDIENCE_EVERYONE, RP_AUDIENCE_CONTACTS, RP_AUDIENCE_NOBODY};

TEST(Visibility, EveryCombinationFollowsTheRules)
{
	int			combinations = 0;

	for (int bits = 0; bits < 32; bits++)
		for (rp_audience owner : kAudiences)
			for (rp_audience viewer : kAudiences)
			{
				bool		blocks = bits & 1, in_contacts = bits & 2, invisible = bits & 4,
							discoverable = bits & 8, viewer_blocks = bits & 16;
				rp_visibility_facts f = facts(blocks, in_contacts, owner, viewer, invisible, discoverable);

				f.viewer_blocks_owner = viewer_blocks;
				rp_visibility v = rp_visibility_decide(&f);
				bool		rule2 = owner == RP_AUDIENCE_NOBODY || (owner == RP_AUDIENCE_CONTACTS && !in_contacts);
				bool		rule4 = viewer == RP_AUDIENCE_NOBODY;
				bool		rule5 = !discoverable && !in_contacts;

				SCOPED_TRACE(testing::Message() << "bits " << bits << " owner " << owner << " viewer " << viewer);
				EXPECT_EQ(v.status_offline, blocks || rule2 || invisible);
				if (blocks || rule2 || rule4)
					EXPECT_EQ(v.last_seen, RP_LAST_SEEN_NULL);	/* null wins over frozen */
				else if (invisible)
					EXPECT_EQ(v.last_seen, RP_LAST_SEEN_FROZEN);
				else
					EXPECT_EQ(v.last_seen, RP_LAST_SEEN_STORED);
				EXPECT_EQ(v.hide_custom_status, blocks);
				EXPECT_EQ(v.found_by_username, !rule5);
				EXPECT_EQ(v.found_by_search, !rule5 && !blocks && !viewer_blocks);
				/* The contacts fact matters only where rp_visibility_needs_contact says so. */
				for (bool for_lookup : {false, true})
				{
					if (rp_visibility_needs_contact(owner, discoverable, for_lookup))
						continue;
					rp_visibility_facts other = f;

					other.viewer_in_owner_contacts = !in_contacts;
					rp_visibility w = rp_visibility_decide(&other);

					EXPECT_EQ(w.status_offline, v.status_offline);
					EXPECT_EQ(w.last_seen, v.last_seen);
					if (for_lookup)
					{
						EXPECT_EQ(w.found_by_username, v.found_by_username);
						EXPECT_EQ(w.found_by_search, v.found_by_search);
					}
				}
				f.trusted = true;
				rp_visibility t = rp_visibility_decide(&f);
				EXPECT_FALSE(t.status_offline);
				EXPECT_EQ(t.last_seen, RP_LAST_SEEN_STORED);
				EXPECT_FALSE(t.hide_custom_status);
				EXPECT_TRUE(t.found_by_username);
				EXPECT_TRUE(t.found_by_search);
				combinations++;
			}
	EXPECT_EQ(combinations, 32 * 9);
}

TEST(Visibility, ContractExamples)
{
	/* A stranger of a public user sees everything. */
	rp_visibility_facts f = facts(false, false, RP_AUDIENCE_EVERYONE, RP_AUDIENCE_EVERYONE, false, true);
	rp_visibility v = rp_visibility_decide(&f);

	EXPECT_FALSE(v.status_offline);
	EXPECT_EQ(v.last_seen, RP_LAST_SEEN_STORED);

	/* Audience contacts: a contact sees presence, a stranger does not. */
	f = facts(false, true, RP_AUDIENCE_CONTACTS, RP_AUDIENCE_EVERYONE, false, true);
	EXPECT_FALSE(rp_visibility_decide(&f).status_offline);
	f.viewer_in_owner_contacts = false;
	EXPECT_TRUE(rp_visibility_decide(&f).status_offline);

	/* Invisible: offline with the frozen last_seen; null once reciprocity applies too. */
	f = facts(false, false, RP_AUDIENCE_EVERYONE, RP_AUDIENCE_CONTACTS, true, true);
	v = rp_visibility_decide(&f);
	EXPECT_TRUE(v.status_offline);
	EXPECT_EQ(v.last_seen, RP_LAST_SEEN_FROZEN);
	f.viewer_audience = RP_AUDIENCE_NOBODY;
	EXPECT_EQ(rp_visibility_decide(&f).last_seen, RP_LAST_SEEN_NULL);

	/* Reciprocity hides last_seen but not status. */
	f = facts(false, false, RP_AUDIENCE_EVERYONE, RP_AUDIENCE_NOBODY, false, true);
	v = rp_visibility_decide(&f);
	EXPECT_FALSE(v.status_offline);
	EXPECT_EQ(v.last_seen, RP_LAST_SEEN_NULL);

	/* Not discoverable: a contact still finds A, a stranger does not. */
	f = facts(false, true, RP_AUDIENCE_EVERYONE, RP_AUDIENCE_EVERYONE, false, false);
	EXPECT_TRUE(rp_visibility_decide(&f).found_by_username);
	f.viewer_in_owner_contacts = false;
	EXPECT_FALSE(rp_visibility_decide(&f).found_by_username);
	EXPECT_FALSE(rp_visibility_decide(&f).found_by_search);

	/* A blocked contact: everything hidden, found by username but not by search. */
	f = facts(true, true, RP_AUDIENCE_EVERYONE, RP_AUDIENCE_EVERYONE, false, true);
	v = rp_visibility_decide(&f);
	EXPECT_TRUE(v.status_offline);
	EXPECT_EQ(v.last_seen, RP_LAST_SEEN_NULL);
	EXPECT_TRUE(v.hide_custom_status);
	EXPECT_TRUE(v.found_by_username);
	EXPECT_FALSE(v.found_by_search);
}

TEST(Visibility, AudienceLabels)
{
	rp_audience a;

	EXPECT_TRUE(rp_audience_parse("everyone", &a));
	EXPECT_EQ(a, RP_AUDIENCE_EVERYONE);
	EXPECT_TRUE(rp_audience_parse("contacts", &a));
	EXPECT_EQ(a, RP_AUDIENCE_CONTACTS);
	EXPECT_TRUE(rp_audience_parse("nobody", &a));
	EXPECT_EQ(a, RP_AUDIENCE_NOBODY);
	EXPECT_FALSE(rp_audience_parse("friends", &a));
	EXPECT_FALSE(rp_audience_parse(nullptr, &a));
}

}
