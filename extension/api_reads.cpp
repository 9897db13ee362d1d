/*
 * api_reads.cpp: the read functions. Every read that takes a viewer shows what the visibility
 * rules (core/visibility.h) leave: profile_view.cpp for profiles, list_contacts through the
 * same decision on facts its query reads.
 */
#include "profile_view.h"

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
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(rp_get_profile);
PG_FUNCTION_INFO_V1(rp_get_profiles);
PG_FUNCTION_INFO_V1(rp_find_profile_by_username);
PG_FUNCTION_INFO_V1(rp_list_contacts);
PG_FUNCTION_INFO_V1(rp_list_blocks);
PG_FUNCTION_INFO_V1(rp_is_blocked);
PG_FUNCTION_INFO_V1(rp_can_interact);
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

static Datum
get_profile_call(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *user_id = rp_uuid_arg(fcinfo, 0, "user_id");
	pg_uuid_t  *viewer = PG_ARGISNULL(1) ? NULL : rp_uuid_arg(fcinfo, 1, "viewer");
	ProfileView view;

	InitMaterializedSRF(fcinfo, 0);
	profile_view_begin(&view, viewer);
	profile_view_put(&view, (ReturnSetInfo *) fcinfo->resultinfo, user_id, READ_BY_ID);
	profile_view_end(&view);
	return (Datum) 0;
}

/* Declared without SET search_path: pinned here for the whole call (rp_call_pinned). */
Datum
rp_get_profile(PG_FUNCTION_ARGS)
{
	return rp_call_pinned(get_profile_call, fcinfo);
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
static Datum
get_profiles_call(PG_FUNCTION_ARGS)
{
	Datum	   *ids;
	int			n;
	pg_uuid_t  *viewer;
	ProfileView view;

	rp_require_not_null(fcinfo, 0, "user_ids");
	ids = check_user_ids(PG_GETARG_ARRAYTYPE_P(0), &n);
	viewer = PG_ARGISNULL(1) ? NULL : rp_uuid_arg(fcinfo, 1, "viewer");
	InitMaterializedSRF(fcinfo, 0);
	profile_view_begin(&view, viewer);
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		profile_view_put(&view, (ReturnSetInfo *) fcinfo->resultinfo, DatumGetUUIDP(ids[i]), READ_BY_ID);
	}
	profile_view_end(&view);
	return (Datum) 0;
}

/* Declared without SET search_path: pinned here for the whole call (rp_call_pinned). */
Datum
rp_get_profiles(PG_FUNCTION_ARGS)
{
	return rp_call_pinned(get_profiles_call, fcinfo);
}

/*
 * By username, case-insensitively: the id from the username index, then the
 * same probe and masking as get_profile, and rule 5: a user who is not
 * discoverable is found only by their contacts. Schema 1.0 declares no viewer
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
	ProfileView view;

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
	profile_view_begin(&view, viewer);
	profile_view_put(&view, (ReturnSetInfo *) fcinfo->resultinfo, &found, READ_BY_USERNAME);
	profile_view_end(&view);
	return (Datum) 0;
}

/*
 * list_contacts under schema 1.0: the block rule only, masked in the query. Kept for databases
 * whose schema has not been updated yet (no privacy columns).
 */
#define LIST_CONTACTS_1_0_SQL(after) \
	"SELECT c.contact_user_id, c.nickname, c.is_favorite, p.username, p.display_name, p.avatar_url," \
	" CASE WHEN b.user_id IS NULL THEN p.status ELSE 'offline'::profile.presence END," \
	" CASE WHEN b.user_id IS NULL THEN p.last_seen END" \
	" FROM profile.contacts c" \
	" JOIN profile.profiles p ON p.user_id = c.contact_user_id" \
	" LEFT JOIN profile.blocks b ON b.user_id = c.contact_user_id AND b.blocked_user_id = c.user_id" \
	" WHERE c.user_id = $1 AND (NOT $2 OR c.is_favorite)" after \
	" ORDER BY c.contact_user_id LIMIT $3"

/*
 * Schema 1.1: the stored fields and the facts of the rules for each contact (the list's owner
 * is the viewer), masked row by row through rp_visibility_decide like every other read.
 */
#define LIST_CONTACTS_SQL(after) \
	"SELECT c.contact_user_id, c.nickname, c.is_favorite, p.username, p.display_name, p.avatar_url," \
	" p.status, p.last_seen," \
	" EXISTS (SELECT 1 FROM profile.blocks b WHERE b.user_id = c.contact_user_id AND b.blocked_user_id = c.user_id)," \
	" EXISTS (SELECT 1 FROM profile.contacts r WHERE r.user_id = c.contact_user_id AND r.contact_user_id = c.user_id)," \
	" p.presence_audience::text, p.discoverable, p.status::text = 'invisible'," \
	" (SELECT v.presence_audience::text FROM profile.profiles v WHERE v.user_id = $1)" \
	" FROM profile.contacts c" \
	" JOIN profile.profiles p ON p.user_id = c.contact_user_id" \
	" WHERE c.user_id = $1 AND (NOT $2 OR c.is_favorite)" after \
	" ORDER BY c.contact_user_id LIMIT $3"

