/* api_privacy.cpp: set_privacy. The profiles trigger writes PrivacyChanged, for hand-made
 * UPDATEs too; this function only issues the UPDATE. */
#include "pg_glue.h"

extern "C" {
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(rp_set_privacy);
}

Datum
rp_set_privacy(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[3] = {UUIDOID, get_fn_expr_argtype(fcinfo->flinfo, 1), BOOLOID};
	Datum		values[3];
	char		nulls[3];
	pg_uuid_t  *user_id = rp_uuid_arg(fcinfo, 0, "user_id");

	rp_args_to_params(fcinfo, 3, values, nulls);
	rp_connect();
	rp_exec(rp_plan(&plan,
					"UPDATE profile.profiles SET"
					" presence_audience = COALESCE($2, presence_audience),"
					" discoverable = COALESCE($3, discoverable)"
					" WHERE user_id = $1 RETURNING *",
					3, argtypes),
			values, nulls, false, 0);
	if (SPI_processed == 0)
		rp_raise_no_user(user_id);
	return rp_return_single_row(fcinfo, "set_privacy");
}
