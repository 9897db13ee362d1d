/*
 * version.cpp: each user's event sequence.
 *
 * Every event of a user first bumps profiles.version under the row lock of
 * that user's profile, then takes its outbox id. The lock serialises all of a
 * user's changes (profile, contacts, blocks), so the user's outbox ids follow
 * commit order and version order. While a profile row is being deleted its
 * row cannot be updated, so the cascade numbers that user's last events here.
 */
#include "pg_glue.h"

static const pg_uuid_t *bumping_owner = NULL;

static bool cascade_active = false;
static pg_uuid_t cascade_owner;
static int64 cascade_version = 0;

static bool
same_uuid(const pg_uuid_t *a, const pg_uuid_t *b)
{
	return memcmp(a->data, b->data, UUID_LEN) == 0;
}

bool
rp_is_bumping(const pg_uuid_t *owner)
{
	return bumping_owner != NULL && same_uuid(bumping_owner, owner);
}

int64
rp_next_owner_version(const pg_uuid_t *owner, bool *owner_exists)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[1] = {UUIDOID};
	Datum		values[1] = {UUIDPGetDatum(owner)};
	int64		version = 0;

	if (cascade_active && same_uuid(&cascade_owner, owner))
	{
		*owner_exists = true;
		return ++cascade_version;
	}

	rp_connect();
	bumping_owner = owner;
	PG_TRY();
	{
		rp_exec(rp_plan(&plan,
						"UPDATE profile.profiles SET version = version + 1"
						" WHERE user_id = $1 RETURNING version",
						1, argtypes),
				values, NULL, false, 0);
	}
	PG_FINALLY();
	{
		bumping_owner = NULL;
	}
	PG_END_TRY();
	*owner_exists = SPI_processed == 1;
	if (*owner_exists)
	{
		bool		isnull;

		version = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	rp_finish();
	return version;
}

void
rp_begin_cascade(const pg_uuid_t *owner, int64 version)
{
	if (cascade_active)
		elog(ERROR, "realchat_profile: nested profile deletion cascade");
	cascade_owner = *owner;
	cascade_version = version;
	cascade_active = true;
}

int64
rp_end_cascade(void)
{
	cascade_active = false;
	return cascade_version;
}

void
rp_abort_cascade(void)
{
	cascade_active = false;
}