enum
{
	LC_CONTACT_USER_ID = 1, LC_STATUS = 7, LC_LAST_SEEN = 8, LC_OUTPUT_COLUMNS = 8,
	LC_OWNER_BLOCKS_VIEWER, LC_VIEWER_IN_CONTACTS, LC_AUDIENCE, LC_DISCOVERABLE, LC_INVISIBLE,
	LC_VIEWER_AUDIENCE
};

static rp_audience
audience_column(HeapTuple tuple, TupleDesc desc, int column)
{
	char	   *label = SPI_getvalue(tuple, desc, column);
	rp_audience audience = RP_AUDIENCE_EVERYONE;

	if (label != NULL && !rp_audience_parse(label, &audience))
		elog(ERROR, "realchat_profile: unknown profile.audience value \"%s\"", label);
	return audience;
}

static bool
bool_column(HeapTuple tuple, TupleDesc desc, int column)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tuple, desc, column, &isnull);

	return !isnull && DatumGetBool(d);
}

static void
put_masked_contacts(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SPITupleTable *rows = SPI_tuptable;
	uint64		count = SPI_processed;
	TupleDesc	desc = rows->tupdesc;
	Oid			presence_type = SPI_gettypeid(desc, LC_STATUS);
	Datum		values[LC_OUTPUT_COLUMNS];
	bool		nulls[LC_OUTPUT_COLUMNS];

	for (uint64 i = 0; i < count; i++)
	{
		HeapTuple	tuple = rows->vals[i];
		rp_visibility_facts f;
		rp_visibility v;
		pg_uuid_t	contact;

		memset(&f, 0, sizeof(f));
		f.owner_blocks_viewer = bool_column(tuple, desc, LC_OWNER_BLOCKS_VIEWER);
		f.viewer_in_owner_contacts = bool_column(tuple, desc, LC_VIEWER_IN_CONTACTS);
		f.owner_audience = audience_column(tuple, desc, LC_AUDIENCE);
		f.owner_discoverable = bool_column(tuple, desc, LC_DISCOVERABLE);
		f.owner_invisible = bool_column(tuple, desc, LC_INVISIBLE);
		f.viewer_audience = audience_column(tuple, desc, LC_VIEWER_AUDIENCE);
		v = rp_visibility_decide(&f);
		for (int c = 0; c < LC_OUTPUT_COLUMNS; c++)
			values[c] = SPI_getbinval(tuple, desc, c + 1, &nulls[c]);
		contact = *DatumGetUUIDP(values[LC_CONTACT_USER_ID - 1]);
		rp_mask_presence(&v, &contact, presence_type, &values[LC_STATUS - 1], &nulls[LC_STATUS - 1],
						 &values[LC_LAST_SEEN - 1], &nulls[LC_LAST_SEEN - 1]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

static bool
profiles_have_privacy_columns(void)
{
	RangeVar   *rv = makeRangeVar((char *) "profile", (char *) "profiles", -1);

	return get_attnum(RangeVarGetRelid(rv, AccessShareLock, false), "presence_audience") != InvalidAttrNumber;
}

Datum
rp_list_contacts(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr first_page_1_0 = NULL;
	static SPIPlanPtr next_page_1_0 = NULL;
	static SPIPlanPtr first_page = NULL;
	static SPIPlanPtr next_page = NULL;
	static const Oid argtypes[4] = {UUIDOID, BOOLOID, INT4OID, UUIDOID};
	Datum		values[4];
	int			nargs = 3;
	SPIPlanPtr	plan;

	values[0] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 0, "user_id"));
	values[1] = BoolGetDatum(!PG_ARGISNULL(1) && PG_GETARG_BOOL(1));
	rp_check_limit_arg(fcinfo, 3);
	values[2] = PG_GETARG_DATUM(3);
	if (!PG_ARGISNULL(2))
	{
		values[3] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 2, "after"));
		nargs = 4;
	}
	InitMaterializedSRF(fcinfo, 0);
	if (!profiles_have_privacy_columns())
	{
		if (nargs == 3)
			run_into_result_set(fcinfo, &first_page_1_0, LIST_CONTACTS_1_0_SQL(""), 3, argtypes, values);
		else
			run_into_result_set(fcinfo, &next_page_1_0, LIST_CONTACTS_1_0_SQL(" AND c.contact_user_id > $4"),
								4, argtypes, values);
		return (Datum) 0;
	}
	rp_connect();
	if (nargs == 3)
		plan = rp_plan(&first_page, LIST_CONTACTS_SQL(""), 3, argtypes);
	else
		plan = rp_plan(&next_page, LIST_CONTACTS_SQL(" AND c.contact_user_id > $4"), 4, argtypes);
	rp_exec(plan, values, NULL, true, 0);
	put_masked_contacts(fcinfo);
	rp_finish();
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
