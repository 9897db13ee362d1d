/*
 * trigger_profiles.cpp: BEFORE ROW trigger on profile.profiles.
 *
 * Validates and normalises what is written (by the API or by hand), keeps
 * version/created_at/updated_at, writes the event, and on DELETE removes the
 * user's lists and every other user's contact entry for them first.
 */
#include "rows.h"

extern "C" {
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(rp_profiles_trigger);
}

enum
{
	P_USER_ID = 1, P_USERNAME, P_DISPLAY_NAME, P_BIO, P_AVATAR_URL,
	P_STATUS, P_LAST_SEEN, P_VERSION, P_CREATED_AT, P_UPDATED_AT
};

static const char *
status_label(const RowEdit *row)
{
	return DatumGetCString(DirectFunctionCall1(enum_out, ROW_VALUE(row, P_STATUS)));
}

/* The profile's fields as they appear in ProfileCreated and ProfileUpdated. */
static int
profile_fields(const RowEdit *row, rp_value *data)
{
	data[0] = value_text("username", row, P_USERNAME);
	data[1] = value_text("display_name", row, P_DISPLAY_NAME);
	data[2] = value_text("bio", row, P_BIO);
	data[3] = value_text("avatar_url", row, P_AVATAR_URL);
	data[4] = value_string("status", status_label(row));
	data[5] = value_timestamp("last_seen", row, P_LAST_SEEN);
	return 6;
}

static void
check_username_free(const RowEdit *row)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[2] = {TEXTOID, UUIDOID};
	Datum		values[2] = {ROW_VALUE(row, P_USERNAME), ROW_VALUE(row, P_USER_ID)};
	bool		taken;

	rp_connect();
	rp_exec(rp_plan(&plan,
					"SELECT 1 FROM profile.profiles"
					" WHERE lower(username) = lower($1) AND user_id <> $2 LIMIT 1",
					2, argtypes),
			values, NULL, false, 1);
	taken = SPI_processed > 0;
	rp_finish();
	if (taken)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("username \"%s\" is already taken", TextDatumGetCString(ROW_VALUE(row, P_USERNAME)))));
}

static void
check_profile_absent(const pg_uuid_t *user_id)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[1] = {UUIDOID};
	Datum		values[1] = {UUIDPGetDatum(user_id)};
	bool		exists;

	rp_connect();
	rp_exec(rp_plan(&plan, "SELECT 1 FROM profile.profiles WHERE user_id = $1", 1, argtypes),
			values, NULL, false, 1);
	exists = SPI_processed > 0;
	rp_finish();
	if (exists)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("user %s already exists", rp_uuid_text(user_id))));
}

