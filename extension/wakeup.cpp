/*
 * wakeup.cpp: NOTIFY the publisher only when it waits.
 *
 * A NOTIFY takes a cluster-wide lock at commit that serialises every notifying
 * commit, so writers notify only after the publisher asked for it with
 * profile.request_wakeup(), and then only the one writer that claims the
 * request. The decision is taken at pre-commit, not at the first event, to keep
 * the window between "decided not to notify" and "commit visible" short (it is
 * the commit's WAL flush). That window is closed completely: a writer entering
 * it takes a ticket and shows it in its backend's slot, and request_wakeup()
 * waits for the writers holding tickets from before its request, and for no
 * later ones, before it looks for pending rows. So its wait is bounded by one
 * commit, however busy the writers are.
 *
 * Each database has its own request flag and waiter, in a small table claimed
 * by the first request_wakeup() of a database: a NOTIFY reaches only the
 * listeners of its own database, so a write elsewhere must neither take the
 * request nor be waited for. A full table gives the slot of a dropped
 * database to the next one; with none to give, writers of a database
 * without a slot notify at every writing commit, as without preloading.
 *
 * Without shared_preload_libraries there is no shared memory, and every
 * writing transaction notifies, once.
 */
#include "pg_glue.h"

extern "C" {
#include "access/xact.h"
#include "commands/async.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
}

/* Databases with a request flag of their own; see the file's comment. */
#define WAKEUP_DATABASES 64

typedef struct WakeupDatabase
{
	pg_atomic_uint32 dboid;		/* written once, before the slot is counted */
	pg_atomic_uint32 requested;	/* a publisher waits for a NOTIFY */
	/* pgprocno + 1 of the backend waiting in request_wakeup() for this
	 * database's writers in their commit window, 0 if none: they set its
	 * latch. */
	pg_atomic_uint32 waiter;
} WakeupDatabase;

typedef struct WakeupWindow
{
	/* The ticket of the writer inside its commit window, between "skip the
	 * NOTIFY" and a visible commit; 0 when outside. */
	pg_atomic_uint64 ticket;
	pg_atomic_uint32 dboid;		/* its database, written before the ticket */
} WakeupWindow;

typedef struct WakeupShared
{
	slock_t		claim_lock;		/* serialises claims of database slots */
	pg_atomic_uint32 ndatabases;	/* slots claimed; never decreases */
	pg_atomic_uint64 tickets;	/* commit-window entries so far */
	pg_atomic_uint64 notifies_sent;
	pg_atomic_uint64 wakeups_requested;
	WakeupDatabase databases[WAKEUP_DATABASES];
	int			nslots;
	/* Per backend (rp_backend_slot()). */
	WakeupWindow window[FLEXIBLE_ARRAY_MEMBER];
} WakeupShared;

static WakeupShared *shared = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* This transaction's state. */
static bool wrote_event = false;
static bool claimed_request = false;
static WakeupWindow *my_window = NULL;	/* this backend's slot while inside */
static uint64 local_notifies_sent = 0;

static Size
wakeup_shmem_size(void)
{
	return add_size(offsetof(WakeupShared, window), mul_size(MaxBackends, sizeof(WakeupWindow)));
}

static void
wakeup_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(wakeup_shmem_size()));
}

static void
wakeup_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = (WakeupShared *) ShmemInitStruct("realchat_profile wakeup", wakeup_shmem_size(), &found);
	if (!found)
	{
		SpinLockInit(&shared->claim_lock);
		pg_atomic_init_u32(&shared->ndatabases, 0);
		pg_atomic_init_u64(&shared->tickets, 0);
		pg_atomic_init_u64(&shared->notifies_sent, 0);
		pg_atomic_init_u64(&shared->wakeups_requested, 0);
		for (int i = 0; i < WAKEUP_DATABASES; i++)
		{
			pg_atomic_init_u32(&shared->databases[i].dboid, InvalidOid);
			pg_atomic_init_u32(&shared->databases[i].requested, 0);
			pg_atomic_init_u32(&shared->databases[i].waiter, 0);
		}
		shared->nslots = MaxBackends;
		for (int i = 0; i < MaxBackends; i++)
		{
			pg_atomic_init_u64(&shared->window[i].ticket, 0);
			pg_atomic_init_u32(&shared->window[i].dboid, InvalidOid);
		}
	}
	LWLockRelease(AddinShmemInitLock);
}

