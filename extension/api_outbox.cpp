/* api_outbox.cpp: outbox_stats, purge_outbox and next_xid, for operators and the publisher. */
#include "pg_glue.h"

extern "C" {
#include "access/transam.h"
#include "miscadmin.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"

PG_FUNCTION_INFO_V1(rp_outbox_stats);
PG_FUNCTION_INFO_V1(rp_purge_outbox);
PG_FUNCTION_INFO_V1(rp_next_xid);
}

Datum
rp_next_xid(PG_FUNCTION_ARGS)
{
	PG_RETURN_FULLTRANSACTIONID(ReadNextFullTransactionId());
}

/* Rows per DELETE, so that a purge never holds a huge batch in one statement. */
#define PURGE_BATCH 5000

Datum
rp_outbox_stats(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;

	InitMaterializedSRF(fcinfo, 0);
	rp_connect();
	rp_exec(rp_plan(&plan,
					"SELECT"
					" (SELECT count(*) FROM profile.outbox WHERE published_at IS NULL AND quarantined_at IS NULL),"
					" now() - (SELECT min(created_at) FROM profile.outbox"
					"          WHERE published_at IS NULL AND quarantined_at IS NULL),"
					" (SELECT count(*) FROM profile.outbox WHERE published_at IS NOT NULL),"
					" (SELECT count(*) FROM profile.outbox WHERE published_at IS NULL AND quarantined_at IS NOT NULL)",
					0, NULL),
			NULL, NULL, true, 1);
	rp_materialize_spi_result(fcinfo);
	rp_finish();
	return (Datum) 0;
}

Datum
rp_purge_outbox(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[2] = {INTERVALOID, INT4OID};
	Interval	zero = {};
	Datum		values[2];
	int64		purged = 0;
	uint64		batch;

	rp_require_not_null(fcinfo, 0, "older_than");
	if (DatumGetBool(DirectFunctionCall2(interval_lt, PG_GETARG_DATUM(0), IntervalPGetDatum(&zero))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("older_than must not be negative")));
	values[0] = PG_GETARG_DATUM(0);
	values[1] = Int32GetDatum(PURGE_BATCH);
	rp_connect();
	do
	{
		CHECK_FOR_INTERRUPTS();
		rp_exec(rp_plan(&plan,
						"DELETE FROM profile.outbox WHERE id IN ("
						" SELECT id FROM profile.outbox WHERE published_at < now() - $1"
						" ORDER BY published_at LIMIT $2)",
						2, argtypes),
				values, NULL, false, 0);
		batch = SPI_processed;
		purged += batch;
	} while (batch == PURGE_BATCH);
	rp_finish();
	PG_RETURN_INT64(purged);
}
