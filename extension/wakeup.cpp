/*
 * wakeup.cpp: NOTIFY the publisher only when it waits.
 *
 * A NOTIFY takes a cluster-wide lock at commit that serialises every notifying
 * commit, so writers notify only after the publisher asked for it with
 * profile.request_wakeup(), and then only the one writer that claims the
 * request. The decision is taken at pre-commit, not at the first event, to keep
 * the window between "decided not to notify" and "commit visible" short; that
 * window is closed completely by `committing`: request_wakeup() waits for the
 * writers inside it before it looks for pending rows.
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
#include "storage/lwlock.h"
#include "storage/shmem.h"
}

typedef struct WakeupShared
{
	pg_atomic_uint32 requested;		/* a publisher waits for a NOTIFY */
	pg_atomic_uint32 committing;	/* writers between "skip" and visible commit */
	pg_atomic_uint64 notifies_sent;
	pg_atomic_uint64 wakeups_requested;
} WakeupShared;

static WakeupShared *shared = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* This transaction's state. */
static bool wrote_event = false;
static bool claimed_request = false;
static bool in_commit_window = false;
static uint64 local_notifies_sent = 0;

static void
wakeup_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(WakeupShared)));
}

static void
wakeup_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = (WakeupShared *) ShmemInitStruct("realchat_profile wakeup", sizeof(WakeupShared), &found);
	if (!found)
	{
		pg_atomic_init_u32(&shared->requested, 0);
		pg_atomic_init_u32(&shared->committing, 0);
		pg_atomic_init_u64(&shared->notifies_sent, 0);
		pg_atomic_init_u64(&shared->wakeups_requested, 0);
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

static void
leave_commit_window(void)
{
	if (in_commit_window)
	{
		pg_atomic_fetch_sub_u32(&shared->committing, 1);
		in_commit_window = false;
	}
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
	if (shared == NULL)
	{
		notify_publisher();
		return;
	}
	/* Enter the window before reading the flag: request_wakeup() sets the flag
	 * before reading `committing`, so one of the two always sees the other. */
	pg_atomic_fetch_add_u32(&shared->committing, 1);
	in_commit_window = true;
	if (pg_atomic_read_u32(&shared->requested) != 0 &&
		pg_atomic_exchange_u32(&shared->requested, 0) != 0)
	{
		claimed_request = true;
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
				pg_atomic_write_u32(&shared->requested, 1);
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

/* A backend that exits inside the window must not leave `committing` raised. */
static void
wakeup_before_exit(int code, Datum arg)
{
	if (shared)
		leave_commit_window();
}

void
rp_wakeup_register_callbacks(void)
{
	RegisterXactCallback(wakeup_xact_callback, NULL);
	before_shmem_exit(wakeup_before_exit, 0);
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

/* Longest wait for writers inside the commit window; past it, report "not
 * quiet" so the publisher reads again instead of sleeping. */
#define COMMIT_WINDOW_WAIT_US 20000
#define COMMIT_WINDOW_STEP_US 100

Datum
rp_request_wakeup(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr pending_plan = NULL;
	bool		quiet = true;
	bool		pending;

	if (shared)
	{
		pg_atomic_exchange_u32(&shared->requested, 1);
		pg_atomic_fetch_add_u64(&shared->wakeups_requested, 1);
		for (int waited = 0; pg_atomic_read_u32(&shared->committing) != 0; waited += COMMIT_WINDOW_STEP_US)
		{
			if (waited >= COMMIT_WINDOW_WAIT_US)
			{
				quiet = false;
				break;
			}
			CHECK_FOR_INTERRUPTS();
			pg_usleep(COMMIT_WINDOW_STEP_US);
		}
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

/* (preloaded, wakeup_requested, notifies_sent, wakeups_requested): notifies
 * count the whole cluster when preloaded, this backend otherwise. */
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
	values[1] = BoolGetDatum(shared && pg_atomic_read_u32(&shared->requested) != 0);
	values[2] = Int64GetDatum(shared ? (int64) pg_atomic_read_u64(&shared->notifies_sent) : (int64) local_notifies_sent);
	values[3] = Int64GetDatum(shared ? (int64) pg_atomic_read_u64(&shared->wakeups_requested) : 0);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