void
rp_wakeup_request_shmem(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = wakeup_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = wakeup_shmem_startup;
}

static WakeupDatabase *
find_database(uint32 n)
{
	for (uint32 i = 0; i < n; i++)
		if (pg_atomic_read_u32(&shared->databases[i].dboid) == MyDatabaseId)
			return &shared->databases[i];
	return NULL;
}

/* A slot whose database was dropped, with that database's oid in *dboid; -1
 * if none. Reads the catalog, so never under the claim lock. */
static int
dropped_database_slot(Oid *dboid)
{
	for (int i = 0; i < WAKEUP_DATABASES; i++)
	{
		*dboid = pg_atomic_read_u32(&shared->databases[i].dboid);
		if (!SearchSysCacheExists1(DATABASEOID, ObjectIdGetDatum(*dboid)))
			return i;
	}
	return -1;
}

/*
 * This database's slot, claimed if `claim` (inside a transaction) and one is
 * free or left by a dropped database; NULL if it has none, with *full set
 * when the table is full. The count of claimed slots never decreases, and a
 * slot changes hands only once its database is gone, so a slot once found is
 * kept for the backend's life. A writer that misses a slot being reused sees
 * the table full and notifies: never wrong.
 */
static WakeupDatabase *
this_database(bool claim, bool *full)
{
	static WakeupDatabase *mine = NULL;
	WakeupDatabase *db;
	uint32		n;

	if (full)
		*full = false;
	if (mine)
		return mine;
	n = pg_atomic_read_u32(&shared->ndatabases);
	pg_read_barrier();			/* the count before the slots it covers */
	if ((db = find_database(n)) != NULL)
		return mine = db;
	if (claim)
	{
		Oid			dropped = InvalidOid;
		int			reuse = n >= WAKEUP_DATABASES ? dropped_database_slot(&dropped) : -1;

		SpinLockAcquire(&shared->claim_lock);
		n = pg_atomic_read_u32(&shared->ndatabases);
		db = find_database(n);
		if (db == NULL && n < WAKEUP_DATABASES)
		{
			db = &shared->databases[n];
			pg_atomic_write_u32(&db->dboid, MyDatabaseId);
			pg_write_barrier();	/* the slot before the count that covers it */
			pg_atomic_write_u32(&shared->ndatabases, n + 1);
		}
		else if (db == NULL && reuse >= 0 && pg_atomic_read_u32(&shared->databases[reuse].dboid) == dropped)
		{
			db = &shared->databases[reuse];
			pg_atomic_write_u32(&db->requested, 0);
			pg_atomic_write_u32(&db->waiter, 0);
			pg_write_barrier();	/* a fresh slot before the database that owns it */
			pg_atomic_write_u32(&db->dboid, MyDatabaseId);
		}
		SpinLockRelease(&shared->claim_lock);
		if (db)
			return mine = db;
	}
	if (full)
		*full = (n >= WAKEUP_DATABASES);
	return NULL;
}

/* What this backend's waiter registration holds. */
static uint32
my_waiter_id(void)
{
	return (uint32) rp_proc_number() + 1;
}

static void
leave_commit_window(void)
{
	WakeupDatabase *db;
	uint32		waiter;

	if (my_window == NULL)
		return;
	pg_atomic_write_u64(&my_window->ticket, 0);
	my_window = NULL;
	/* Clear the slot before looking for a waiter: it registers before it
	 * reads the slots, so either it sees ours cleared or we see it. */
	pg_memory_barrier();
	db = this_database(false, NULL);
	waiter = db ? pg_atomic_read_u32(&db->waiter) : 0;
	if (waiter != 0)
		SetLatch(&ProcGlobal->allProcs[waiter - 1].procLatch);
}

