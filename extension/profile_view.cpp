/*
 * profile_view.cpp: profiles by id through the index AM, masked for a viewer.
 *
 * One primary-key probe per id, and with a viewer one into blocks' primary key (plus contacts'
 * when the owner's audience or discoverability makes it matter, and blocks' the other way for
 * search), and one of the viewer's own profile per call for reciprocity. Through SPI each call
 * paid a whole executor start-up for a one-row lookup (bench/README.md). Same snapshot as SPI's
 * read-only execution (the active one), same locks (AccessShareLock to the end of the
 * transaction), same rows: the table's own tuples, masked as core/visibility.h decides.
 */
#include "profile_view.h"
#include "frozen_last_seen.h"

extern "C" {
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_enum.h"
#include "nodes/makefuncs.h"
#include "utils/fmgroids.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
}

static void
probe_open(PkProbe *p, const char *name, Snapshot snapshot, int nkeys)
{
	RangeVar   *rv = makeRangeVar((char *) "profile", (char *) name, -1);
	Oid			pk;

	p->rel = table_open(RangeVarGetRelid(rv, AccessShareLock, false), NoLock);
	pk = rp_primary_key_index(p->rel);
	if (!OidIsValid(pk))
		elog(ERROR, "realchat_profile: %s has no primary key", RelationGetRelationName(p->rel));
	p->pk = index_open(pk, AccessShareLock);
	p->scan = rp_index_beginscan(p->rel, p->pk, snapshot, nkeys, 0);
	p->slot = table_slot_create(p->rel, NULL);
}

static void
probe_close(PkProbe *p)
{
	if (p->rel == NULL)
		return;
	index_endscan(p->scan);
	ExecDropSingleTupleTableSlot(p->slot);
	index_close(p->pk, NoLock);
	table_close(p->rel, NoLock);
}

static bool
probe_one(PkProbe *p, const pg_uuid_t *id)
{
	ScanKeyData key;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum(id));
	index_rescan(p->scan, &key, 1, NULL, 0);
	return index_getnext_slot(p->scan, ForwardScanDirection, p->slot);
}

static bool
probe_pair(PkProbe *p, const pg_uuid_t *a, const pg_uuid_t *b)
{
	ScanKeyData keys[2];

	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum(a));
	ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum(b));
	index_rescan(p->scan, keys, 2, NULL, 0);
	return index_getnext_slot(p->scan, ForwardScanDirection, p->slot);
}

/*
 * Enum values by label, cached per type oid (a dropped and re-created extension has new
 * types). A missing label is looked up again next time: ALTER EXTENSION UPDATE adds
 * 'invisible' to profile.presence in place.
 */
Datum
rp_presence_value(Oid presence_type, const char *label, bool *exists)
{
	static Oid	cached_type = InvalidOid;
	static const char *const labels[] = {"offline", "invisible"};
	static Oid	cached[2];
	int			i = strcmp(label, "offline") == 0 ? 0 : 1;

	if (cached_type != presence_type || !OidIsValid(cached[i]))
	{
		if (cached_type != presence_type)
			cached[0] = cached[1] = InvalidOid;
		cached_type = presence_type;
		cached[i] = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid, ObjectIdGetDatum(presence_type),
									CStringGetDatum(labels[i]));
	}
	*exists = OidIsValid(cached[i]);
	return ObjectIdGetDatum(cached[i]);
}

rp_audience
rp_audience_of(Oid audience_type, Datum value)
{
	static Oid	cached_type = InvalidOid;
	static Oid	cached[3];
	static const char *const labels[] = {"everyone", "contacts", "nobody"};
	Oid			oid = DatumGetObjectId(value);

	if (cached_type != audience_type)
	{
		for (int i = 0; i < 3; i++)
			cached[i] = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid, ObjectIdGetDatum(audience_type),
										CStringGetDatum(labels[i]));
		cached_type = audience_type;
	}
	for (int i = 0; i < 3; i++)
		if (oid == cached[i])
			return (rp_audience) i;
	elog(ERROR, "realchat_profile: unknown profile.audience value %u", oid);
	pg_unreachable();
}

void
rp_mask_presence(const rp_visibility *v, const pg_uuid_t *owner, Oid presence_type,
				 Datum *status, bool *status_null, Datum *last_seen, bool *last_seen_null)
{
	if (v->status_offline)
	{
		bool		exists;

		*status = rp_presence_value(presence_type, "offline", &exists);
		*status_null = false;
	}
	if (v->last_seen == RP_LAST_SEEN_NULL)
		*last_seen_null = true;
	else if (v->last_seen == RP_LAST_SEEN_FROZEN)
	{
		TimestampTz at;

		*last_seen_null = !rp_frozen_last_seen(owner, &at);
		*last_seen = *last_seen_null ? (Datum) 0 : TimestampTzGetDatum(at);
	}
}

