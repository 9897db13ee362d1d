/*
 * expire_mutes.cpp: run_expiry's kind 'mutes' (see mutes.h).
 *
 * Locks are taken in the API's order, the owner's profile row before the mute row, so expiry
 * and mute_user never wait on each other in opposite orders; the owner's row is taken with
 * SKIP LOCKED, so expiry never waits at all and concurrent runs share the work.
 */
#include "mutes.h"

extern "C" {
#include "miscadmin.h"
}

int64
rp_expire_mutes(int batch)
{
	static SPIPlanPtr candidates_plan = NULL;
	static SPIPlanPtr lock_plan = NULL;
	static SPIPlanPtr delete_plan = NULL;
	static const Oid candidate_types[1] = {INT4OID};
	static const Oid pair_types[2] = {UUIDOID, UUIDOID};
	Datum		limit[1] = {Int32GetDatum(batch)};
	int64		expired = 0;
	SPITupleTable *rows;
	uint64		count;

	if (batch <= 0)
		return 0;
	rp_connect();
	rp_exec(rp_plan(&candidates_plan,
					"SELECT user_id, muted_user_id FROM profile.mutes"
					" WHERE expires_at IS NOT NULL AND expires_at <= now()"
					" ORDER BY expires_at LIMIT $1",
					1, candidate_types),
			limit, NULL, true, 0);
	rows = SPI_tuptable;
	count = SPI_processed;
	rp_mutes_set_expiring(true);
	PG_TRY();
	{
		for (uint64 i = 0; i < count; i++)
		{
			bool		isnull;
			Datum		pair[2];

			CHECK_FOR_INTERRUPTS();
			pair[0] = SPI_getbinval(rows->vals[i], rows->tupdesc, 1, &isnull);
			pair[1] = SPI_getbinval(rows->vals[i], rows->tupdesc, 2, &isnull);
			rp_exec(rp_plan(&lock_plan,
							"SELECT 1 FROM profile.profiles WHERE user_id = $1 FOR NO KEY UPDATE SKIP LOCKED",
							1, pair_types),
					pair, NULL, false, 0);
			if (SPI_processed == 0)
				continue;
			/* Checked again under the lock: muted again meanwhile, or already gone. */
			rp_exec(rp_plan(&delete_plan,
							"DELETE FROM profile.mutes WHERE user_id = $1 AND muted_user_id = $2"
							" AND expires_at IS NOT NULL AND expires_at <= now()",
							2, pair_types),
					pair, NULL, false, 0);
			expired += (int64) SPI_processed;
		}
	}
	PG_FINALLY();
	{
		rp_mutes_set_expiring(false);
	}
	PG_END_TRY();
	rp_finish();
	return expired;
}

/*
 * The same as a C-language SQL function, for operators' scripts and tests until run_expiry
 * dispatches to it; the extension declares no SQL function for it.
 */
extern "C" {
PG_FUNCTION_INFO_V1(rp_expire_mutes_batch);
}

Datum
rp_expire_mutes_batch(PG_FUNCTION_ARGS)
{
	rp_require_not_null(fcinfo, 0, "batch");
	PG_RETURN_INT64(rp_expire_mutes(PG_GETARG_INT32(0)));
}