/*
 * A backend that exits inside its commit window, or while registered as its
 * database's waiter (a FATAL such as pg_terminate_backend() skips
 * PG_FINALLY), must leave neither behind: a stale ticket would make every
 * request wait out its deadline, a stale waiter would keep the next one from
 * registering. Registered from the backend itself: _PG_init() runs in the
 * postmaster when preloaded, and children drop the postmaster's exit
 * callbacks.
 */
static void
wakeup_before_exit(int code, Datum arg)
{
	WakeupDatabase *db;
	uint32		me;

	leave_commit_window();
	db = this_database(false, NULL);
	me = my_waiter_id();
	if (db)
		(void) pg_atomic_compare_exchange_u32(&db->waiter, &me, 0);
}

static void
clean_up_at_exit(void)
{
	static bool registered = false;

	if (registered)
		return;
	before_shmem_exit(wakeup_before_exit, 0);
	registered = true;
}

static void
notify_publisher(void)
{
	Async_Notify(rp_notify_channel, "");
	local_notifies_sent++;
	if (shared)
		pg_atomic_fetch_add_u64(&shared->notifies_sent, 1);
}

static void
decide_at_pre_commit(void)
{
	WakeupDatabase *db;
	bool		full;

	/* Backends without a slot (none is expected to write events) always notify. */
	if (shared == NULL || rp_backend_slot() < 0 || rp_backend_slot() >= shared->nslots)
	{
		notify_publisher();
		return;
	}
	clean_up_at_exit();
	/*
	 * Show the window before reading the flag, with a full barrier between:
	 * request_wakeup() sets the flag before it reads the slots, so either it
	 * sees this slot and waits, or this writer sees the flag and notifies.
	 * The database goes first, so a reader that sees the ticket sees it too.
	 */
	my_window = &shared->window[rp_backend_slot()];
	pg_atomic_write_u32(&my_window->dboid, MyDatabaseId);
	pg_atomic_write_u64(&my_window->ticket, pg_atomic_add_fetch_u64(&shared->tickets, 1));
	pg_memory_barrier();
	db = this_database(false, &full);
	if (db ? (pg_atomic_read_u32(&db->requested) != 0 && pg_atomic_exchange_u32(&db->requested, 0) != 0) : full)
	{
		claimed_request = (db != NULL);
		leave_commit_window();
		notify_publisher();
	}
}

static void
wakeup_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			if (wrote_event)
				decide_at_pre_commit();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			/* A claimed request whose NOTIFY dies with us goes back for the next writer. */
			if (claimed_request && shared)
				pg_atomic_write_u32(&this_database(false, NULL)->requested, 1);
			/* FALLTHROUGH */
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			if (shared)
				leave_commit_window();
			wrote_event = false;
			claimed_request = false;
			break;
		default:
			break;
	}
}

void
rp_wakeup_register_callbacks(void)
{
	RegisterXactCallback(wakeup_xact_callback, NULL);
}

void
rp_wakeup_note_event(void)
{
	wrote_event = true;
}

extern "C" {
PG_FUNCTION_INFO_V1(rp_request_wakeup);
PG_FUNCTION_INFO_V1(rp_wakeup_stats);
}

/* Longest wait for writers inside the commit window (one commit normally
 * takes far less); past it, report "not quiet" so the publisher reads again
 * instead of sleeping. */
#define COMMIT_WINDOW_WAIT_MS 20
/* A second waiter, whom writers do not wake, looks again this often. */
#define UNREGISTERED_POLL_MS 1

/* True once no writer of this database that entered its commit window at or
 * before ticket `upto` is still inside it. Writers of other databases notify
 * their own listeners: they are not waited for. */
static bool
window_clear_upto(uint64 upto)
{
	for (int i = 0; i < shared->nslots; i++)
	{
		uint64		ticket = pg_atomic_read_u64(&shared->window[i].ticket);

		if (ticket == 0 || ticket > upto)
			continue;
		pg_read_barrier();		/* the ticket before the database written ahead of it */
		if (pg_atomic_read_u32(&shared->window[i].dboid) == MyDatabaseId)
			return false;
	}
	return true;
}

