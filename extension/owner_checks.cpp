/* owner_checks.cpp: checks shared by the contacts and blocks triggers. */
#include "owner_checks.h"

int64
lock_owner_for_event(const pg_uuid_t *owner)
{
	bool		exists;
	int64		version = rp_next_owner_version(owner, &exists);

	if (!exists)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("user %s does not exist", rp_uuid_text(owner))));
	return version;
}

ListChecks
check_list_insert(const char *list, const pg_uuid_t *owner, const pg_uuid_t *other, int limit)
{
	static SPIPlanPtr contacts_plan = NULL;
	static SPIPlanPtr blocks_plan = NULL;
	static const Oid argtypes[3] = {UUIDOID, UUIDOID, INT4OID};
	bool		is_contacts = strcmp(list, "contacts") == 0;
	Datum		values[3] = {UUIDPGetDatum(owner), UUIDPGetDatum(other), Int32GetDatum(limit)};
	ListChecks	checks;
	bool		isnull;
	SPIPlanPtr	plan;

	rp_connect();
	if (is_contacts)
		plan = rp_plan(&contacts_plan,
					   "SELECT EXISTS (SELECT 1 FROM profile.profiles WHERE user_id = $2 FOR KEY SHARE),"
					   " EXISTS (SELECT 1 FROM profile.blocks WHERE user_id = $1 AND blocked_user_id = $2),"
					   " EXISTS (SELECT 1 FROM profile.contacts WHERE user_id = $1 AND contact_user_id = $2),"
					   " (SELECT count(*) FROM (SELECT 1 FROM profile.contacts WHERE user_id = $1 LIMIT $3) s)",
					   3, argtypes);
	else
		plan = rp_plan(&blocks_plan,
					   "SELECT EXISTS (SELECT 1 FROM profile.profiles WHERE user_id = $2 FOR KEY SHARE),"
					   " false,"
					   " EXISTS (SELECT 1 FROM profile.blocks WHERE user_id = $1 AND blocked_user_id = $2),"
					   " (SELECT count(*) FROM (SELECT 1 FROM profile.blocks WHERE user_id = $1 LIMIT $3) s)",
					   3, argtypes);
	/* Not read-only: a fresh snapshot also sees rows written earlier in the
	 * same statement (a multi-row INSERT), so the limit holds for batches.
	 * FOR KEY SHARE keeps the other user until commit, and waits for a
	 * deletion of that user in progress: after it, the user is gone (P0002),
	 * never a foreign-key violation at commit. */
	rp_exec(plan, values, NULL, false, 1);
	checks.other_exists = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	checks.owner_blocks_other = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	checks.already_listed = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	checks.list_size = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
	rp_finish();
	return checks;
}

void
check_not_self(const pg_uuid_t *owner, const pg_uuid_t *other, const char *other_name)
{
	if (memcmp(owner->data, other->data, UUID_LEN) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must differ from user_id", other_name)));
}

void
check_key_unchanged(const RowEdit *old_row, const RowEdit *row, const char *table)
{
	if (!row_uuid_equal(old_row, row, 1) || !row_uuid_equal(old_row, row, 2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the key of a row in profile.%s cannot be changed", table),
				 errhint("Delete the row and insert a new one.")));
}

Datum
run_list_trigger(FunctionCallInfo fcinfo, const char *name, ListRowHandler on_insert,
				 ListRowHandler on_update, ListRowHandler on_delete)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "realchat_profile: %s must be a BEFORE ROW trigger", name);
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		return PointerGetDatum(on_insert(trigdata));
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return PointerGetDatum(on_update(trigdata));
	return PointerGetDatum(on_delete(trigdata));
}
