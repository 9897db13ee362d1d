/*
 * api_reads.cpp: the read functions. Block enforcement: while A blocks B, B
 * sees A offline with no last_seen; put_profile and list_contacts' join mask
 * exactly that.
 */
#include "pg_glue.h"

extern "C" {
#include "access/genam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/array.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(rp_get_profile);
PG_FUNCTION_INFO_V1(rp_get_profiles);
PG_FUNCTION_INFO_V1(rp_find_profile_by_username);
PG_FUNCTION_INFO_V1(rp_list_contacts);
PG_FUNCTION_INFO_V1(rp_list_blocks);
PG_FUNCTION_INFO_V1(rp_is_blocked);
PG_FUNCTION_INFO_V1(rp_can_interact);
}

/*
 * Profiles by id, for get_profile and get_profiles: one primary-key probe per id (and one
 * into blocks' primary key when a viewer is given), straight through the index AM. Through
 * SPI each call paid a whole executor start-up for a one-row lookup, which made these
 * functions markedly slower than the plain SELECT they wrap (bench/README.md). Same
 * snapshot as SPI's read-only execution (the active one), same locks (AccessShareLock held
 * to the end of the transaction), same rows: the table's own tuples, masked for a blocked
 * viewer as list_contacts masks them (status offline, last_seen null).
 */
enum
{
	PROFILE_STATUS_ATTNO = 6,	/* profile.profiles.status */
	PROFILE_LAST_SEEN_ATTNO = 7 /* profile.profiles.last_seen */
};

typedef struct ProfileLookup
{
	Relation	profiles;
	Relation	profiles_pk;
	IndexScanDesc profile_scan;
	TupleTableSlot *profile_slot;
	Relation	blocks;			/* NULL without a viewer */
	Relation	blocks_pk;
	IndexScanDesc block_scan;
	TupleTableSlot *block_slot;
	Datum		offline;		/* 'offline'::profile.presence, once needed */
	bool		have_offline;
} ProfileLookup;

static Relation
open_profile_relation(const char *name)
{
	RangeVar   *rv = makeRangeVar((char *) "profile", (char *) name, -1);

	return table_open(RangeVarGetRelid(rv, AccessShareLock, false), NoLock);
}

static Relation
open_primary_key(Relation rel)
{
	Oid			pk = rp_primary_key_index(rel);

	if (!OidIsValid(pk))
		elog(ERROR, "realchat_profile: %s has no primary key", RelationGetRelationName(rel));
	return index_open(pk, AccessShareLock);
}

static void
lookup_begin(ProfileLookup *l, bool with_viewer)
{
	Snapshot	snapshot = ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();

	memset(l, 0, sizeof(*l));
	l->profiles = open_profile_relation("profiles");
	l->profiles_pk = open_primary_key(l->profiles);
	l->profile_scan = rp_index_beginscan(l->profiles, l->profiles_pk, snapshot, 1, 0);
	l->profile_slot = table_slot_create(l->profiles, NULL);
	if (with_viewer)
	{
		l->blocks = open_profile_relation("blocks");
		l->blocks_pk = open_primary_key(l->blocks);
		l->block_scan = rp_index_beginscan(l->blocks, l->blocks_pk, snapshot, 2, 0);
		l->block_slot = table_slot_create(l->blocks, NULL);
	}
}

static void
lookup_end(ProfileLookup *l)
{
	index_endscan(l->profile_scan);
	ExecDropSingleTupleTableSlot(l->profile_slot);
	index_close(l->profiles_pk, NoLock);
	table_close(l->profiles, NoLock);
	if (l->blocks)
	{
		index_endscan(l->block_scan);
		ExecDropSingleTupleTableSlot(l->block_slot);
		index_close(l->blocks_pk, NoLock);
		table_close(l->blocks, NoLock);
	}
}

static bool
owner_blocks_viewer(ProfileLookup *l, const pg_uuid_t *owner, const pg_uuid_t *viewer)
{
	ScanKeyData keys[2];

	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum(owner));
	ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum(viewer));
	index_rescan(l->block_scan, keys, 2, NULL, 0);
	return index_getnext_slot(l->block_scan, ForwardScanDirection, l->block_slot);
}

