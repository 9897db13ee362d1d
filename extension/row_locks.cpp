/* row_locks.cpp: profile row locks in user_id order (see row_locks.h). */
#include "row_locks.h"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
}

/* Attempts at a stable set of rows for a deletion before going on without the order. */
#define DELETE_LOCK_ATTEMPTS 10

static void
lock_one(SPIPlanPtr *slot, const char *sql, const pg_uuid_t *user_id)
{
	static const Oid argtypes[1] = {UUIDOID};
	Datum		values[1] = {UUIDPGetDatum(user_id)};

	rp_exec(rp_plan(slot, sql, 1, argtypes), values, NULL, false, 0);
}

static void
lock_for_change(const pg_uuid_t *user_id)
{
	static SPIPlanPtr plan = NULL;

	lock_one(&plan, "SELECT 1 FROM profile.profiles WHERE user_id = $1 FOR NO KEY UPDATE", user_id);
}

static void
lock_for_reference(const pg_uuid_t *user_id)
{
	static SPIPlanPtr plan = NULL;

	lock_one(&plan, "SELECT 1 FROM profile.profiles WHERE user_id = $1 FOR KEY SHARE", user_id);
}

void
rp_lock_owner(const pg_uuid_t *owner)
{
	rp_connect();
	lock_for_change(owner);
	rp_finish();
}

void
rp_lock_owner_and_other(const pg_uuid_t *owner, const pg_uuid_t *other)
{
	rp_connect();
	if (memcmp(owner->data, other->data, UUID_LEN) < 0)
	{
		lock_for_change(owner);
		lock_for_reference(other);
	}
	else
	{
		lock_for_reference(other);
		lock_for_change(owner);
	}
	rp_finish();
}

void
rp_lock_other_if_first(const pg_uuid_t *owner, const pg_uuid_t *other)
{
	if (memcmp(other->data, owner->data, UUID_LEN) >= 0)
		return;
	rp_connect();
	lock_for_reference(other);
	rp_finish();
}

/*
 * The users whose lists hold user_id (contacts; mutes from schema 1.1 on), as a sorted uuid[]
 * in the caller's memory context.
 */
static Datum
holders_of(const pg_uuid_t *user_id, bool with_mutes)
{
	static SPIPlanPtr contacts_plan = NULL;
	static SPIPlanPtr lists_plan = NULL;
	static const Oid argtypes[1] = {UUIDOID};
	Datum		values[1] = {UUIDPGetDatum(user_id)};
	Datum		holders;
	bool		isnull;

	rp_connect();
	if (with_mutes)
		rp_exec(rp_plan(&lists_plan,
						"SELECT COALESCE(array_agg(DISTINCT user_id ORDER BY user_id), '{}') FROM ("
						" SELECT user_id FROM profile.contacts WHERE contact_user_id = $1"
						" UNION ALL SELECT user_id FROM profile.mutes WHERE muted_user_id = $1) h",
						1, argtypes),
				values, NULL, false, 1);
	else
		rp_exec(rp_plan(&contacts_plan,
						"SELECT COALESCE(array_agg(DISTINCT user_id ORDER BY user_id), '{}')"
						" FROM profile.contacts WHERE contact_user_id = $1",
						1, argtypes),
				values, NULL, false, 1);
	holders = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	holders = SPI_datumTransfer(holders, false, -1);
	rp_finish();
	return holders;
}

/*
 * Locks the holders below user_id, user_id itself, then the holders above it, and checks that
 * no holder came in meanwhile (one that added the user between the read of the holders and the
 * lock of the user's row: from then on none can, since adding a contact takes FOR KEY SHARE on
 * it). Returns false, the locks taken, if one did.
 */
static bool
lock_in_order(const pg_uuid_t *user_id, Datum holders, bool with_mutes)
{
	static SPIPlanPtr below = NULL;
	static SPIPlanPtr self = NULL;
	static SPIPlanPtr above = NULL;
	static SPIPlanPtr contact_newcomers = NULL;
	static SPIPlanPtr list_newcomers = NULL;
	static const Oid argtypes[2] = {UUIDOID, UUIDARRAYOID};
	Datum		values[2] = {UUIDPGetDatum(user_id), holders};
	bool		isnull;
	bool		stable;

	rp_connect();
	rp_exec(rp_plan(&below,
					"SELECT 1 FROM profile.profiles WHERE user_id = ANY($2) AND user_id < $1"
					" ORDER BY user_id FOR NO KEY UPDATE",
					2, argtypes),
			values, NULL, false, 0);
	rp_exec(rp_plan(&self, "SELECT 1 FROM profile.profiles WHERE user_id = $1 AND $2 IS NOT NULL FOR UPDATE",
					2, argtypes),
			values, NULL, false, 0);
	rp_exec(rp_plan(&above,
					"SELECT 1 FROM profile.profiles WHERE user_id = ANY($2) AND user_id > $1"
					" ORDER BY user_id FOR NO KEY UPDATE",
					2, argtypes),
			values, NULL, false, 0);
	if (with_mutes)
		rp_exec(rp_plan(&list_newcomers,
						"SELECT NOT EXISTS (SELECT 1 FROM profile.contacts"
						" WHERE contact_user_id = $1 AND user_id <> ALL ($2))"
						" AND NOT EXISTS (SELECT 1 FROM profile.mutes"
						" WHERE muted_user_id = $1 AND user_id <> ALL ($2))",
						2, argtypes),
				values, NULL, false, 1);
	else
		rp_exec(rp_plan(&contact_newcomers,
						"SELECT NOT EXISTS (SELECT 1 FROM profile.contacts"
						" WHERE contact_user_id = $1 AND user_id <> ALL ($2))",
						2, argtypes),
				values, NULL, false, 1);
	stable = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	rp_finish();
	return stable;
}

/*
 * Each attempt runs in a subtransaction, so an attempt that found a newcomer gives its locks
 * back (rolling a subtransaction back releases the row locks it took) and the next one starts
 * in order again with the larger set.
 */
void
rp_lock_for_delete(const pg_uuid_t *user_id, bool with_mutes)
{
	MemoryContext caller_context = CurrentMemoryContext;
	ResourceOwner caller_owner = CurrentResourceOwner;

	for (int attempt = 1; attempt <= DELETE_LOCK_ATTEMPTS; attempt++)
	{
		Datum		holders = holders_of(user_id, with_mutes);
		volatile bool stable = false;

		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(caller_context);
		PG_TRY();
		{
			stable = lock_in_order(user_id, holders, with_mutes);
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(caller_context);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(caller_context);
			CurrentResourceOwner = caller_owner;
			ReThrowError(edata);
		}
		PG_END_TRY();
		if (stable || attempt == DELETE_LOCK_ATTEMPTS)
			ReleaseCurrentSubTransaction();
		else
			RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller_context);
		CurrentResourceOwner = caller_owner;
		if (stable)
			return;
		CHECK_FOR_INTERRUPTS();
	}
	/* Still not stable: keep the locks and go on; PostgreSQL's deadlock detector remains. */
}