/*
 * Sleeps until the writers inside their commit window at ticket `upto` have
 * left it, woken by the last of them if registered as `db`'s waiter (polling
 * otherwise); false after COMMIT_WINDOW_WAIT_MS.
 */
static bool
wait_for_commit_window(uint64 upto, WakeupDatabase *db)
{
	const TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), COMMIT_WINDOW_WAIT_MS);
	uint32		unclaimed = 0;
	bool		registered;
	volatile bool clear = false;

	clean_up_at_exit();
	registered = db && pg_atomic_compare_exchange_u32(&db->waiter, &unclaimed, my_waiter_id());

	PG_TRY();
	{
		for (;;)
		{
			long		left_ms;

			/* Reset before looking: a SetLatch after the look is not lost. */
			ResetLatch(MyLatch);
			if (window_clear_upto(upto))
			{
				clear = true;
				break;
			}
			left_ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
			if (left_ms <= 0)
				break;
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 registered ? left_ms : Min(left_ms, UNREGISTERED_POLL_MS), PG_WAIT_EXTENSION);
			CHECK_FOR_INTERRUPTS();
		}
	}
	PG_FINALLY();
	{
		if (registered)
			pg_atomic_write_u32(&db->waiter, 0);
	}
	PG_END_TRY();
	return clear;
}

Datum
rp_request_wakeup(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr pending_plan = NULL;
	bool		quiet = true;
	bool		pending;

	if (shared)
	{
		WakeupDatabase *db = this_database(true, NULL);
		uint64		upto;

		/* With no slot to be had, this database's writers all notify; the
		 * wait below still covers those that saw a free slot. */
		if (db)
			pg_atomic_exchange_u32(&db->requested, 1);
		else
		{
			static bool logged = false;

			pg_memory_barrier();
			if (!logged)
				ereport(LOG, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
							  errmsg("realchat_profile: all %d wake-up slots are taken by other databases",
									 WAKEUP_DATABASES),
							  errdetail("Writers of this database notify at every writing commit.")));
			logged = true;
		}
		pg_atomic_fetch_add_u64(&shared->wakeups_requested, 1);
		/* Writers with a later ticket see the flag (see decide_at_pre_commit). */
		upto = pg_atomic_fetch_add_u64(&shared->tickets, 0);
		if (!window_clear_upto(upto))
			quiet = wait_for_commit_window(upto, db);
	}
	if (!quiet)
		PG_RETURN_BOOL(true);

	/* Not read-only, so SPI takes a new snapshot now, after the wait above:
	 * the statement's own snapshot predates the commits we waited for. */
	rp_connect();
	rp_exec(rp_plan(&pending_plan,
					"SELECT EXISTS (SELECT 1 FROM profile.outbox"
					" WHERE published_at IS NULL AND quarantined_at IS NULL)",
					0, NULL),
			NULL, NULL, false, 1);
	pending = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &quiet));
	rp_finish();
	PG_RETURN_BOOL(pending);
}

/* (preloaded, wakeup_requested, notifies_sent, wakeups_requested): the flag
 * is this database's; the counts cover the whole cluster when preloaded,
 * this backend otherwise. */
Datum
rp_wakeup_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "realchat_profile: wakeup_stats must return a record");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = BoolGetDatum(shared != NULL);
	if (shared)
	{
		WakeupDatabase *db = this_database(false, NULL);

		values[1] = BoolGetDatum(db && pg_atomic_read_u32(&db->requested) != 0);
	}
	else
		values[1] = BoolGetDatum(false);
	values[2] = Int64GetDatum(shared ? (int64) pg_atomic_read_u64(&shared->notifies_sent) : (int64) local_notifies_sent);
	values[3] = Int64GetDatum(shared ? (int64) pg_atomic_read_u64(&shared->wakeups_requested) : 0);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