/* Appends the profile of `id` (if it exists) to the result, as `viewer` (may be NULL) sees it. */
static void
put_profile(ProfileLookup *l, ReturnSetInfo *rsinfo, const pg_uuid_t *id, const pg_uuid_t *viewer)
{
	TupleTableSlot *slot = l->profile_slot;
	ScanKeyData key;
	Datum	   *values;
	bool	   *nulls;
	int			natts;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum(id));
	index_rescan(l->profile_scan, &key, 1, NULL, 0);
	if (!index_getnext_slot(l->profile_scan, ForwardScanDirection, slot))
		return;
	if (viewer == NULL || !owner_blocks_viewer(l, id, viewer))
	{
		tuplestore_puttupleslot(rsinfo->setResult, slot);
		return;
	}
	if (!l->have_offline)
	{
		Oid			presence = TupleDescAttr(slot->tts_tupleDescriptor, PROFILE_STATUS_ATTNO - 1)->atttypid;

		l->offline = DirectFunctionCall2(enum_in, CStringGetDatum("offline"), ObjectIdGetDatum(presence));
		l->have_offline = true;
	}
	slot_getallattrs(slot);
	natts = slot->tts_tupleDescriptor->natts;
	values = (Datum *) palloc(sizeof(Datum) * natts);
	nulls = (bool *) palloc(sizeof(bool) * natts);
	memcpy(values, slot->tts_values, sizeof(Datum) * natts);
	memcpy(nulls, slot->tts_isnull, sizeof(bool) * natts);
	values[PROFILE_STATUS_ATTNO - 1] = l->offline;
	nulls[PROFILE_STATUS_ATTNO - 1] = false;
	values[PROFILE_LAST_SEEN_ATTNO - 1] = (Datum) 0;
	nulls[PROFILE_LAST_SEEN_ATTNO - 1] = true;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	pfree(values);
	pfree(nulls);
}

static void
run_into_result_set(FunctionCallInfo fcinfo, SPIPlanPtr *slot, const char *sql,
					int nargs, const Oid *argtypes, const Datum *values)
{
	rp_connect();
	rp_exec_into_result(rp_plan(slot, sql, nargs, argtypes), nargs, argtypes, values, fcinfo);
	rp_finish();
}

static bool
run_boolean(SPIPlanPtr *slot, const char *sql, const Datum *values)
{
	static const Oid argtypes[2] = {UUIDOID, UUIDOID};
	bool		isnull;
	bool		result;

	rp_connect();
	rp_exec(rp_plan(slot, sql, 2, argtypes), values, NULL, true, 1);
	result = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	rp_finish();
	return result;
}

Datum
rp_get_profile(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *user_id = rp_uuid_arg(fcinfo, 0, "user_id");
	pg_uuid_t  *viewer = PG_ARGISNULL(1) ? NULL : rp_uuid_arg(fcinfo, 1, "viewer");
	ProfileLookup lookup;

	InitMaterializedSRF(fcinfo, 0);
	lookup_begin(&lookup, viewer != NULL);
	put_profile(&lookup, (ReturnSetInfo *) fcinfo->resultinfo, user_id, viewer);
	lookup_end(&lookup);
	return (Datum) 0;
}

/* The ids of a get_profiles call, checked: one-dimensional, no null, no nil uuid. */
static Datum *
check_user_ids(ArrayType *ids, int *count)
{
	Datum	   *elems;
	bool	   *elem_nulls;
	int			n;

	if (ARR_NDIM(ids) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("user_ids must be a one-dimensional array")));
	deconstruct_array(ids, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR, &elems, &elem_nulls, &n);
	for (int i = 0; i < n; i++)
	{
		if (elem_nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("user_ids must not contain null")));
		rp_check_uuid(DatumGetUUIDP(elems[i]), "user_ids");
	}
	*count = n;
	return elems;
}

/* In the order given; unknown ids are skipped, repeated ids repeat their row. */
Datum
rp_get_profiles(PG_FUNCTION_ARGS)
{
	Datum	   *ids;
	int			n;
	pg_uuid_t  *viewer;
	ProfileLookup lookup;

	rp_require_not_null(fcinfo, 0, "user_ids");
	ids = check_user_ids(PG_GETARG_ARRAYTYPE_P(0), &n);
	viewer = PG_ARGISNULL(1) ? NULL : rp_uuid_arg(fcinfo, 1, "viewer");
	InitMaterializedSRF(fcinfo, 0);
	lookup_begin(&lookup, viewer != NULL);
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		put_profile(&lookup, (ReturnSetInfo *) fcinfo->resultinfo, DatumGetUUIDP(ids[i]), viewer);
	}
	lookup_end(&lookup);
	return (Datum) 0;
}

/*
 * By username, case-insensitively: the id from the username index, then the
 * same probe and masking as get_profile. Schema 1.0 declares no viewer
 * argument; 1.1's viewer is the second.
 */
