/*
 * trigger_profiles.cpp: the triggers of profile.profiles.
 *
 * BEFORE ROW validates and normalises what is written (by the API or by
 * hand), keeps version/created_at/updated_at and writes the events of updates
 * and deletions; a DELETE first removes the user's own lists.
 *
 * Schema 1.1 (rp_profiles_trigger_1_1) adds two triggers and changes three
 * things. ProfileCreated is written AFTER the row, so an INSERT that
 * ON CONFLICT skips writes no event. Other users' contact entries for deleted
 * users go in an AFTER STATEMENT trigger, so a multi-row DELETE never updates
 * a row it deletes later. And a deleted user's last version is kept in
 * profile.retired_users, where a new profile with the same user_id continues
 * it. The 1.0 entry point keeps 1.0's behaviour for databases whose schema has
 * not been updated yet.
 */
#include "presence.h"

extern "C" {
#include "utils/array.h"
#include "utils/datum.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(rp_profiles_trigger);
PG_FUNCTION_INFO_V1(rp_profiles_trigger_1_1);
}

typedef enum SchemaVersion
{
	SCHEMA_1_0,
	SCHEMA_1_1
} SchemaVersion;

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

/*
 * The version a new profile of user_id starts from: the last one of a deleted
 * profile with that id, or 0. Waits first for a deletion of the id in progress
 * (its row lock), so the version it then reads is the one that deletion left.
 */
