/* results.cpp: handing SPI results back to the caller of a SQL function. */
#include "pg_glue.h"

extern "C" {
#include "utils/tuplestore.h"
}

/* The first row of the last SPI result as the function's composite result,
 * copied out of SPI's memory, then SPI is finished. */
Datum
rp_return_single_row(FunctionCallInfo fcinfo, const char *what)
{
	TupleDesc	tupdesc;
	Datum		result;

	if (SPI_processed < 1)
		elog(ERROR, "realchat_profile: %s returned no row", what);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "realchat_profile: %s must return a composite", what);
	result = PointerGetDatum(SPI_returntuple(SPI_tuptable->vals[0], tupdesc));
	rp_finish();
	return result;
}

/* Every row of the last SPI result into the function's result set (materialize mode). */
void
rp_materialize_spi_result(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	for (uint64 i = 0; i < SPI_processed; i++)
		tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[i]);
}
