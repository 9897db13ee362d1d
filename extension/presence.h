/*
 * presence.h: presence, idleness and custom status (schema 1.1).
 *
 * The profiles trigger does the work, so a change by hand behaves as one
 * through the API. What the trigger cannot tell from the rows alone, why a
 * status changes, the caller states for the one statement it runs: set_status
 * (a status set on purpose) and run_expiry (idleness, timeout, expiry).
 */
#ifndef REALCHAT_PRESENCE_H
#define REALCHAT_PRESENCE_H

#include "rows.h"

typedef enum rp_change_cause
{
	RP_CAUSE_NONE,				/* any other statement: a heartbeat, a change by hand */
	RP_CAUSE_SET,				/* set_status */
	RP_CAUSE_IDLE,				/* run_expiry: online -> away */
	RP_CAUSE_TIMEOUT,			/* run_expiry: -> offline, last_seen kept */
	RP_CAUSE_EXPIRED			/* run_expiry: custom status cleared */
} rp_change_cause;

/* The cause in force (RP_CAUSE_NONE outside rp_exec_with_cause), for any table's trigger. */
rp_change_cause rp_current_change_cause(void);

/* Runs one prepared statement with `cause` in force for the triggers it fires. */
int			rp_exec_with_cause(rp_change_cause cause, SPIPlanPtr plan, const Datum *values,
							   const char *nulls, long count);

/* Attribute numbers of profile.profiles that presence reads (1.0: 6, 7; 1.1: 11..13). */
enum
{
	PRS_USER_ID = 1,
	PRS_STATUS = 6,
	PRS_LAST_SEEN = 7,
	PRS_STATUS_TEXT = 11,
	PRS_STATUS_EMOJI = 12,
	PRS_STATUS_EXPIRES_AT = 13
};

typedef struct PresenceChange
{
	const char *reason;			/* PresenceChanged.reason: set, active, idle, timeout */
	bool		keep_last_seen;	/* idleness and timeout leave last_seen at the last activity */
} PresenceChange;

/*
 * Before the status rules of an UPDATE: may return an idle-away user to the
 * status they had before (activity), sets *status_changed accordingly and
 * says why the status changes.
 */
PresenceChange rp_presence_before_update(const RowEdit *old_row, RowEdit *row, bool *status_changed);

/* After them (last_seen final): keeps profile.presence_state in step. */
void		rp_presence_after_update(const RowEdit *old_row, const RowEdit *row, bool status_changed);

/*
 * A plain heartbeat: an UPDATE by no API cause that moves only last_seen, to a
 * finite time no later than `now`, of a user who is not away. Such a row needs
 * no validation, writes no event and no presence state, and is stored as
 * written, so the trigger returns it untouched.
 */
bool		rp_is_plain_heartbeat(const RowEdit *old_row, const RowEdit *row, TimestampTz now);

/*
 * heartbeat's plain case in place, without the executor (plain_heartbeat.cpp):
 * true with the new row in *result, false when the UPDATE must decide.
 */
bool		rp_plain_heartbeat(const pg_uuid_t *user_id, Datum *result);

/* A new profile created invisible: its frozen last_seen. */
void		rp_presence_after_insert(const RowEdit *row);

/*
 * Validates and normalises the custom status columns of an UPDATE (or
 * INSERT, old_row NULL). Returns whether they changed; *reason is set, cleared
 * or expired.
 */
bool		rp_custom_status_before_write(const RowEdit *old_row, RowEdit *row, const char **reason);

/* CustomStatusChanged for the row at `version`. */
void		rp_emit_custom_status_changed(const RowEdit *row, int64 version, const char *reason);

#endif