static int64
previous_version(const pg_uuid_t *user_id)
{
	static SPIPlanPtr wait_plan = NULL;
	static SPIPlanPtr read_plan = NULL;
	static const Oid argtypes[1] = {UUIDOID};
	Datum		values[1] = {UUIDPGetDatum(user_id)};
	int64		version = 0;

	rp_connect();
	rp_exec(rp_plan(&wait_plan, "SELECT 1 FROM profile.profiles WHERE user_id = $1 FOR KEY SHARE", 1, argtypes),
			values, NULL, false, 0);
	/* A statement of its own: a fresh snapshot, taken after the wait. */
	rp_exec(rp_plan(&read_plan, "SELECT last_version FROM profile.retired_users WHERE user_id = $1", 1, argtypes),
			values, NULL, false, 1);
	if (SPI_processed == 1)
	{
		bool		isnull;

		version = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	rp_finish();
	return version;
}

static void
retire_user(const pg_uuid_t *user_id, int64 last_version)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[2] = {UUIDOID, INT8OID};
	Datum		values[2] = {UUIDPGetDatum(user_id), Int64GetDatum(last_version)};

	rp_connect();
	rp_exec(rp_plan(&plan,
					"INSERT INTO profile.retired_users (user_id, last_version) VALUES ($1, $2)"
					" ON CONFLICT (user_id) DO UPDATE"
					" SET last_version = EXCLUDED.last_version, deleted_at = EXCLUDED.deleted_at",
					2, argtypes),
			values, NULL, false, 0);
	rp_finish();
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
on_insert(TriggerData *trigdata, SchemaVersion schema)
{
	RowEdit		row;
	TimestampTz now = GetCurrentTimestamp();
	rp_value	data[6];
	pg_uuid_t  *user_id;
	int64		version = 1;

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
	if (schema == SCHEMA_1_1)
	{
		const char *reason;

		(void) rp_custom_status_before_write(NULL, &row, &reason);
	}
	if (schema == SCHEMA_1_0)
		check_profile_absent(user_id);
	else
		version = previous_version(user_id) + 1;
	check_username_free(&row);
	clamp_last_seen(&row, now);

	row_set(&row, P_VERSION, Int64GetDatum(version), false);
	row_set(&row, P_CREATED_AT, TimestampTzGetDatum(now), false);
	row_set(&row, P_UPDATED_AT, TimestampTzGetDatum(now), false);
	if (schema == SCHEMA_1_0)
		rp_emit_event(user_id, "ProfileCreated", version, data, profile_fields(&row, data));
	return row_build(&row);
}

/*
 * ProfileCreated, for a row that was written. One that the same statement
 * has changed since (a data-modifying WITH that adds a contact of the new
 * user) already took the next version and wrote its event first; the events
 * would reach the outbox out of order, so the statement is refused.
 */
static void
after_insert(TriggerData *trigdata)
{
	HeapTuple	tuple = trigdata->tg_trigtuple;
	RowEdit		row;
	rp_value	data[6];

	if (!ItemPointerEquals(&tuple->t_self, &tuple->t_data->t_ctid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a profile cannot be changed by the statement that creates it"),
				 errhint("Create the profile in a statement of its own.")));
	row_load(&row, trigdata->tg_relation->rd_att, tuple);
	rp_emit_event(row_uuid(&row, P_USER_ID), "ProfileCreated", DatumGetInt64(ROW_VALUE(&row, P_VERSION)),
				  data, profile_fields(&row, data));
	rp_presence_after_insert(&row);
}

/*
 * Privacy (schema 1.1): the changed privacy fields of an update, for PrivacyChanged. Both
 * columns are NOT NULL and typed, so there is nothing else to validate.
 */
enum
{
	P_PRESENCE_AUDIENCE = 14, P_DISCOVERABLE = 15
};

static int
privacy_changes(const RowEdit *old_row, const RowEdit *row, const char **changed)
{
	int			n = 0;

	if (row->desc->natts < P_DISCOVERABLE)
		return 0;
	if (ROW_ISNULL(old_row, P_PRESENCE_AUDIENCE) != ROW_ISNULL(row, P_PRESENCE_AUDIENCE) ||
		(!ROW_ISNULL(row, P_PRESENCE_AUDIENCE) &&
		 DatumGetObjectId(ROW_VALUE(old_row, P_PRESENCE_AUDIENCE)) != DatumGetObjectId(ROW_VALUE(row, P_PRESENCE_AUDIENCE))))
		changed[n++] = "presence_audience";
	if (ROW_ISNULL(old_row, P_DISCOVERABLE) != ROW_ISNULL(row, P_DISCOVERABLE) ||
		(!ROW_ISNULL(row, P_DISCOVERABLE) &&
		 DatumGetBool(ROW_VALUE(old_row, P_DISCOVERABLE)) != DatumGetBool(ROW_VALUE(row, P_DISCOVERABLE))))
		changed[n++] = "discoverable";
	return n;
}

static void
emit_privacy_changed(const RowEdit *row, int64 version, const char **changed, int nchanged)
{
	rp_value	data[3];

	data[0] = value_string("presence_audience",
						   DatumGetCString(DirectFunctionCall1(enum_out, ROW_VALUE(row, P_PRESENCE_AUDIENCE))));
	data[1] = value_bool("discoverable", DatumGetBool(ROW_VALUE(row, P_DISCOVERABLE)));
	data[2] = value_list("changed", changed, nchanged);
	rp_emit_event(row_uuid(row, P_USER_ID), "PrivacyChanged", version, data, 3);
}

static HeapTuple
on_update(TriggerData *trigdata, SchemaVersion schema)
{
	const char *privacy_changed[2];
	int			nprivacy;
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
	PresenceChange presence = {"set", false};
	bool		custom_status_changed = false;
	const char *custom_status_reason = NULL;

	row_load(&old_row, trigdata->tg_relation->rd_att, trigdata->tg_trigtuple);
	/* The version bump of a contact or block event changes nothing else. */
	if (rp_is_bumping(row_uuid(&old_row, P_USER_ID)))
		return trigdata->tg_newtuple;

	row_load(&row, trigdata->tg_relation->rd_att, trigdata->tg_newtuple);
	if (!row_uuid_equal(&old_row, &row, P_USER_ID))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("user_id of a profile cannot be changed")));
	/* A heartbeat: last_seen only, nothing to check or emit, the row as written. */
	if (schema == SCHEMA_1_1 && !ROW_ISNULL(&row, P_BIO) && rp_is_plain_heartbeat(&old_row, &row, GetCurrentTimestamp()))
		return trigdata->tg_newtuple;
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
	if (schema == SCHEMA_1_1)
		presence = rp_presence_before_update(&old_row, &row, &status_changed);
	if (status_changed)
	{
		changed[nchanged++] = "status";
		if (presence.keep_last_seen)
			row_set(&row, P_LAST_SEEN, ROW_VALUE(&old_row, P_LAST_SEEN), ROW_ISNULL(&old_row, P_LAST_SEEN));
		else
			row_set(&row, P_LAST_SEEN, TimestampTzGetDatum(now), false);
		changed[nchanged++] = "last_seen";
	}
	else
		clamp_last_seen(&row, now);
	if (schema == SCHEMA_1_1)
	{
		rp_presence_after_update(&old_row, &row, status_changed);
		custom_status_changed = rp_custom_status_before_write(&old_row, &row, &custom_status_reason);
	}

	/* Schema 1.0 rows have no privacy columns. */
	nprivacy = schema == SCHEMA_1_1 ? privacy_changes(&old_row, &row, privacy_changed) : 0;

	/* A change that changes nothing (a last_seen heartbeat included) emits nothing. */
	version = DatumGetInt64(ROW_VALUE(&old_row, P_VERSION));
	row_set(&row, P_CREATED_AT, ROW_VALUE(&old_row, P_CREATED_AT), false);
	if (!profile_changed && !status_changed && !custom_status_changed && nprivacy == 0)
	{
		row_set(&row, P_VERSION, Int64GetDatum(version), false);
		row_set(&row, P_UPDATED_AT, ROW_VALUE(&old_row, P_UPDATED_AT), false);
		return row_build(&row);
	}

	row_set(&row, P_UPDATED_AT, TimestampTzGetDatum(now), false);
	if (profile_changed)
	{
		ndata = profile_fields(&row, data);
		data[ndata++] = value_list("changed", changed, nchanged);
		rp_emit_event(row_uuid(&row, P_USER_ID), "ProfileUpdated", ++version, data, ndata);
	}
	else if (status_changed)
	{
		data[0] = value_string("status", status_label(&row));
		data[1] = value_timestamp("last_seen", &row, P_LAST_SEEN);
		ndata = 2;
		if (schema == SCHEMA_1_1)
			data[ndata++] = value_string("reason", presence.reason);
		rp_emit_event(row_uuid(&row, P_USER_ID), "PresenceChanged", ++version, data, ndata);
	}
	/* One event per category: profile or presence, custom status, privacy. */
	if (custom_status_changed)
		rp_emit_custom_status_changed(&row, ++version, custom_status_reason);
	if (nprivacy > 0)
		emit_privacy_changed(&row, ++version, privacy_changed, nprivacy);
	row_set(&row, P_VERSION, Int64GetDatum(version), false);
	return row_build(&row);
}

