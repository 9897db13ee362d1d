/* frozen_last_seen.cpp: where an invisible user's frozen last_seen is read (see the header). */
#include "frozen_last_seen.h"

extern "C" {
#include "catalog/namespace.h"
#include "nodes/makefuncs.h"
#include "storage/lockdefs.h"
}

bool
rp_frozen_last_seen(const pg_uuid_t *user_id, TimestampTz *at)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[1] = {UUIDOID};
	Datum		values[1] = {UUIDPGetDatum(user_id)};
	RangeVar   *rv = makeRangeVar((char *) "profile", (char *) "presence_state", -1);
	bool		found = false;

	if (!OidIsValid(RangeVarGetRelid(rv, NoLock, true)))
		return false;
	rp_connect();
	rp_exec(rp_plan(&plan, "SELECT frozen_last_seen FROM profile.presence_state WHERE user_id = $1",
					1, argtypes),
			values, NULL, true, 1);
	if (SPI_processed == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
		{
			*at = DatumGetTimestampTz(d);
			found = true;
		}
	}
	rp_finish();
	return found;
}
