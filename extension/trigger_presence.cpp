/*
 * trigger_presence.cpp: the presence and custom status rules of the profiles
 * trigger (schema 1.1); see presence.h.
 *
 * profile.presence_state holds what the row does not show: idle_from, the
 * status an idle-away user returns to on activity, and frozen_last_seen,
 * last_seen as it was when the user went invisible (what other viewers see).
 * A row exists only while the user is idle-away or invisible, so a heartbeat
 * of an online user touches nothing but its profile row.
 */
#include "presence.h"

extern "C" {
#include "access/xact.h"
#include "utils/datum.h"
}

static rp_change_cause current_cause = RP_CAUSE_NONE;

rp_change_cause
rp_current_change_cause(void)
{
	return current_cause;
}

int
rp_exec_with_cause(rp_change_cause cause, SPIPlanPtr plan, const Datum *values, const char *nulls, long count)
{
	int			rc;

	current_cause = cause;
	PG_TRY();
	{
		rc = rp_exec(plan, values, nulls, false, count);
	}
	PG_FINALLY();
	{
		current_cause = RP_CAUSE_NONE;
	}
	PG_END_TRY();
	return rc;
}

static bool
status_is(const RowEdit *row, const char *label)
{
	return strcmp(DatumGetCString(DirectFunctionCall1(enum_out, ROW_VALUE(row, PRS_STATUS))), label) == 0;
}

/* The new row's last_seen is later than the old one's: the user was active. */
static bool
last_seen_advanced(const RowEdit *old_row, const RowEdit *row)
{
	if (ROW_ISNULL(row, PRS_LAST_SEEN))
		return false;
	return ROW_ISNULL(old_row, PRS_LAST_SEEN) ||
		DatumGetTimestampTz(ROW_VALUE(row, PRS_LAST_SEEN)) > DatumGetTimestampTz(ROW_VALUE(old_row, PRS_LAST_SEEN));
}

/* The status an idle-away user had before idleness, if they are one. */
static bool
read_idle_from(Datum user_id, Datum *status)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[1] = {UUIDOID};
	Datum		values[1] = {user_id};
	bool		found = false;

	rp_connect();
	rp_exec(rp_plan(&plan,
					"SELECT idle_from FROM profile.presence_state WHERE user_id = $1 AND idle_from IS NOT NULL",
					1, argtypes),
			values, NULL, true, 1);
	if (SPI_processed == 1)
	{
		bool		isnull;

		/* an enum is an Oid, passed by value: no copy out of SPI memory needed */
		*status = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		found = !isnull;
	}
	rp_finish();
	return found;
}

static void
forget_state(Datum user_id)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[1] = {UUIDOID};
	Datum		values[1] = {user_id};

	rp_connect();
	rp_exec(rp_plan(&plan, "DELETE FROM profile.presence_state WHERE user_id = $1", 1, argtypes),
			values, NULL, false, 0);
	rp_finish();
}

/* Parameter types are fixed at the first call: the presence enum's Oid is the same for a backend's life. */
static void
remember_idle(const RowEdit *old_row)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {UUIDOID, TupleDescAttr(old_row->desc, PRS_STATUS - 1)->atttypid};
	Datum		values[2] = {ROW_VALUE(old_row, PRS_USER_ID), ROW_VALUE(old_row, PRS_STATUS)};

	rp_connect();
	rp_exec(rp_plan(&plan,
					"INSERT INTO profile.presence_state (user_id, idle_from) VALUES ($1, $2)"
					" ON CONFLICT (user_id) DO UPDATE SET idle_from = EXCLUDED.idle_from, frozen_last_seen = NULL",
					2, argtypes),
			values, NULL, false, 0);
	rp_finish();
}

static void
remember_invisible(const RowEdit *row)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[2] = {UUIDOID, TIMESTAMPTZOID};
	Datum		values[2] = {ROW_VALUE(row, PRS_USER_ID), ROW_VALUE(row, PRS_LAST_SEEN)};
	char		nulls[2] = {' ', ROW_ISNULL(row, PRS_LAST_SEEN) ? 'n' : ' '};

	rp_connect();
	rp_exec(rp_plan(&plan,
					"INSERT INTO profile.presence_state (user_id, frozen_last_seen) VALUES ($1, $2)"
					" ON CONFLICT (user_id) DO UPDATE SET idle_from = NULL, frozen_last_seen = EXCLUDED.frozen_last_seen",
					2, argtypes),
			values, nulls, false, 0);
	rp_finish();
}

PresenceChange
rp_presence_before_update(const RowEdit *old_row, RowEdit *row, bool *status_changed)
{
	PresenceChange change = {"set", false};

	switch (current_cause)
	{
		case RP_CAUSE_IDLE:
			change.reason = "idle";
			change.keep_last_seen = true;
			return change;
		case RP_CAUSE_TIMEOUT:
			change.reason = "timeout";
			change.keep_last_seen = true;
			return change;
		case RP_CAUSE_SET:
		case RP_CAUSE_EXPIRED:
			return change;
		case RP_CAUSE_NONE:
			break;
	}

	/* Activity (a heartbeat, or last_seen moved by hand) of a user whom idleness made away. */
	if (!*status_changed && status_is(row, "away") && last_seen_advanced(old_row, row))
	{
		Datum		idle_from;

		if (read_idle_from(ROW_VALUE(row, PRS_USER_ID), &idle_from))
		{
			row_set(row, PRS_STATUS, idle_from, false);
			*status_changed = true;
			change.reason = "active";
		}
	}
	return change;
}

