/*
 * spi.cpp: the extension's own SQL, prepared once per backend and always run
 * with pg_catalog as the only search path. A plan re-parses when the search
 * path differs from the one it was made with, so the override is pushed both
 * when preparing and when executing.
 */
#include "pg_glue.h"

extern "C" {
#include "catalog/namespace.h"
#include "executor/tstoreReceiver.h"
#include "nodes/params.h"
}

static void
push_catalog_only_path(void)
{
	OverrideSearchPath path = {};

	path.schemas = NIL;
	path.addCatalog = true;
	path.addTemp = false;
	PushOverrideSearchPath(&path);
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

	if (*slot != NULL)
		return *slot;
	push_catalog_only_path();
	PG_TRY();
	{
		plan = SPI_prepare(sql, nargs, (Oid *) argtypes);
	}
	PG_FINALLY();
	{
		PopOverrideSearchPath();
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

	push_catalog_only_path();
	PG_TRY();
	{
		rc = SPI_execute_plan(plan, (Datum *) values, nulls, read_only, count);
	}
	PG_FINALLY();
	{
		PopOverrideSearchPath();
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
	push_catalog_only_path();
	PG_TRY();
	{
		rc = SPI_execute_plan_extended(plan, &options);
	}
	PG_FINALLY();
	{
		PopOverrideSearchPath();
	}
	PG_END_TRY();
	dest->rDestroy(dest);
	if (rc < 0)
		elog(ERROR, "realchat_profile: SPI_execute_plan_extended failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}

/*
 * A read-only cursor over a plan, for reads that stop once they have enough rows; opened and
 * fetched with the same catalog-only search path as rp_exec.
 */
Portal
rp_cursor_open(SPIPlanPtr plan, const Datum *values, const char *nulls)
{
	Portal		portal;

	push_catalog_only_path();
	PG_TRY();
	{
		portal = SPI_cursor_open(NULL, plan, (Datum *) values, nulls, true);
	}
	PG_FINALLY();
	{
		PopOverrideSearchPath();
	}
	PG_END_TRY();
	return portal;
}

void
rp_cursor_fetch(Portal portal, long count)
{
	push_catalog_only_path();
	PG_TRY();
	{
		SPI_cursor_fetch(portal, true, count);
	}
	PG_FINALLY();
	{
		PopOverrideSearchPath();
	}
	PG_END_TRY();
}
