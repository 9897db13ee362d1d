/*
 * api_presence.cpp: heartbeat and custom status. Like the other write
 * functions they only issue the UPDATE; the profiles trigger validates and
 * writes the events, so the same change made by hand behaves the same.
 */
#include "presence.h"

extern "C" {
PG_FUNCTION_INFO_V1(rp_heartbeat);
PG_FUNCTION_INFO_V1(rp_set_custom_status);
PG_FUNCTION_INFO_V1(rp_clear_custom_status);
}

/*
 * Activity: last_seen = now. The trigger returns an idle-away user to their
 * status; the common case, nothing but last_seen, is written in place.
 */
static Datum
heartbeat_call(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[1] = {UUIDOID};
	pg_uuid_t  *user_id = rp_uuid_arg(fcinfo, 0, "user_id");
	Datum		values[1] = {UUIDPGetDatum(user_id)};
	Datum		row;

	if (rp_plain_heartbeat(user_id, &row))
		PG_RETURN_DATUM(row);
	rp_connect();
	rp_exec(rp_plan(&plan,
					"UPDATE profile.profiles SET last_seen = clock_timestamp() WHERE user_id = $1 RETURNING *",
					1, argtypes),
			values, NULL, false, 0);
	if (SPI_processed == 0)
		rp_raise_no_user(user_id);
	return rp_return_single_row(fcinfo, "heartbeat");
}

/* Declared without SET search_path: pinned here for the whole call (rp_call_pinned). */
Datum
rp_heartbeat(PG_FUNCTION_ARGS)
{
	return rp_call_pinned(heartbeat_call, fcinfo);
}

Datum
rp_set_custom_status(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[4] = {UUIDOID, TEXTOID, TEXTOID, TIMESTAMPTZOID};
	Datum		values[4];
	char		nulls[4];
	pg_uuid_t  *user_id = rp_uuid_arg(fcinfo, 0, "user_id");

	rp_args_to_params(fcinfo, 4, values, nulls);
	rp_connect();
	rp_exec(rp_plan(&plan,
					"UPDATE profile.profiles SET status_text = $2, status_emoji = $3, status_expires_at = $4"
					" WHERE user_id = $1 RETURNING *",
					4, argtypes),
			values, nulls, false, 0);
	if (SPI_processed == 0)
		rp_raise_no_user(user_id);
	return rp_return_single_row(fcinfo, "set_custom_status");
}

Datum
rp_clear_custom_status(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[1] = {UUIDOID};
	pg_uuid_t  *user_id = rp_uuid_arg(fcinfo, 0, "user_id");
	Datum		values[1] = {UUIDPGetDatum(user_id)};

	rp_connect();
	rp_exec(rp_plan(&plan,
					"UPDATE profile.profiles SET status_text = NULL, status_emoji = NULL, status_expires_at = NULL"
					" WHERE user_id = $1 RETURNING *",
					1, argtypes),
			values, NULL, false, 0);
	if (SPI_processed == 0)
		rp_raise_no_user(user_id);
	return rp_return_single_row(fcinfo, "clear_custom_status");
}