void
rp_presence_after_update(const RowEdit *old_row, const RowEdit *row, bool status_changed)
{
	bool		was_away = status_is(old_row, "away");

	if (current_cause == RP_CAUSE_IDLE)
		remember_idle(old_row);
	else if (status_changed && status_is(row, "invisible"))
		remember_invisible(row);
	/* Leaving away or invisible; or away set on purpose, which activity no longer undoes. */
	else if ((status_changed && (was_away || status_is(old_row, "invisible"))) ||
			 (was_away && current_cause == RP_CAUSE_SET))
		forget_state(ROW_VALUE(row, PRS_USER_ID));
}

bool
rp_is_plain_heartbeat(const RowEdit *old_row, const RowEdit *row, TimestampTz now)
{
	TimestampTz last_seen;

	if (current_cause != RP_CAUSE_NONE || ROW_ISNULL(row, PRS_LAST_SEEN))
		return false;
	last_seen = DatumGetTimestampTz(ROW_VALUE(row, PRS_LAST_SEEN));
	if (TIMESTAMP_NOT_FINITE(last_seen) || last_seen > now)
		return false;
	/* Every other column as stored (binary equal: a rewritten toasted value takes the full path). */
	for (int attno = 1; attno <= row->desc->natts; attno++)
	{
		Form_pg_attribute att = TupleDescAttr(row->desc, attno - 1);

		if (attno == PRS_LAST_SEEN || att->attisdropped)
			continue;
		if (ROW_ISNULL(old_row, attno) != ROW_ISNULL(row, attno))
			return false;
		if (!ROW_ISNULL(row, attno) &&
			!datumIsEqual(ROW_VALUE(old_row, attno), ROW_VALUE(row, attno), att->attbyval, att->attlen))
			return false;
	}
	/* Activity returns an idle-away user to their status: the full path does that. */
	return !status_is(row, "away");
}

void
rp_presence_after_insert(const RowEdit *row)
{
	if (status_is(row, "invisible"))
		remember_invisible(row);
}

static bool
timestamp_column_equal(const RowEdit *a, const RowEdit *b, int attno)
{
	if (ROW_ISNULL(a, attno) || ROW_ISNULL(b, attno))
		return ROW_ISNULL(a, attno) == ROW_ISNULL(b, attno);
	return DatumGetTimestampTz(ROW_VALUE(a, attno)) == DatumGetTimestampTz(ROW_VALUE(b, attno));
}

static bool
custom_status_equal(const RowEdit *a, const RowEdit *b)
{
	return row_text_equal(a, b, PRS_STATUS_TEXT) && row_text_equal(a, b, PRS_STATUS_EMOJI) &&
		timestamp_column_equal(a, b, PRS_STATUS_EXPIRES_AT);
}

bool
rp_custom_status_before_write(const RowEdit *old_row, RowEdit *row, const char **reason)
{
	bool		cleared;

	if (old_row != NULL && custom_status_equal(old_row, row))
		return false;
	if (current_cause == RP_CAUSE_EXPIRED)
	{
		*reason = "expired";
		return true;
	}
	row_normalize_text(row, PRS_STATUS_TEXT, RP_FIELD_STATUS_TEXT);
	row_normalize_text(row, PRS_STATUS_EMOJI, RP_FIELD_STATUS_EMOJI);
	cleared = ROW_ISNULL(row, PRS_STATUS_TEXT) && ROW_ISNULL(row, PRS_STATUS_EMOJI);
	/* An expiry time alone is no status. */
	if (cleared)
		row_set(row, PRS_STATUS_EXPIRES_AT, (Datum) 0, true);
	else if (!ROW_ISNULL(row, PRS_STATUS_EXPIRES_AT))
	{
		TimestampTz expires_at = DatumGetTimestampTz(ROW_VALUE(row, PRS_STATUS_EXPIRES_AT));

		/* The transaction's clock, as run_expiry uses. */
		if (TIMESTAMP_NOT_FINITE(expires_at) || expires_at <= GetCurrentTransactionStartTimestamp())
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("status_expires_at must be a finite time later than now")));
	}
	if (old_row != NULL && custom_status_equal(old_row, row))
		return false;
	if (old_row == NULL && cleared)
		return false;
	*reason = cleared ? "cleared" : "set";
	return true;
}

void
rp_emit_custom_status_changed(const RowEdit *row, int64 version, const char *reason)
{
	rp_value	data[4];

	data[0] = value_text("status_text", row, PRS_STATUS_TEXT);
	data[1] = value_text("status_emoji", row, PRS_STATUS_EMOJI);
	data[2] = value_timestamp("expires_at", row, PRS_STATUS_EXPIRES_AT);
	data[3] = value_string("reason", reason);
	rp_emit_event(row_uuid(row, PRS_USER_ID), "CustomStatusChanged", version, data, 4);
}
