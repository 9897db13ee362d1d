/* api_profiles.cpp: the profile write functions. Validation, versions and
 * events happen in the profiles trigger, so hand-made DML behaves the same. */
#include "presence.h"
#include "row_locks.h"

extern "C" {
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(rp_create_profile);
PG_FUNCTION_INFO_V1(rp_update_profile);
PG_FUNCTION_INFO_V1(rp_set_status);
PG_FUNCTION_INFO_V1(rp_delete_profile);
PG_FUNCTION_INFO_V1(rp_delete_profile_1_1);
}

Datum
rp_create_profile(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[5] = {UUIDOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[5];
	char		nulls[5];
	pg_uuid_t  *user_id = rp_uuid_arg(fcinfo, 0, "user_id");

	rp_require_not_null(fcinfo, 1, "username");
	rp_require_not_null(fcinfo, 2, "display_name");
	rp_args_to_params(fcinfo, 5, values, nulls);
	rp_connect();
	/* The primary key decides between two creators of one user (the loser waits for the
	 * winner's commit); the trigger does not, since it cannot see an uncommitted row. */
	rp_exec(rp_plan(&plan,
					"INSERT INTO profile.profiles (user_id, username, display_name, bio, avatar_url)"
					" VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO NOTHING RETURNING *",
					5, argtypes),
			values, nulls, false, 0);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("user %s already exists", rp_uuid_text(user_id))));
	return rp_return_single_row(fcinfo, "create_profile");
}

static Datum
update_profile_call(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[5] = {UUIDOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[5];
	char		nulls[5];
	pg_uuid_t  *user_id = rp_uuid_arg(fcinfo, 0, "user_id");

	rp_args_to_params(fcinfo, 5, values, nulls);
	rp_connect();
	rp_exec(rp_plan(&plan,
					"UPDATE profile.profiles SET"
					" username = COALESCE($2, username),"
					" display_name = COALESCE($3, display_name),"
					" bio = COALESCE($4, bio),"
					" avatar_url = CASE WHEN $5 IS NULL THEN avatar_url WHEN $5 = '' THEN NULL ELSE $5 END"
					" WHERE user_id = $1 RETURNING *",
					5, argtypes),
			values, nulls, false, 0);
	if (SPI_processed == 0)
		rp_raise_no_user(user_id);
	return rp_return_single_row(fcinfo, "update_profile");
}

/* Declared without SET search_path: pinned here for the whole call (rp_call_pinned). */
Datum
rp_update_profile(PG_FUNCTION_ARGS)
{
	return rp_call_pinned(update_profile_call, fcinfo);
}

Datum
rp_set_status(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {UUIDOID, get_fn_expr_argtype(fcinfo->flinfo, 1)};
	Datum		values[2];
	char		nulls[2];
	pg_uuid_t  *user_id = rp_uuid_arg(fcinfo, 0, "user_id");

	rp_require_not_null(fcinfo, 1, "status");
	rp_args_to_params(fcinfo, 2, values, nulls);
	rp_connect();
	/* Going offline sets last_seen in the trigger; any other status sets it here,
	 * even when unchanged (a heartbeat, which emits no event). The cause tells the
	 * 1.1 trigger that the status was set on purpose (idleness no longer undoes it). */
	rp_exec_with_cause(RP_CAUSE_SET,
					   rp_plan(&plan,
							   "UPDATE profile.profiles SET status = $2,"
							   " last_seen = CASE WHEN $2 <> 'offline' THEN clock_timestamp() ELSE last_seen END"
							   " WHERE user_id = $1 RETURNING *",
							   2, argtypes),
					   values, nulls, 0);
	if (SPI_processed == 0)
		rp_raise_no_user(user_id);
	return rp_return_single_row(fcinfo, "set_status");
}

static Datum
delete_profile(FunctionCallInfo fcinfo, bool with_mutes)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[1] = {UUIDOID};
	Datum		values[1];
	bool		deleted;
	pg_uuid_t  *user_id = rp_uuid_arg(fcinfo, 0, "user_id");

	values[0] = UUIDPGetDatum(user_id);
	rp_lock_for_delete(user_id, with_mutes);
	rp_connect();
	rp_exec(rp_plan(&plan, "DELETE FROM profile.profiles WHERE user_id = $1", 1, argtypes),
			values, NULL, false, 0);
	deleted = SPI_processed > 0;
	rp_finish();
	PG_RETURN_BOOL(deleted);
}

/* Schema 1.0, which has no mutes. */
Datum
rp_delete_profile(PG_FUNCTION_ARGS)
{
	return delete_profile(fcinfo, false);
}

Datum
rp_delete_profile_1_1(PG_FUNCTION_ARGS)
{
	return delete_profile(fcinfo, true);
}