static void
require_text(const RowEdit *row, int attno, const char *name)
{
	if (ROW_ISNULL(row, attno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

/* last_seen is a finite time, never in the future. */
static void
clamp_last_seen(RowEdit *row, TimestampTz now)
{
	if (!ROW_ISNULL(row, P_LAST_SEEN) && TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(ROW_VALUE(row, P_LAST_SEEN))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("last_seen must be a finite time")));
	if (!ROW_ISNULL(row, P_LAST_SEEN) && DatumGetTimestampTz(ROW_VALUE(row, P_LAST_SEEN)) > now)
		row_set(row, P_LAST_SEEN, TimestampTzGetDatum(now), false);
}

static HeapTuple
on_insert(TriggerData *trigdata)
{
	RowEdit		row;
	TimestampTz now = GetCurrentTimestamp();
	rp_value	data[6];
	pg_uuid_t  *user_id;

	row_load(&row, trigdata->tg_relation->rd_att, trigdata->tg_trigtuple);
	user_id = row_required_uuid(&row, P_USER_ID, "user_id");
	require_text(&row, P_USERNAME, "username");
	require_text(&row, P_DISPLAY_NAME, "display_name");
	if (ROW_ISNULL(&row, P_BIO))
		row_set(&row, P_BIO, CStringGetTextDatum(""), false);
	row_normalize_text(&row, P_USERNAME, RP_FIELD_USERNAME);
	row_normalize_text(&row, P_DISPLAY_NAME, RP_FIELD_DISPLAY_NAME);
	row_normalize_text(&row, P_BIO, RP_FIELD_BIO);
	row_normalize_text(&row, P_AVATAR_URL, RP_FIELD_AVATAR_URL);
	check_profile_absent(user_id);
	check_username_free(&row);
	clamp_last_seen(&row, now);

	row_set(&row, P_VERSION, Int64GetDatum(1), false);
	row_set(&row, P_CREATED_AT, TimestampTzGetDatum(now), false);
	row_set(&row, P_UPDATED_AT, TimestampTzGetDatum(now), false);
	rp_emit_event(user_id, "ProfileCreated", 1, data, profile_fields(&row, data));
	return row_build(&row);
}

static HeapTuple
on_update(TriggerData *trigdata)
{
	RowEdit		old_row;
	RowEdit		row;
	TimestampTz now;
	const char *changed[6];
	int			nchanged = 0;
	bool		profile_changed;
	bool		status_changed;
	int64		version;
	rp_value	data[8];
	int			ndata;

	row_load(&old_row, trigdata->tg_relation->rd_att, trigdata->tg_trigtuple);
	/* The version bump of a contact or block event changes nothing else. */
	if (rp_is_bumping(row_uuid(&old_row, P_USER_ID)))
		return trigdata->tg_newtuple;

	row_load(&row, trigdata->tg_relation->rd_att, trigdata->tg_newtuple);
	if (!row_uuid_equal(&old_row, &row, P_USER_ID))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("user_id of a profile cannot be changed")));
	require_text(&row, P_USERNAME, "username");
	require_text(&row, P_DISPLAY_NAME, "display_name");
	if (ROW_ISNULL(&row, P_BIO))
		row_set(&row, P_BIO, CStringGetTextDatum(""), false);

	/* Validate only what changes, so old rows never block unrelated edits. */
	if (!row_text_equal(&old_row, &row, P_USERNAME))
	{
		row_normalize_text(&row, P_USERNAME, RP_FIELD_USERNAME);
		check_username_free(&row);
		changed[nchanged++] = "username";
	}
	if (!row_text_equal(&old_row, &row, P_DISPLAY_NAME))
	{
		row_normalize_text(&row, P_DISPLAY_NAME, RP_FIELD_DISPLAY_NAME);
		if (!row_text_equal(&old_row, &row, P_DISPLAY_NAME))
			changed[nchanged++] = "display_name";
	}
	if (!row_text_equal(&old_row, &row, P_BIO))
	{
		row_normalize_text(&row, P_BIO, RP_FIELD_BIO);
		if (!row_text_equal(&old_row, &row, P_BIO))
			changed[nchanged++] = "bio";
	}
	if (!row_text_equal(&old_row, &row, P_AVATAR_URL))
	{
		row_normalize_text(&row, P_AVATAR_URL, RP_FIELD_AVATAR_URL);
		changed[nchanged++] = "avatar_url";
	}
	profile_changed = nchanged > 0;

	now = GetCurrentTimestamp();
	status_changed = DatumGetObjectId(ROW_VALUE(&old_row, P_STATUS)) != DatumGetObjectId(ROW_VALUE(&row, P_STATUS));
	if (status_changed)
	{
		changed[nchanged++] = "status";
		row_set(&row, P_LAST_SEEN, TimestampTzGetDatum(now), false);
		changed[nchanged++] = "last_seen";
	}
	else
		clamp_last_seen(&row, now);

	/* A change that changes nothing (a last_seen heartbeat included) emits nothing. */
	version = DatumGetInt64(ROW_VALUE(&old_row, P_VERSION));
	row_set(&row, P_CREATED_AT, ROW_VALUE(&old_row, P_CREATED_AT), false);
	if (!profile_changed && !status_changed)
	{
		row_set(&row, P_VERSION, Int64GetDatum(version), false);
		row_set(&row, P_UPDATED_AT, ROW_VALUE(&old_row, P_UPDATED_AT), false);
		return row_build(&row);
	}

	version++;
	row_set(&row, P_VERSION, Int64GetDatum(version), false);
	row_set(&row, P_UPDATED_AT, TimestampTzGetDatum(now), false);
	if (profile_changed)
	{
		ndata = profile_fields(&row, data);
		data[ndata++] = value_list("changed", changed, nchanged);
		rp_emit_event(row_uuid(&row, P_USER_ID), "ProfileUpdated", version, data, ndata);
	}
	else
	{
		data[0] = value_string("status", status_label(&row));
		data[1] = value_timestamp("last_seen", &row, P_LAST_SEEN);
		rp_emit_event(row_uuid(&row, P_USER_ID), "PresenceChanged", version, data, 2);
	}
	return row_build(&row);
}

static void
delete_lists_of(const pg_uuid_t *user_id)
{
	static SPIPlanPtr own_contacts = NULL;
	static SPIPlanPtr own_blocks = NULL;
	static SPIPlanPtr others_contacts = NULL;
	static const Oid argtypes[1] = {UUIDOID};
	Datum		values[1] = {UUIDPGetDatum(user_id)};

	rp_connect();
	rp_exec(rp_plan(&own_contacts, "DELETE FROM profile.contacts WHERE user_id = $1", 1, argtypes),
			values, NULL, false, 0);
	rp_exec(rp_plan(&own_blocks, "DELETE FROM profile.blocks WHERE user_id = $1", 1, argtypes),
			values, NULL, false, 0);
	rp_exec(rp_plan(&others_contacts, "DELETE FROM profile.contacts WHERE contact_user_id = $1", 1, argtypes),
			values, NULL, false, 0);
	rp_finish();
}

static HeapTuple
on_delete(TriggerData *trigdata)
{
	RowEdit		row;
	pg_uuid_t  *user_id;
	bool		exists;
	int64		version;

	row_load(&row, trigdata->tg_relation->rd_att, trigdata->tg_trigtuple);
	user_id = row_uuid(&row, P_USER_ID);
	rp_begin_cascade(user_id, DatumGetInt64(ROW_VALUE(&row, P_VERSION)));
	PG_TRY();
	{
		delete_lists_of(user_id);
		version = rp_next_owner_version(user_id, &exists);
		rp_emit_event(user_id, "ProfileDeleted", version, NULL, 0);
	}
	PG_CATCH();
	{
		rp_abort_cascade();
		PG_RE_THROW();
	}
	PG_END_TRY();
	rp_end_cascade();
	return trigdata->tg_trigtuple;
}

Datum
rp_profiles_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "realchat_profile: profiles_trigger must be a BEFORE ROW trigger");
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		return PointerGetDatum(on_insert(trigdata));
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return PointerGetDatum(on_update(trigdata));
	return PointerGetDatum(on_delete(trigdata));
}