void
profile_view_begin(ProfileView *pv, const pg_uuid_t *viewer)
{
	TupleDesc	desc;

	memset(pv, 0, sizeof(*pv));
	pv->memory = CurrentMemoryContext;
	pv->snapshot = ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
	probe_open(&pv->profiles, "profiles", pv->snapshot, 1);
	desc = RelationGetDescr(pv->profiles.rel);
	pv->schema_1_1 = desc->natts >= PV_DISCOVERABLE;
	pv->presence_type = TupleDescAttr(desc, PV_STATUS - 1)->atttypid;
	if (pv->schema_1_1)
		pv->audience_type = TupleDescAttr(desc, PV_PRESENCE_AUDIENCE - 1)->atttypid;
	pv->viewer_audience = RP_AUDIENCE_EVERYONE;
	if (viewer == NULL)
		return;
	pv->has_viewer = true;
	pv->viewer = *viewer;
	probe_open(&pv->blocks, "blocks", pv->snapshot, 2);
	/* Reciprocity: the viewer's own audience (a viewer without a profile shows to everyone). */
	if (pv->schema_1_1 && probe_one(&pv->profiles, viewer))
	{
		bool		isnull;
		Datum		a = slot_getattr(pv->profiles.slot, PV_PRESENCE_AUDIENCE, &isnull);

		if (!isnull)
			pv->viewer_audience = rp_audience_of(pv->audience_type, a);
	}
}

void
profile_view_end(ProfileView *pv)
{
	probe_close(&pv->profiles);
	probe_close(&pv->blocks);
	probe_close(&pv->contacts);
}

static bool
viewer_in_contacts_of(ProfileView *pv, const pg_uuid_t *owner)
{
	if (pv->contacts.rel == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(pv->memory);

		probe_open(&pv->contacts, "contacts", pv->snapshot, 2);
		MemoryContextSwitchTo(old);
	}
	return probe_pair(&pv->contacts, owner, &pv->viewer);
}

/* The facts of the rules for the owner's row in the profiles slot. */
static rp_visibility_facts
gather_facts(ProfileView *pv, const pg_uuid_t *owner, ProfileRead read)
{
	TupleTableSlot *slot = pv->profiles.slot;
	rp_visibility_facts f;
	bool		isnull;

	memset(&f, 0, sizeof(f));
	f.owner_audience = RP_AUDIENCE_EVERYONE;
	f.owner_discoverable = true;
	f.viewer_audience = pv->viewer_audience;
	if (!pv->has_viewer || memcmp(owner->data, pv->viewer.data, UUID_LEN) == 0)
	{
		f.trusted = true;
		return f;
	}
	if (pv->schema_1_1)
	{
		bool		has_invisible;
		Datum		invisible = rp_presence_value(pv->presence_type, "invisible", &has_invisible);

		f.owner_invisible = has_invisible &&
			DatumGetObjectId(slot_getattr(slot, PV_STATUS, &isnull)) == DatumGetObjectId(invisible);
		f.owner_audience = rp_audience_of(pv->audience_type, slot_getattr(slot, PV_PRESENCE_AUDIENCE, &isnull));
		f.owner_discoverable = DatumGetBool(slot_getattr(slot, PV_DISCOVERABLE, &isnull));
	}
	f.owner_blocks_viewer = probe_pair(&pv->blocks, owner, &pv->viewer);
	if (pv->schema_1_1 && rp_visibility_needs_contact(f.owner_audience, f.owner_discoverable, read != READ_BY_ID))
		f.viewer_in_owner_contacts = viewer_in_contacts_of(pv, owner);
	if (read == READ_BY_SEARCH)
		f.viewer_blocks_owner = probe_pair(&pv->blocks, &pv->viewer, owner);
	return f;
}

bool
profile_view_put(ProfileView *pv, ReturnSetInfo *rsinfo, const pg_uuid_t *id, ProfileRead read)
{
	TupleTableSlot *slot = pv->profiles.slot;
	rp_visibility_facts facts;
	rp_visibility v;
	Datum	   *values;
	bool	   *nulls;
	int			natts;

	if (!probe_one(&pv->profiles, id))
		return false;
	facts = gather_facts(pv, id, read);
	v = rp_visibility_decide(&facts);
	if ((read == READ_BY_USERNAME && !v.found_by_username) || (read == READ_BY_SEARCH && !v.found_by_search))
		return false;
	if (!v.status_offline && v.last_seen == RP_LAST_SEEN_STORED && !v.hide_custom_status)
	{
		tuplestore_puttupleslot(rsinfo->setResult, slot);
		return true;
	}
	slot_getallattrs(slot);
	natts = slot->tts_tupleDescriptor->natts;
	values = (Datum *) palloc(sizeof(Datum) * natts);
	nulls = (bool *) palloc(sizeof(bool) * natts);
	memcpy(values, slot->tts_values, sizeof(Datum) * natts);
	memcpy(nulls, slot->tts_isnull, sizeof(bool) * natts);
	rp_mask_presence(&v, id, pv->presence_type, &values[PV_STATUS - 1], &nulls[PV_STATUS - 1],
					 &values[PV_LAST_SEEN - 1], &nulls[PV_LAST_SEEN - 1]);
	if (v.hide_custom_status && pv->schema_1_1)
	{
		nulls[PV_STATUS_TEXT - 1] = true;
		nulls[PV_STATUS_EMOJI - 1] = true;
		nulls[PV_STATUS_EXPIRES_AT - 1] = true;
	}
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	pfree(values);
	pfree(nulls);
	return true;
}
