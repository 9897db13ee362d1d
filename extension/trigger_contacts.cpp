/* trigger_contacts.cpp: BEFORE ROW trigger on profile.contacts. */
#include "owner_checks.h"

extern "C" {
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(rp_contacts_trigger);
}

enum
{
	C_USER_ID = 1, C_CONTACT_USER_ID, C_NICKNAME, C_IS_FAVORITE, C_CREATED_AT, C_UPDATED_AT
};

/* '' means "no nickname", as update_contact's '' clears it. */
static void
normalize_nickname(RowEdit *row)
{
	if (!ROW_ISNULL(row, C_NICKNAME) && VARSIZE_ANY_EXHDR(DatumGetTextPP(ROW_VALUE(row, C_NICKNAME))) == 0)
		row_set(row, C_NICKNAME, (Datum) 0, true);
	row_normalize_text(row, C_NICKNAME, RP_FIELD_NICKNAME);
}

static void
default_favorite(RowEdit *row)
{
	if (ROW_ISNULL(row, C_IS_FAVORITE))
		row_set(row, C_IS_FAVORITE, BoolGetDatum(false), false);
}

static int
contact_fields(const RowEdit *row, rp_value *data)
{
	data[0] = value_uuid("contact_user_id", row_uuid(row, C_CONTACT_USER_ID));
	data[1] = value_text("nickname", row, C_NICKNAME);
	data[2] = value_bool("is_favorite", DatumGetBool(ROW_VALUE(row, C_IS_FAVORITE)));
	return 3;
}

static HeapTuple
on_insert(TriggerData *trigdata)
{
	RowEdit		row;
	pg_uuid_t  *owner;
	pg_uuid_t  *contact;
	ListChecks	checks;
	int64		version;
	rp_value	data[3];
	TimestampTz now = GetCurrentTimestamp();

	row_load(&row, trigdata->tg_relation->rd_att, trigdata->tg_trigtuple);
	owner = row_required_uuid(&row, C_USER_ID, "user_id");
	contact = row_required_uuid(&row, C_CONTACT_USER_ID, "contact_user_id");
	check_not_self(owner, contact, "contact_user_id");
	normalize_nickname(&row);
	default_favorite(&row);

	version = lock_owner_for_event(owner);
	checks = check_list_insert("contacts", owner, contact, rp_max_contacts);
	if (!checks.other_exists)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("contact_user_id %s does not exist", rp_uuid_text(contact))));
	if (checks.owner_blocks_other)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("contact_user_id %s is blocked by user %s", rp_uuid_text(contact), rp_uuid_text(owner)),
				 errhint("Unblock the user first.")));
	if (checks.already_listed)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("contact_user_id %s is already a contact of user %s", rp_uuid_text(contact), rp_uuid_text(owner))));
	if (checks.list_size >= rp_max_contacts)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("user %s has reached the limit of %d contacts", rp_uuid_text(owner), rp_max_contacts),
				 errhint("The limit is realchat_profile.max_contacts.")));

	row_set(&row, C_CREATED_AT, TimestampTzGetDatum(now), false);
	row_set(&row, C_UPDATED_AT, TimestampTzGetDatum(now), false);
	rp_emit_event(owner, "ContactAdded", version, data, contact_fields(&row, data));
	return row_build(&row);
}

static HeapTuple
on_update(TriggerData *trigdata)
{
	RowEdit		old_row;
	RowEdit		row;
	const char *changed[2];
	int			nchanged = 0;
	int64		version;
	rp_value	data[4];
	int			ndata;

	row_load(&old_row, trigdata->tg_relation->rd_att, trigdata->tg_trigtuple);
	row_load(&row, trigdata->tg_relation->rd_att, trigdata->tg_newtuple);
	check_key_unchanged(&old_row, &row, "contacts");
	default_favorite(&row);
	if (!row_text_equal(&old_row, &row, C_NICKNAME))
	{
		normalize_nickname(&row);
		if (!row_text_equal(&old_row, &row, C_NICKNAME))
			changed[nchanged++] = "nickname";
	}
	if (DatumGetBool(ROW_VALUE(&old_row, C_IS_FAVORITE)) != DatumGetBool(ROW_VALUE(&row, C_IS_FAVORITE)))
		changed[nchanged++] = "is_favorite";

	row_set(&row, C_CREATED_AT, ROW_VALUE(&old_row, C_CREATED_AT), false);
	if (nchanged == 0)
	{
		row_set(&row, C_UPDATED_AT, ROW_VALUE(&old_row, C_UPDATED_AT), false);
		return row_build(&row);
	}
	version = lock_owner_for_event(row_uuid(&row, C_USER_ID));
	row_set(&row, C_UPDATED_AT, TimestampTzGetDatum(GetCurrentTimestamp()), false);
	ndata = contact_fields(&row, data);
	data[ndata++] = value_list("changed", changed, nchanged);
	rp_emit_event(row_uuid(&row, C_USER_ID), "ContactUpdated", version, data, ndata);
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
	owner = row_uuid(&row, C_USER_ID);
	version = lock_owner_for_event(owner);
	data[0] = value_uuid("contact_user_id", row_uuid(&row, C_CONTACT_USER_ID));
	rp_emit_event(owner, "ContactRemoved", version, data, 1);
	return trigdata->tg_trigtuple;
}

Datum
rp_contacts_trigger(PG_FUNCTION_ARGS)
{
	return run_list_trigger(fcinfo, "contacts_trigger", on_insert, on_update, on_delete);
}
