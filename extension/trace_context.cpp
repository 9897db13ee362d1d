/*
 * trace_context.cpp: the W3C traceparent a writer sets for its transaction
 * (realchat_profile.traceparent), copied into each outbox row it writes. An
 * invalid value must not fail the write, so it is dropped, logged at DEBUG1
 * and counted; profile.trace_stats() shows this session's counts.
 */
#include "trace_context.h"

extern "C" {
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(rp_trace_stats);
}

static int64 traced_events = 0;
static int64 invalid_traceparents = 0;

const char *
rp_current_traceparent(void)
{
	size_t		len;

	if (rp_traceparent == NULL || rp_traceparent[0] == '\0')
		return NULL;
	len = strlen(rp_traceparent);
	if (rp_valid_traceparent(rp_traceparent, len))
	{
		traced_events++;
		return rp_traceparent;
	}
	invalid_traceparents++;
	ereport(DEBUG1,
			(errmsg("realchat_profile.traceparent is not a valid W3C traceparent; the event is written without it")));
	return NULL;
}

Datum
rp_trace_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		values[2] = {Int64GetDatum(traced_events), Int64GetDatum(invalid_traceparents)};
	bool		nulls[2] = {false, false};

	InitMaterializedSRF(fcinfo, 0);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}