/*
 * The user's own lists (mutes from schema 1.1 on); under schema 1.0 also every other user's
 * contact entry for them.
 */
static void
delete_lists_of(const pg_uuid_t *user_id, SchemaVersion schema)
{
	static SPIPlanPtr own_contacts = NULL;
	static SPIPlanPtr own_blocks = NULL;
	static SPIPlanPtr own_mutes = NULL;
	static SPIPlanPtr others_contacts = NULL;
	static const Oid argtypes[1] = {UUIDOID};
	Datum		values[1] = {UUIDPGetDatum(user_id)};

	rp_connect();
	rp_exec(rp_plan(&own_contacts, "DELETE FROM profile.contacts WHERE user_id = $1", 1, argtypes),
			values, NULL, false, 0);
	rp_exec(rp_plan(&own_blocks, "DELETE FROM profile.blocks WHERE user_id = $1", 1, argtypes),
			values, NULL, false, 0);
	if (schema == SCHEMA_1_0)
		rp_exec(rp_plan(&others_contacts, "DELETE FROM profile.contacts WHERE contact_user_id = $1", 1, argtypes),
				values, NULL, false, 0);
	else
		rp_exec(rp_plan(&own_mutes, "DELETE FROM profile.mutes WHERE user_id = $1", 1, argtypes),
				values, NULL, false, 0);
	rp_finish();
}

