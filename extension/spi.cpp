/*
 * spi.cpp: the extension's own SQL, prepared once per backend and always run
 * with pg_catalog as the only search path. A plan re-parses when the search
 * path differs from the one it was made with, so the override is pushed both
 * when preparing and when executing.
 */
#include "pg_glue.h"

extern "C" {
#include "catalog/namespace.h"
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
