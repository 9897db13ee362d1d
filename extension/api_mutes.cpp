/*
 * api_mutes.cpp: mute_user, unmute_user, list_mutes, is_muted. The mutes trigger validates
 * and writes the events; expired mutes count as absent everywhere until expiry removes them.
 */
#include "row_locks.h"

extern "C" {
PG_FUNCTION_INFO_V1(rp_mute_user);
PG_FUNCTION_INFO_V1(rp_unmute_user);
PG_FUNCTION_INFO_V1(rp_list_mutes);
PG_FUNCTION_INFO_V1(rp_is_muted);
}

/* Muting again changes expires_at: under the owner's lock the row either exists or not. */
Datum
rp_mute_user(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr update_plan = NULL;
	static SPIPlanPtr insert_plan = NULL;
	static const Oid argtypes[3] = {UUIDOID, UUIDOID, TIMESTAMPTZOID};
	Datum		values[3];
	char		nulls[3];
	pg_uuid_t  *owner = rp_uuid_arg(fcinfo, 0, "user_id");
	pg_uuid_t  *muted = rp_uuid_arg(fcinfo, 1, "muted_user_id");

	rp_lock_owner_and_other(owner, muted);
	rp_args_to_params(fcinfo, 3, values, nulls);
	rp_connect();
	rp_exec(rp_plan(&update_plan,
					"UPDATE profile.mutes SET expires_at = $3 WHERE user_id = $1 AND muted_user_id = $2 RETURNING *",
					3, argtypes),
			values, nulls, false, 0);
	if (SPI_processed == 0)
		rp_exec(rp_plan(&insert_plan,
						"INSERT INTO profile.mutes (user_id, muted_user_id, expires_at) VALUES ($1, $2, $3) RETURNING *",
						3, argtypes),
				values, nulls, false, 0);
	return rp_return_single_row(fcinfo, "mute_user");
}

Datum
rp_unmute_user(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[2] = {UUIDOID, UUIDOID};
	Datum		values[2];
	bool		deleted;
	pg_uuid_t  *owner = rp_uuid_arg(fcinfo, 0, "user_id");

	values[0] = UUIDPGetDatum(owner);
	values[1] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 1, "muted_user_id"));
	rp_lock_owner(owner);
	rp_connect();
	rp_exec(rp_plan(&plan, "DELETE FROM profile.mutes WHERE user_id = $1 AND muted_user_id = $2", 2, argtypes),
			values, NULL, false, 0);
	deleted = SPI_processed > 0;
	rp_finish();
	PG_RETURN_BOOL(deleted);
}

Datum
rp_list_mutes(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr first_page = NULL;
	static SPIPlanPtr next_page = NULL;
	static const Oid argtypes[3] = {UUIDOID, INT4OID, UUIDOID};
	Datum		values[3];

	values[0] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 0, "user_id"));
	rp_check_limit_arg(fcinfo, 2);
	values[1] = PG_GETARG_DATUM(2);
	InitMaterializedSRF(fcinfo, 0);
	rp_connect();
	if (PG_ARGISNULL(1))
		rp_exec_into_result(rp_plan(&first_page,
									"SELECT * FROM profile.mutes WHERE user_id = $1"
									" AND (expires_at IS NULL OR expires_at > now())"
									" ORDER BY muted_user_id LIMIT $2",
									2, argtypes),
							2, argtypes, values, fcinfo);
	else
	{
		values[2] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 1, "after"));
		rp_exec_into_result(rp_plan(&next_page,
									"SELECT * FROM profile.mutes WHERE user_id = $1 AND muted_user_id > $3"
									" AND (expires_at IS NULL OR expires_at > now())"
									" ORDER BY muted_user_id LIMIT $2",
									3, argtypes),
							3, argtypes, values, fcinfo);
	}
	rp_finish();
	return (Datum) 0;
}

Datum
rp_is_muted(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[2] = {UUIDOID, UUIDOID};
	Datum		values[2];
	bool		isnull;
	bool		result;

	values[0] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 0, "user_id"));
	values[1] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 1, "other"));
	rp_connect();
	rp_exec(rp_plan(&plan,
					"SELECT EXISTS (SELECT 1 FROM profile.mutes WHERE user_id = $1 AND muted_user_id = $2"
					" AND (expires_at IS NULL OR expires_at > now()))",
					2, argtypes),
			values, NULL, true, 1);
	result = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	rp_finish();
	PG_RETURN_BOOL(result);
}
