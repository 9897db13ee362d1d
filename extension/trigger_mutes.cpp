/*
 * trigger_mutes.cpp: BEFORE ROW trigger on profile.mutes. Validates and writes UserMuted and
 * UserUnmuted in the owner's stream, for the API and hand-made DML alike.
 */
#include "mutes.h"
#include "owner_checks.h"

extern "C" {
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(rp_mutes_trigger);
}

enum
{
	M_USER_ID = 1, M_MUTED_USER_ID, M_EXPIRES_AT, M_CREATED_AT
};

/* Set while rp_expire_mutes deletes: those deletions are UserUnmuted with reason expired. */
static bool expiring = false;

void
rp_mutes_set_expiring(bool on)
{
	expiring = on;
}

/* A new expires_at is null (until unmuted) or a finite time after now. */
static void
check_expires_at(const RowEdit *row)
{
	TimestampTz at;

	if (ROW_ISNULL(row, M_EXPIRES_AT))
		return;
	at = DatumGetTimestampTz(ROW_VALUE(row, M_EXPIRES_AT));
	if (TIMESTAMP_NOT_FINITE(at) || at <= GetCurrentTransactionStartTimestamp())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expires_at must be a finite time in the future")));
}

/* Under the owner's lock: the muted user exists (kept until commit), the pair is new, the limit. */
static void
check_insert(const pg_uuid_t *owner, const pg_uuid_t *muted)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[3] = {UUIDOID, UUIDOID, INT4OID};
	Datum		values[3] = {UUIDPGetDatum(owner), UUIDPGetDatum(muted), Int32GetDatum(rp_max_mutes)};
	bool		isnull;
	bool		exists;
	bool		listed;
	int64		size;

	rp_connect();
	/* As check_list_insert: a fresh snapshot, FOR KEY SHARE waits out a deletion in progress. */
	rp_exec(rp_plan(&plan,
					"SELECT EXISTS (SELECT 1 FROM profile.profiles WHERE user_id = $2 FOR KEY SHARE),"
					" EXISTS (SELECT 1 FROM profile.mutes WHERE user_id = $1 AND muted_user_id = $2),"
					" (SELECT count(*) FROM (SELECT 1 FROM profile.mutes WHERE user_id = $1 LIMIT $3) s)",
					3, argtypes),
			values, NULL, false, 1);
	exists = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	listed = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	size = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	rp_finish();
	if (!exists)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("muted_user_id %s does not exist", rp_uuid_text(muted))));
	if (listed)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("muted_user_id %s is already muted by user %s", rp_uuid_text(muted), rp_uuid_text(owner))));
	if (size >= rp_max_mutes)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("user %s has reached the limit of %d muted users", rp_uuid_text(owner), rp_max_mutes),
				 errhint("The limit is realchat_profile.max_mutes.")));
}

static void
emit_muted(const RowEdit *row, int64 version)
{
	rp_value	data[2];

	data[0] = value_uuid("muted_user_id", row_uuid(row, M_MUTED_USER_ID));
	data[1] = value_timestamp("expires_at", row, M_EXPIRES_AT);
	rp_emit_event(row_uuid(row, M_USER_ID), "UserMuted", version, data, 2);
}

static HeapTuple
on_insert(TriggerData *trigdata)
{
	RowEdit		row;
	pg_uuid_t  *owner;
	pg_uuid_t  *muted;
	int64		version;

	row_load(&row, trigdata->tg_relation->rd_att, trigdata->tg_trigtuple);
	owner = row_required_uuid(&row, M_USER_ID, "user_id");
	muted = row_required_uuid(&row, M_MUTED_USER_ID, "muted_user_id");
	check_not_self(owner, muted, "muted_user_id");
	check_expires_at(&row);
	version = lock_owner_for_event(owner);
	check_insert(owner, muted);
	row_set(&row, M_CREATED_AT, TimestampTzGetDatum(GetCurrentTimestamp()), false);
	emit_muted(&row, version);
	return row_build(&row);
}

/* Only expires_at may change (muting again); a change is a UserMuted. */
static HeapTuple
on_update(TriggerData *trigdata)
{
	RowEdit		old_row;
	RowEdit		row;
	bool		same;

	row_load(&old_row, trigdata->tg_relation->rd_att, trigdata->tg_trigtuple);
	row_load(&row, trigdata->tg_relation->rd_att, trigdata->tg_newtuple);
	check_key_unchanged(&old_row, &row, "mutes");
	row_set(&row, M_CREATED_AT, ROW_VALUE(&old_row, M_CREATED_AT), false);
	same = ROW_ISNULL(&old_row, M_EXPIRES_AT) == ROW_ISNULL(&row, M_EXPIRES_AT) &&
		(ROW_ISNULL(&row, M_EXPIRES_AT) ||
		 DatumGetTimestampTz(ROW_VALUE(&old_row, M_EXPIRES_AT)) == DatumGetTimestampTz(ROW_VALUE(&row, M_EXPIRES_AT)));
	if (!same)
	{
		check_expires_at(&row);
		emit_muted(&row, lock_owner_for_event(row_uuid(&row, M_USER_ID)));
	}
	return row_build(&row);
}

static HeapTuple
on_delete(TriggerData *trigdata)
{
	RowEdit		row;
	pg_uuid_t  *owner;
	int64		version;
	rp_value	data[2];

	row_load(&row, trigdata->tg_relation->rd_att, trigdata->tg_trigtuple);
	owner = row_uuid(&row, M_USER_ID);
	version = lock_owner_for_event(owner);
	data[0] = value_uuid("muted_user_id", row_uuid(&row, M_MUTED_USER_ID));
	data[1] = value_string("reason", expiring ? "expired" : "unmuted");
	rp_emit_event(owner, "UserUnmuted", version, data, 2);
	return trigdata->tg_trigtuple;
}

Datum
rp_mutes_trigger(PG_FUNCTION_ARGS)
{
	return run_list_trigger(fcinfo, "mutes_trigger", on_insert, on_update, on_delete);
}
