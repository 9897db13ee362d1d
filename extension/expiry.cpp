/*
 * expiry.cpp: run_expiry() and the kinds it applies (see expiry.h).
 *
 * Each batch picks its due rows with FOR NO KEY UPDATE SKIP LOCKED (a row a
 * writer holds waits for the next run) and updates them under a cause that
 * tells the profiles trigger which event to write. The UPDATE repeats the
 * rule, so a row that changed between the pick and the update is left alone.
 * Idleness scans the profiles without an index: one on last_seen would make
 * every heartbeat a non-HOT update.
 */
#include "expiry.h"
#include "mutes.h"
#include "presence.h"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(rp_run_expiry);
}

static int64
run_cutoff_batch(SPIPlanPtr *slot, const char *sql, rp_change_cause cause, TimestampTz cutoff, int limit)
{
	static const Oid argtypes[2] = {TIMESTAMPTZOID, INT4OID};
	Datum		values[2] = {TimestampTzGetDatum(cutoff), Int32GetDatum(limit)};
	int64		changed;

	rp_connect();
	rp_exec_with_cause(cause, rp_plan(slot, sql, 2, argtypes), values, NULL, 0);
	changed = (int64) SPI_processed;
	rp_finish();
	return changed;
}

/* Offline first: a user idle past both limits goes offline at once, without an away before. */
static int64
expire_to_offline(TimestampTz now, int limit)
{
	static SPIPlanPtr plan = NULL;

	if (rp_offline_after_s <= 0)
		return 0;
	return run_cutoff_batch(&plan,
							"WITH due AS (SELECT user_id FROM profile.profiles"
							"  WHERE status <> 'offline' AND last_seen < $1"
							"  LIMIT $2 FOR NO KEY UPDATE SKIP LOCKED)"
							" UPDATE profile.profiles p SET status = 'offline' FROM due"
							" WHERE p.user_id = due.user_id AND p.status <> 'offline' AND p.last_seen < $1",
							RP_CAUSE_TIMEOUT, now - (TimestampTz) rp_offline_after_s * USECS_PER_SEC, limit);
}

static int64
expire_to_away(TimestampTz now, int limit)
{
	static SPIPlanPtr plan = NULL;

	if (rp_away_after_s <= 0)
		return 0;
	return run_cutoff_batch(&plan,
							"WITH due AS (SELECT user_id FROM profile.profiles"
							"  WHERE status = 'online' AND last_seen < $1"
							"  LIMIT $2 FOR NO KEY UPDATE SKIP LOCKED)"
							" UPDATE profile.profiles p SET status = 'away' FROM due"
							" WHERE p.user_id = due.user_id AND p.status = 'online' AND p.last_seen < $1",
							RP_CAUSE_IDLE, now - (TimestampTz) rp_away_after_s * USECS_PER_SEC, limit);
}

static int64
expire_custom_status(TimestampTz now, int limit)
{
	static SPIPlanPtr plan = NULL;

	return run_cutoff_batch(&plan,
							"WITH due AS (SELECT user_id FROM profile.profiles"
							"  WHERE status_expires_at <= $1"
							"  LIMIT $2 FOR NO KEY UPDATE SKIP LOCKED)"
							" UPDATE profile.profiles p"
							" SET status_text = NULL, status_emoji = NULL, status_expires_at = NULL FROM due"
							" WHERE p.user_id = due.user_id AND p.status_expires_at <= $1",
							RP_CAUSE_EXPIRED, now, limit);
}

/*
 * The kinds, in the order they run. To add one (mute expiry: {"mutes",
 * expire_mutes}), write its batch function with the contract of expiry.h and
 * list it here; run_expiry() and the worker pick it up.
 */
/* Mutes keep their own batch (expire_mutes.cpp), which compares with the transaction's start. */
static int64
expire_mutes(TimestampTz now, int limit)
{
	return rp_expire_mutes(limit);
}

const rp_expiry_kind rp_expiry_kinds[] = {
	{"offline", expire_to_offline},
	{"away", expire_to_away},
	{"custom_status", expire_custom_status},
	{"mutes", expire_mutes},
};
const int	rp_expiry_nkinds = lengthof(rp_expiry_kinds);

/*
 * run_expiry(): every kind, batch after batch until one comes back short, in
 * the caller's transaction (the worker commits each batch on its own).
 */
Datum
rp_run_expiry(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TimestampTz now = GetCurrentTransactionStartTimestamp();

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < rp_expiry_nkinds; i++)
	{
		int64		total = 0;
		int64		changed;
		Datum		values[2];
		bool		nulls[2] = {false, false};

		do
		{
			CHECK_FOR_INTERRUPTS();
			changed = rp_expiry_kinds[i].run_batch(now, RP_EXPIRY_BATCH);
			total += changed;
		} while (changed >= RP_EXPIRY_BATCH);
		values[0] = CStringGetTextDatum(rp_expiry_kinds[i].kind);
		values[1] = Int64GetDatum(total);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
