/* trigger_blocks.cpp: BEFORE ROW trigger on profile.blocks. */
#include "owner_checks.h"

extern "C" {
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(rp_blocks_trigger);
}

enum
{
	B_USER_ID = 1, B_BLOCKED_USER_ID, B_REASON, B_CREATED_AT
};

/* Blocking removes the blocked user from the blocker's contacts (ContactRemoved). */
static void
remove_contact(const pg_uuid_t *owner, const pg_uuid_t *other)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[2] = {UUIDOID, UUIDOID};
	Datum		values[2] = {UUIDPGetDatum(owner), UUIDPGetDatum(other)};

	rp_connect();
	rp_exec(rp_plan(&plan, "DELETE FROM profile.contacts WHERE user_id = $1 AND contact_user_id = $2",
					2, argtypes),
			values, NULL, false, 0);
	rp_finish();
}

static HeapTuple
on_insert(TriggerData *trigdata)
{
	RowEdit		row;
	pg_uuid_t  *owner;
	pg_uuid_t  *blocked;
	ListChecks	checks;
	int64		version;
	rp_value	data[1];

	row_load(&row, trigdata->tg_relation->rd_att, trigdata->tg_trigtuple);
	owner = row_required_uuid(&row, B_USER_ID, "user_id");
	blocked = row_required_uuid(&row, B_BLOCKED_USER_ID, "blocked_user_id");
	check_not_self(owner, blocked, "blocked_user_id");
	row_normalize_text(&row, B_REASON, RP_FIELD_REASON);

	version = lock_owner_for_event(owner);
	checks = check_list_insert("blocks", owner, blocked, rp_max_blocks);
	if (!checks.other_exists)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("blocked_user_id %s does not exist", rp_uuid_text(blocked))));
	if (checks.already_listed)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("blocked_user_id %s is already blocked by user %s", rp_uuid_text(blocked), rp_uuid_text(owner))));
	if (checks.list_size >= rp_max_blocks)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("user %s has reached the limit of %d blocked users", rp_uuid_text(owner), rp_max_blocks),
				 errhint("The limit is realchat_profile.max_blocks.")));

	row_set(&row, B_CREATED_AT, TimestampTzGetDatum(GetCurrentTimestamp()), false);
	data[0] = value_uuid("blocked_user_id", blocked);
	rp_emit_event(owner, "UserBlocked", version, data, 1);
	remove_contact(owner, blocked);
	return row_build(&row);
}

static HeapTuple
on_update(TriggerData *trigdata)
{
	RowEdit		old_row;
	RowEdit		row;

	/* Only the reason may change; it is not part of any event. */
	row_load(&old_row, trigdata->tg_relation->rd_att, trigdata->tg_trigtuple);
	row_load(&row, trigdata->tg_relation->rd_att, trigdata->tg_newtuple);
	check_key_unchanged(&old_row, &row, "blocks");
	if (!row_text_equal(&old_row, &row, B_REASON))
		row_normalize_text(&row, B_REASON, RP_FIELD_REASON);
	row_set(&row, B_CREATED_AT, ROW_VALUE(&old_row, B_CREATED_AT), false);
	return row_build(&row);
}

static HeapTuple
on_delete(TriggerData *trigdata)
{
	RowEdit		row;
	pg_uuid_t  *owner;
	int64		version;
	rp_value	data[1];

	row_load(&row, trigdata->tg_relation->rd_att, trigdata->tg_trigtuple);
	owner = row_uuid(&row, B_USER_ID);
	version = lock_owner_for_event(owner);
	data[0] = value_uuid("blocked_user_id", row_uuid(&row, B_BLOCKED_USER_ID));
	rp_emit_event(owner, "UserUnblocked", version, data, 1);
	return trigdata->tg_trigtuple;
}

Datum
rp_blocks_trigger(PG_FUNCTION_ARGS)
{
	return run_list_trigger(fcinfo, "blocks_trigger", on_insert, on_update, on_delete);
}
