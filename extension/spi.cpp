/*
 * spi.cpp: the extension's own SQL, prepared once per backend and always run
 * with pg_catalog as the only search path. A plan re-parses when the search
 * path differs from the one it was made with, so the path is pinned both
 * when preparing and when executing.
 */
#include "pg_glue.h"

extern "C" {
#include "catalog/namespace.h"
#include "executor/tstoreReceiver.h"
#include "nodes/params.h"
}

void
rp_connect(void)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "realchat_profile: SPI_connect failed");
}

void
rp_finish(void)
{
	SPI_finish();
}

SPIPlanPtr
rp_plan(SPIPlanPtr *slot, const char *sql, int nargs, const Oid *argtypes)
{
	SPIPlanPtr	plan;
	int			path_level;

	if (*slot != NULL)
		return *slot;
	path_level = rp_pin_search_path();
	PG_TRY();
	{
		plan = SPI_prepare(sql, nargs, (Oid *) argtypes);
	}
	PG_FINALLY();
	{
		rp_unpin_search_path(path_level);
	}
	PG_END_TRY();
	if (plan == NULL)
		elog(ERROR, "realchat_profile: cannot prepare \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "realchat_profile: SPI_keepplan failed");
	*slot = plan;
	return plan;
}

int
rp_exec(SPIPlanPtr plan, const Datum *values, const char *nulls, bool read_only, long count)
{
	int			rc;
	int			path_level;

	path_level = rp_pin_search_path();
	PG_TRY();
	{
		rc = SPI_execute_plan(plan, (Datum *) values, nulls, read_only, count);
	}
	PG_FINALLY();
	{
		rp_unpin_search_path(path_level);
	}
	PG_END_TRY();
	if (rc < 0)
		elog(ERROR, "realchat_profile: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	return rc;
}

/*
 * Runs a read-only plan straight into a set-returning function's result
 * tuplestore (materialize mode), with no SPI_tuptable copy of every row in
 * between. Returns the number of rows.
 */
uint64
rp_exec_into_result(SPIPlanPtr plan, int nargs, const Oid *argtypes, const Datum *values,
					FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ParamListInfo params = makeParamList(nargs);
	DestReceiver *dest = CreateTuplestoreDestReceiver();
	SPIExecuteOptions options = {};
	int			rc;
	int			path_level;

	for (int i = 0; i < nargs; i++)
	{
		params->params[i].value = values[i];
		params->params[i].isnull = false;
		params->params[i].pflags = PARAM_FLAG_CONST;
		params->params[i].ptype = argtypes[i];
	}
	SetTuplestoreDestReceiverParams(dest, rsinfo->setResult, rsinfo->econtext->ecxt_per_query_memory,
									false, NULL, NULL);
	options.params = params;
	options.read_only = true;
	options.dest = dest;
	path_level = rp_pin_search_path();
	PG_TRY();
	{
		rc = SPI_execute_plan_extended(plan, &options);
	}
	PG_FINALLY();
	{
		rp_unpin_search_path(path_level);
	}
	PG_END_TRY();
	dest->rDestroy(dest);
	if (rc < 0)
		elog(ERROR, "realchat_profile: SPI_execute_plan_extended failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}