Datum
rp_find_profile_by_username(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[1] = {TEXTOID};
	Datum		values[1];
	pg_uuid_t  *viewer = NULL;
	pg_uuid_t	found;
	bool		exists;
	ProfileLookup lookup;

	rp_require_not_null(fcinfo, 0, "username");
	if (PG_NARGS() > 1 && !PG_ARGISNULL(1))
		viewer = rp_uuid_arg(fcinfo, 1, "viewer");
	values[0] = PG_GETARG_DATUM(0);
	InitMaterializedSRF(fcinfo, 0);
	rp_connect();
	rp_exec(rp_plan(&plan, "SELECT user_id FROM profile.profiles WHERE lower(username) = lower($1)", 1, argtypes),
			values, NULL, true, 1);
	exists = SPI_processed == 1;
	if (exists)
	{
		bool		isnull;

		found = *DatumGetUUIDP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	rp_finish();
	if (!exists)
		return (Datum) 0;
	lookup_begin(&lookup, viewer != NULL);
	put_profile(&lookup, (ReturnSetInfo *) fcinfo->resultinfo, &found, viewer);
	lookup_end(&lookup);
	return (Datum) 0;
}

Datum
rp_list_contacts(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr first_page = NULL;
	static SPIPlanPtr next_page = NULL;
	static const Oid argtypes[4] = {UUIDOID, BOOLOID, INT4OID, UUIDOID};
	Datum		values[4];

#define LIST_CONTACTS_SQL(after) \
	"SELECT c.contact_user_id, c.nickname, c.is_favorite, p.username, p.display_name, p.avatar_url," \
	" CASE WHEN b.user_id IS NULL THEN p.status ELSE 'offline'::profile.presence END," \
	" CASE WHEN b.user_id IS NULL THEN p.last_seen END" \
	" FROM profile.contacts c" \
	" JOIN profile.profiles p ON p.user_id = c.contact_user_id" \
	" LEFT JOIN profile.blocks b ON b.user_id = c.contact_user_id AND b.blocked_user_id = c.user_id" \
	" WHERE c.user_id = $1 AND (NOT $2 OR c.is_favorite)" after \
	" ORDER BY c.contact_user_id LIMIT $3"

	values[0] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 0, "user_id"));
	values[1] = BoolGetDatum(!PG_ARGISNULL(1) && PG_GETARG_BOOL(1));
	rp_check_limit_arg(fcinfo, 3);
	values[2] = PG_GETARG_DATUM(3);
	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(2))
		run_into_result_set(fcinfo, &first_page, LIST_CONTACTS_SQL(""), 3, argtypes, values);
	else
	{
		values[3] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 2, "after"));
		run_into_result_set(fcinfo, &next_page, LIST_CONTACTS_SQL(" AND c.contact_user_id > $4"),
							4, argtypes, values);
	}
	return (Datum) 0;
}

Datum
rp_list_blocks(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr first_page = NULL;
	static SPIPlanPtr next_page = NULL;
	static const Oid argtypes[3] = {UUIDOID, INT4OID, UUIDOID};
	Datum		values[3];

	values[0] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 0, "user_id"));
	rp_check_limit_arg(fcinfo, 2);
	values[1] = PG_GETARG_DATUM(2);
	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(1))
		run_into_result_set(fcinfo, &first_page,
							"SELECT * FROM profile.blocks WHERE user_id = $1 ORDER BY blocked_user_id LIMIT $2",
							2, argtypes, values);
	else
	{
		values[2] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 1, "after"));
		run_into_result_set(fcinfo, &next_page,
							"SELECT * FROM profile.blocks WHERE user_id = $1 AND blocked_user_id > $3"
							" ORDER BY blocked_user_id LIMIT $2",
							3, argtypes, values);
	}
	return (Datum) 0;
}

Datum
rp_is_blocked(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	Datum		values[2];

	values[0] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 0, "user_id"));
	values[1] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 1, "other"));
	PG_RETURN_BOOL(run_boolean(&plan,
							   "SELECT EXISTS (SELECT 1 FROM profile.blocks WHERE user_id = $1 AND blocked_user_id = $2)",
							   values));
}

Datum
rp_can_interact(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	Datum		values[2];

	values[0] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 0, "a"));
	values[1] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 1, "b"));
	PG_RETURN_BOOL(run_boolean(&plan,
							   "SELECT EXISTS (SELECT 1 FROM profile.profiles WHERE user_id = $1)"
							   " AND EXISTS (SELECT 1 FROM profile.profiles WHERE user_id = $2)"
							   " AND NOT EXISTS (SELECT 1 FROM profile.blocks"
							   "  WHERE (user_id = $1 AND blocked_user_id = $2)"
							   "     OR (user_id = $2 AND blocked_user_id = $1))",
							   values));
}
