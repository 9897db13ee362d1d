/*
 * api_reads.cpp: the read functions. Block enforcement: while A blocks B, B
 * sees A offline with no last_seen; the joins below mask exactly that.
 */
#include "pg_glue.h"

extern "C" {
#include "utils/array.h"

PG_FUNCTION_INFO_V1(rp_get_profile);
PG_FUNCTION_INFO_V1(rp_get_profiles);
PG_FUNCTION_INFO_V1(rp_find_profile_by_username);
PG_FUNCTION_INFO_V1(rp_list_contacts);
PG_FUNCTION_INFO_V1(rp_list_blocks);
PG_FUNCTION_INFO_V1(rp_is_blocked);
PG_FUNCTION_INFO_V1(rp_can_interact);
}

/* profiles columns as a viewer sees them; b is the owner's block of the viewer. */
#define MASKED_PROFILE_COLUMNS \
	"p.user_id, p.username, p.display_name, p.bio, p.avatar_url," \
	" CASE WHEN b.user_id IS NULL THEN p.status ELSE 'offline'::profile.presence END," \
	" CASE WHEN b.user_id IS NULL THEN p.last_seen END," \
	" p.version, p.created_at, p.updated_at"

static void
run_into_result_set(FunctionCallInfo fcinfo, SPIPlanPtr *slot, const char *sql,
					int nargs, const Oid *argtypes, const Datum *values)
{
	rp_connect();
	rp_exec(rp_plan(slot, sql, nargs, argtypes), values, NULL, true, 0);
	rp_materialize_spi_result(fcinfo);
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
	static SPIPlanPtr plain = NULL;
	static SPIPlanPtr viewed = NULL;
	static const Oid argtypes[2] = {UUIDOID, UUIDOID};
	Datum		values[2];

	values[0] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 0, "user_id"));
	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(1))
		run_into_result_set(fcinfo, &plain, "SELECT * FROM profile.profiles WHERE user_id = $1",
							1, argtypes, values);
	else
	{
		values[1] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 1, "viewer"));
		run_into_result_set(fcinfo, &viewed,
							"SELECT " MASKED_PROFILE_COLUMNS " FROM profile.profiles p"
							" LEFT JOIN profile.blocks b ON b.user_id = p.user_id AND b.blocked_user_id = $2"
							" WHERE p.user_id = $1",
							2, argtypes, values);
	}
	return (Datum) 0;
}

static void
check_user_ids(ArrayType *ids)
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
}

Datum
rp_get_profiles(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plain = NULL;
	static SPIPlanPtr viewed = NULL;
	static const Oid argtypes[2] = {UUIDARRAYOID, UUIDOID};
	Datum		values[2];

	rp_require_not_null(fcinfo, 0, "user_ids");
	check_user_ids(PG_GETARG_ARRAYTYPE_P(0));
	values[0] = PG_GETARG_DATUM(0);
	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(1))
		run_into_result_set(fcinfo, &plain,
							"SELECT p.* FROM unnest($1) WITH ORDINALITY AS u(id, ord)"
							" JOIN profile.profiles p ON p.user_id = u.id ORDER BY u.ord",
							1, argtypes, values);
	else
	{
		values[1] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 1, "viewer"));
		run_into_result_set(fcinfo, &viewed,
							"SELECT " MASKED_PROFILE_COLUMNS
							" FROM unnest($1) WITH ORDINALITY AS u(id, ord)"
							" JOIN profile.profiles p ON p.user_id = u.id"
							" LEFT JOIN profile.blocks b ON b.user_id = p.user_id AND b.blocked_user_id = $2"
							" ORDER BY u.ord",
							2, argtypes, values);
	}
	return (Datum) 0;
}

Datum
rp_find_profile_by_username(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[1] = {TEXTOID};
	Datum		values[1];

	rp_require_not_null(fcinfo, 0, "username");
	values[0] = PG_GETARG_DATUM(0);
	InitMaterializedSRF(fcinfo, 0);
	run_into_result_set(fcinfo, &plan, "SELECT * FROM profile.profiles WHERE lower(username) = lower($1)",
						1, argtypes, values);
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
