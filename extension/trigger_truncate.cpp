/* trigger_truncate.cpp: TRUNCATE skips row triggers, so it would change
 * profiles, contacts or blocks without their events; refuse it. */
#include "pg_glue.h"

extern "C" {
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(rp_forbid_truncate);
}

Datum
rp_forbid_truncate(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "realchat_profile: forbid_truncate must be a trigger");
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("TRUNCATE of profile.%s would bypass its events",
					RelationGetRelationName(trigdata->tg_relation)),
			 errhint("Delete the rows instead, so that each change writes its event.")));
	PG_RETURN_NULL();
}