/*
 * After a DELETE of profiles (schema 1.1): the other users' contact entries
 * and mutes of every deleted user, each an event in its owner's stream. The
 * deleted users' own entries are gone already.
 */
static void
after_delete_statement(TriggerData *trigdata)
{
	static SPIPlanPtr contacts_plan = NULL;
	static SPIPlanPtr mutes_plan = NULL;
	static const Oid argtypes[1] = {UUIDARRAYOID};
	Tuplestorestate *deleted = trigdata->tg_oldtable;
	TupleTableSlot *slot;
	Datum	   *ids;
	int			nids = 0;
	int			capacity = 16;
	Datum		values[1];

	if (deleted == NULL || tuplestore_tuple_count(deleted) == 0)
		return;
	slot = MakeSingleTupleTableSlot(RelationGetDescr(trigdata->tg_relation), &TTSOpsMinimalTuple);
	ids = (Datum *) palloc(sizeof(Datum) * capacity);
	tuplestore_rescan(deleted);
	while (tuplestore_gettupleslot(deleted, true, false, slot))
	{
		bool		isnull;
		Datum		id = slot_getattr(slot, P_USER_ID, &isnull);

		if (nids == capacity)
		{
			capacity *= 2;
			ids = (Datum *) repalloc(ids, sizeof(Datum) * capacity);
		}
		ids[nids++] = datumCopy(id, false, UUID_LEN);
	}
	ExecDropSingleTupleTableSlot(slot);
	values[0] = PointerGetDatum(construct_array(ids, nids, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR));
	rp_connect();
	rp_exec(rp_plan(&contacts_plan, "DELETE FROM profile.contacts WHERE contact_user_id = ANY($1)", 1, argtypes),
			values, NULL, false, 0);
	rp_exec(rp_plan(&mutes_plan, "DELETE FROM profile.mutes WHERE muted_user_id = ANY($1)", 1, argtypes),
			values, NULL, false, 0);
	rp_finish();
}

static HeapTuple
on_delete(TriggerData *trigdata, SchemaVersion schema)
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
		delete_lists_of(user_id, schema);
		version = rp_next_owner_version(user_id, &exists);
		rp_emit_event(user_id, "ProfileDeleted", version, NULL, 0);
		if (schema == SCHEMA_1_1)
			retire_user(user_id, version);
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

static Datum
profiles_trigger(FunctionCallInfo fcinfo, SchemaVersion schema)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "realchat_profile: profiles_trigger must be called as a trigger");
	if (schema == SCHEMA_1_1 && TRIGGER_FIRED_AFTER(trigdata->tg_event))
	{
		if (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) && TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
			after_insert(trigdata);
		else if (TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) && TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
			after_delete_statement(trigdata);
		else
			elog(ERROR, "realchat_profile: unexpected AFTER trigger event on profile.profiles");
		return PointerGetDatum(NULL);
	}
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "realchat_profile: profiles_trigger must be a BEFORE ROW trigger");
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		return PointerGetDatum(on_insert(trigdata, schema));
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return PointerGetDatum(on_update(trigdata, schema));
	return PointerGetDatum(on_delete(trigdata, schema));
}

Datum
rp_profiles_trigger(PG_FUNCTION_ARGS)
{
	return profiles_trigger(fcinfo, SCHEMA_1_0);
}

Datum
rp_profiles_trigger_1_1(PG_FUNCTION_ARGS)
{
	return profiles_trigger(fcinfo, SCHEMA_1_1);
}
