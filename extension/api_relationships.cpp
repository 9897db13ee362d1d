/*
 * api_relationships.cpp: relationships(user_id, others), what user_id's own lists say about
 * each other user. contact_of cannot reveal a block: blocking removes the blocked user from
 * the blocker's contacts and forbids adding them back, so a blocker never lists user_id.
 */
#include "pg_glue.h"

extern "C" {
#include "utils/array.h"

PG_FUNCTION_INFO_V1(rp_relationships);
}

#define MAX_OTHERS 1000

static void
check_others(ArrayType *others)
{
	Datum	   *elems;
	bool	   *elem_nulls;
	int			n;

	if (ARR_NDIM(others) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("others must be a one-dimensional array")));
	deconstruct_array(others, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR, &elems, &elem_nulls, &n);
	if (n > MAX_OTHERS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("others must hold at most %d users (got %d)", MAX_OTHERS, n)));
	for (int i = 0; i < n; i++)
	{
		if (elem_nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("others must not contain null")));
		rp_check_uuid(DatumGetUUIDP(elems[i]), "others");
	}
}

/* One row per distinct existing user, at the position of its first occurrence. */
static Datum
relationships_call(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[2] = {UUIDOID, UUIDARRAYOID};
	Datum		values[2];

	values[0] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 0, "user_id"));
	rp_require_not_null(fcinfo, 1, "others");
	check_others(PG_GETARG_ARRAYTYPE_P(1));
	values[1] = PG_GETARG_DATUM(1);
	InitMaterializedSRF(fcinfo, 0);
	rp_connect();
	rp_exec_into_result(rp_plan(&plan,
								"SELECT o.id, c.user_id IS NOT NULL, COALESCE(c.is_favorite, false),"
								" EXISTS (SELECT 1 FROM profile.contacts r WHERE r.user_id = o.id AND r.contact_user_id = $1),"
								" EXISTS (SELECT 1 FROM profile.blocks b WHERE b.user_id = $1 AND b.blocked_user_id = o.id),"
								" m.user_id IS NOT NULL, m.expires_at"
								" FROM (SELECT id, min(ord) AS ord FROM unnest($2) WITH ORDINALITY AS t(id, ord) GROUP BY id) o"
								" JOIN profile.profiles p ON p.user_id = o.id"
								" LEFT JOIN profile.contacts c ON c.user_id = $1 AND c.contact_user_id = o.id"
								" LEFT JOIN profile.mutes m ON m.user_id = $1 AND m.muted_user_id = o.id"
								"  AND (m.expires_at IS NULL OR m.expires_at > now())"
								" ORDER BY o.ord",
								2, argtypes),
						2, argtypes, values, fcinfo);
	rp_finish();
	return (Datum) 0;
}

/* Declared without SET search_path: pinned here for the whole call (rp_call_pinned). */
Datum
rp_relationships(PG_FUNCTION_ARGS)
{
	return rp_call_pinned(relationships_call, fcinfo);
}
