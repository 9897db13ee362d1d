/* api_lists.cpp: contact and block write functions. The triggers on
 * profile.contacts and profile.blocks do the checks and write the events. */
#include "row_locks.h"

extern "C" {
PG_FUNCTION_INFO_V1(rp_add_contact);
PG_FUNCTION_INFO_V1(rp_update_contact);
PG_FUNCTION_INFO_V1(rp_remove_contact);
PG_FUNCTION_INFO_V1(rp_block_user);
PG_FUNCTION_INFO_V1(rp_unblock_user);
}

static bool
delete_pair(SPIPlanPtr *slot, const char *sql, FunctionCallInfo fcinfo, const char *other_name)
{
	static const Oid argtypes[2] = {UUIDOID, UUIDOID};
	Datum		values[2];
	bool		deleted;
	pg_uuid_t  *owner = rp_uuid_arg(fcinfo, 0, "user_id");

	values[0] = UUIDPGetDatum(owner);
	values[1] = UUIDPGetDatum(rp_uuid_arg(fcinfo, 1, other_name));
	rp_lock_owner(owner);
	rp_connect();
	rp_exec(rp_plan(slot, sql, 2, argtypes), values, NULL, false, 0);
	deleted = SPI_processed > 0;
	rp_finish();
	return deleted;
}

Datum
rp_add_contact(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[4] = {UUIDOID, UUIDOID, TEXTOID, BOOLOID};
	Datum		values[4];
	char		nulls[4];
	pg_uuid_t  *owner = rp_uuid_arg(fcinfo, 0, "user_id");
	pg_uuid_t  *contact = rp_uuid_arg(fcinfo, 1, "contact_user_id");

	rp_lock_other_if_first(owner, contact);
	rp_args_to_params(fcinfo, 4, values, nulls);
	rp_connect();
	rp_exec(rp_plan(&plan,
					"INSERT INTO profile.contacts (user_id, contact_user_id, nickname, is_favorite)"
					" VALUES ($1, $2, $3, COALESCE($4, false)) RETURNING *",
					4, argtypes),
			values, nulls, false, 0);
	return rp_return_single_row(fcinfo, "add_contact");
}

Datum
rp_update_contact(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[4] = {UUIDOID, UUIDOID, TEXTOID, BOOLOID};
	Datum		values[4];
	char		nulls[4];
	pg_uuid_t  *user_id = rp_uuid_arg(fcinfo, 0, "user_id");
	pg_uuid_t  *contact = rp_uuid_arg(fcinfo, 1, "contact_user_id");

	rp_args_to_params(fcinfo, 4, values, nulls);
	rp_lock_owner(user_id);
	rp_connect();
	rp_exec(rp_plan(&plan,
					"UPDATE profile.contacts SET"
					" nickname = CASE WHEN $3 IS NULL THEN nickname WHEN $3 = '' THEN NULL ELSE $3 END,"
					" is_favorite = COALESCE($4, is_favorite)"
					" WHERE user_id = $1 AND contact_user_id = $2 RETURNING *",
					4, argtypes),
			values, nulls, false, 0);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("contact_user_id %s is not a contact of user %s",
						rp_uuid_text(contact), rp_uuid_text(user_id))));
	return rp_return_single_row(fcinfo, "update_contact");
}

Datum
rp_remove_contact(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;

	PG_RETURN_BOOL(delete_pair(&plan, "DELETE FROM profile.contacts WHERE user_id = $1 AND contact_user_id = $2",
							   fcinfo, "contact_user_id"));
}

Datum
rp_block_user(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[3] = {UUIDOID, UUIDOID, TEXTOID};
	Datum		values[3];
	char		nulls[3];
	pg_uuid_t  *owner = rp_uuid_arg(fcinfo, 0, "user_id");
	pg_uuid_t  *blocked = rp_uuid_arg(fcinfo, 1, "blocked_user_id");

	rp_lock_other_if_first(owner, blocked);
	rp_args_to_params(fcinfo, 3, values, nulls);
	rp_connect();
	rp_exec(rp_plan(&plan,
					"INSERT INTO profile.blocks (user_id, blocked_user_id, reason) VALUES ($1, $2, $3) RETURNING *",
					3, argtypes),
			values, nulls, false, 0);
	return rp_return_single_row(fcinfo, "block_user");
}

Datum
rp_unblock_user(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;

	PG_RETURN_BOOL(delete_pair(&plan, "DELETE FROM profile.blocks WHERE user_id = $1 AND blocked_user_id = $2",
							   fcinfo, "blocked_user_id"));
}
