/*
 * spi.cpp: the extension's own SQL, prepared once per backend and always run
 * with pg_catalog as the only search path. A plan re-parses when the search
 * path differs from the one it was made with, so the path is pinned both
 * when preparing and when executing.
 */
#include "pg_glue.h"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/tstoreReceiver.h"
#include "nodes/params.h"
#include "utils/memutils.h"
}

/*
 * Plans replaced in their slot, freed when the transaction ends: a replaced
 * plan may still be running in an outer frame (a trigger fired by it can
 * reach rp_plan), and nothing of ours runs once the transaction is over.
 */
static List *retired_plans = NIL;
static bool retire_callback_registered = false;

static void
free_retired_plans(XactEvent event, void *arg)
{
	ListCell   *lc;

	if (retired_plans == NIL || event == XACT_EVENT_PRE_COMMIT ||
		event == XACT_EVENT_PARALLEL_PRE_COMMIT || event == XACT_EVENT_PRE_PREPARE)
		return;
	foreach(lc, retired_plans)
		SPI_freeplan((SPIPlanPtr) lfirst(lc));
	list_free(retired_plans);
	retired_plans = NIL;
}

static void
retire_plan(SPIPlanPtr plan)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

	retired_plans = lappend(retired_plans, plan);
	MemoryContextSwitchTo(old);
	if (!retire_callback_registered)
	{
		RegisterXactCallback(free_retired_plans, NULL);
		retire_callback_registered = true;
	}
}

/*
 * The plan cache re-analyses a saved plan when the relations, functions,
 * operators or schemas it names change (DROP and CREATE EXTENSION included),
 * but a plan's parameter types are fixed when it is prepared. A caller that
 * passes the type of its argument (set_status's profile.presence) gets an OID
 * that is new after the type is dropped and created again; the old plan
 * would fail with "cache lookup failed for type". So a slot serves only calls
 * that pass the types it was prepared with: a few integer compares per call.
 */
static bool
plan_takes(SPIPlanPtr plan, int nargs, const Oid *argtypes)
{
	if (SPI_getargcount(plan) != nargs)
		return false;
	for (int i = 0; i < nargs; i++)
		if (SPI_getargtypeid(plan, i) != argtypes[i])
			return false;
	return true;
}

/*
 * Runs an API function with the catalog-only search path pinned for the whole
 * call, the way a SET search_path clause in its declaration would, but
 * without the per-call GUC save and restore (and the caller's search path
 * recomputation after it) that such a clause costs. Functions declared
 * without that clause go through here, so nothing they do, in SPI or not,
 * resolves a name in the caller's schemas.
 */
Datum
rp_call_pinned(PGFunction fn, FunctionCallInfo fcinfo)
{
	Datum		result;
	int			path_level;

	path_level = rp_pin_search_path();
	PG_TRY();
	{
		result = fn(fcinfo);
	}
	PG_FINALLY();
	{
		rp_unpin_search_path(path_level);
	}
	PG_END_TRY();
	return result;
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

/*
 * rp_plan with cursor options for the planner: CURSOR_OPT_FAST_PLAN plans for the first rows of
 * a cursor, CURSOR_OPT_GENERIC_PLAN keeps one plan for every parameter value.
 */
SPIPlanPtr
rp_plan_cursor(SPIPlanPtr *slot, const char *sql, int nargs, const Oid *argtypes, int cursor_options)
{
	SPIPlanPtr	plan;
	int			path_level;

	if (*slot != NULL && plan_takes(*slot, nargs, argtypes))
		return *slot;
	path_level = rp_pin_search_path();
	PG_TRY();
	{
		plan = SPI_prepare_cursor(sql, nargs, (Oid *) argtypes, cursor_options);
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
	if (*slot != NULL)
		retire_plan(*slot);
	*slot = plan;
	return plan;
}

SPIPlanPtr
rp_plan(SPIPlanPtr *slot, const char *sql, int nargs, const Oid *argtypes)
{
	return rp_plan_cursor(slot, sql, nargs, argtypes, 0);
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

/*
 * A read-only cursor over a plan, for reads that stop once they have enough rows; opened and
 * fetched with the same catalog-only search path as rp_exec.
 */
Portal
rp_cursor_open(SPIPlanPtr plan, const Datum *values, const char *nulls)
{
	Portal		portal;
	int			path_level;

	path_level = rp_pin_search_path();
	PG_TRY();
	{
		portal = SPI_cursor_open(NULL, plan, (Datum *) values, nulls, true);
	}
	PG_FINALLY();
	{
		rp_unpin_search_path(path_level);
	}
	PG_END_TRY();
	return portal;
}

void
rp_cursor_fetch(Portal portal, long count)
{
	int			path_level;

	path_level = rp_pin_search_path();
	PG_TRY();
	{
		SPI_cursor_fetch(portal, true, count);
	}
	PG_FINALLY();
	{
		rp_unpin_search_path(path_level);
	}
	PG_END_TRY();
}
