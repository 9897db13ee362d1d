/*
 * expiry_worker.cpp: run_expiry by itself, when the library is preloaded.
 *
 * A launcher (a static background worker, restarted by the postmaster
 * bgw_restart_time after a crash) starts one worker per database named in
 * realchat_profile.expiry_databases and follows that list on SIGHUP:
 * a database added gets a worker, one removed loses it, and a worker that
 * exits (terminated, or failed) is started again within a second or two.
 * Per-database workers are dynamic and never restarted by the postmaster
 * themselves: after a crash the postmaster forgets them and the restarted
 * launcher starts them afresh, so no database ever has two.
 *
 * A per-database worker runs every kind of rp_expiry_kinds each
 * realchat_profile.expiry_interval, one transaction per batch, so it holds
 * its row locks briefly. Over a backlog it paces itself: after a batch that
 * changed rows it waits in proportion to the batch's time
 * (realchat_profile.expiry_duty), so over a mass of due users it takes the
 * CPU and WAL of that share of the time, not of a whole core. It skips a
 * database where the extension is not at 1.1 or later yet.
 */
#include "expiry.h"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/varlena.h"

PGDLLEXPORT void rp_expiry_launcher_main(Datum arg);
PGDLLEXPORT void rp_expiry_worker_main(Datum arg);
}

#define LAUNCHER_TYPE "realchat_profile expiry launcher"
#define WORKER_TYPE "realchat_profile expiry"
#define MAX_EXPIRY_DATABASES 32
/* A worker that exits is started again no sooner than this, so a failing one does not spin. */
#define RELAUNCH_DELAY_MS 1000

void
rp_expiry_register_launcher(void)
{
	BackgroundWorker worker = {};

	/* A connection to no database: shown in pg_stat_activity, as the logical replication launcher is. */
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "realchat_profile");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "rp_expiry_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, LAUNCHER_TYPE);
	snprintf(worker.bgw_type, BGW_MAXLEN, LAUNCHER_TYPE);
	RegisterBackgroundWorker(&worker);
}

/* ---- launcher ---- */

typedef struct DatabaseWorker
{
	char		dbname[NAMEDATALEN];
	BackgroundWorkerHandle *handle;	/* NULL: not started, or exited */
	TimestampTz last_start;
} DatabaseWorker;

static DatabaseWorker workers[MAX_EXPIRY_DATABASES];
static int	nworkers = 0;

static bool
start_database_worker(DatabaseWorker *w)
{
	BackgroundWorker worker = {};

	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "realchat_profile");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "rp_expiry_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, WORKER_TYPE " for %s", w->dbname);
	snprintf(worker.bgw_type, BGW_MAXLEN, WORKER_TYPE);
	strlcpy(worker.bgw_extra, w->dbname, BGW_EXTRALEN);
	worker.bgw_notify_pid = MyProcPid;
	w->last_start = GetCurrentTimestamp();
	if (!RegisterDynamicBackgroundWorker(&worker, &w->handle))
	{
		w->handle = NULL;
		ereport(WARNING,
				(errmsg("realchat_profile: cannot start the expiry worker for database \"%s\"", w->dbname),
				 errhint("Raise max_worker_processes.")));
		return false;
	}
	return true;
}

static void
stop_database_worker(DatabaseWorker *w)
{
	if (w->handle != NULL)
	{
		TerminateBackgroundWorker(w->handle);
		pfree(w->handle);
		w->handle = NULL;
	}
}

/* The databases of realchat_profile.expiry_databases, or NIL if the list does not parse. */
static List *
listed_databases(void)
{
	char	   *raw = pstrdup(rp_expiry_databases != NULL ? rp_expiry_databases : "");
	List	   *names = NIL;

	if (!SplitGUCList(raw, ',', &names))
	{
		ereport(WARNING,
				(errmsg("realchat_profile.expiry_databases is not a valid list of database names")));
		return NIL;
	}
	return names;
}

static bool
name_listed(List *names, const char *dbname)
{
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp((const char *) lfirst(lc), dbname) == 0)
			return true;
	return false;
}

/* Brings the running workers in line with the list; returns ms until it should look again. */
static long
reconcile(void)
{
	List	   *names = listed_databases();
	ListCell   *lc;
	long		next = -1;

	/* workers of databases no longer listed */
	for (int i = 0; i < nworkers;)
	{
		if (!name_listed(names, workers[i].dbname))
		{
			stop_database_worker(&workers[i]);
			workers[i] = workers[--nworkers];
		}
		else
			i++;
	}
	foreach(lc, names)
	{
		const char *dbname = (const char *) lfirst(lc);
		DatabaseWorker *w = NULL;
		pid_t		pid;

		for (int i = 0; i < nworkers; i++)
			if (strcmp(workers[i].dbname, dbname) == 0)
				w = &workers[i];
		if (w == NULL)
		{
			if (nworkers == MAX_EXPIRY_DATABASES || strlen(dbname) >= NAMEDATALEN)
			{
				ereport(WARNING,
						(errmsg("realchat_profile: no expiry worker for database \"%s\"", dbname),
						 errdetail("At most %d databases, each name shorter than %d bytes.",
								   MAX_EXPIRY_DATABASES, NAMEDATALEN)));
				continue;
			}
			w = &workers[nworkers++];
			memset(w, 0, sizeof(*w));
			strlcpy(w->dbname, dbname, NAMEDATALEN);
		}
		if (w->handle != NULL && GetBackgroundWorkerPid(w->handle, &pid) == BGWH_STOPPED)
		{
			pfree(w->handle);
			w->handle = NULL;
		}
		if (w->handle == NULL)
		{
			long		wait_ms = RELAUNCH_DELAY_MS -
				(long) ((GetCurrentTimestamp() - w->last_start) / 1000);

			if (w->last_start != 0 && wait_ms > 0)
				next = next < 0 ? wait_ms : Min(next, wait_ms);
			else if (!start_database_worker(w))
				next = next < 0 ? RELAUNCH_DELAY_MS : Min(next, (long) RELAUNCH_DELAY_MS);
		}
	}
	list_free(names);
	return next;
}

/*
 * A launcher that exits takes its workers along: the one started after it
 * would not know them, and a database would have two. (A crash of either
 * restarts every process anyway.)
 */
static void
stop_all_workers(int code, Datum arg)
{
	for (int i = 0; i < nworkers; i++)
		if (workers[i].handle != NULL)
			TerminateBackgroundWorker(workers[i].handle);
}

void
rp_expiry_launcher_main(Datum arg)
{
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname(LAUNCHER_TYPE);
	before_shmem_exit(stop_all_workers, (Datum) 0);

	for (;;)
	{
		long		timeout;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		timeout = reconcile();
		/* A worker starting or exiting sets the latch (bgw_notify_pid). */
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | (timeout >= 0 ? WL_TIMEOUT : 0),
						 timeout, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* ---- per-database worker ---- */

/* Whether this database has the extension at a version with run_expiry (1.1 on). */
static bool
extension_ready(void)
{
	int			rc;
	bool		ready;

	rc = SPI_execute("SELECT 1 FROM pg_catalog.pg_extension"
					 " WHERE extname = 'realchat_profile' AND extversion <> '1.0'", true, 1);
	ready = rc == SPI_OK_SELECT && SPI_processed == 1;
	return ready;
}

/* One batch of one kind in a transaction of its own; -1 if the extension is not ready. */
static int64
run_batch_transaction(const rp_expiry_kind *kind)
{
	int64		changed = -1;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "realchat_profile: SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, kind->kind);
	if (extension_ready())
		changed = kind->run_batch(GetCurrentTransactionStartTimestamp(), RP_EXPIRY_BATCH);
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
	return changed;
}

static void
reload_if_asked(void)
{
	if (ConfigReloadPending)
	{
		ConfigReloadPending = false;
		ProcessConfigFile(PGC_SIGHUP);
	}
}

/*
 * Waits after a batch that ran from `started` to `ended`, so that batches take
 * at most realchat_profile.expiry_duty of the time: (ended - started) *
 * (1 - duty) / duty. The wait is on the latch: SIGTERM ends it at once, and
 * a reload applies a new duty to the wait under way.
 */
static void
pace_after_batch(TimestampTz started, TimestampTz ended)
{
	for (;;)
	{
		double		duty;
		TimestampTz until;
		long		wait_ms;

		CHECK_FOR_INTERRUPTS();
		reload_if_asked();
		duty = rp_expiry_duty;
		if (duty >= 1.0 || ended <= started)
			return;
		until = ended + (TimestampTz) ((double) (ended - started) * (1.0 - duty) / duty);
		wait_ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), until);
		if (wait_ms <= 0)
			return;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 wait_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

static void
run_all_kinds(void)
{
	TimestampTz last_started = 0;
	TimestampTz last_ended = 0;

	for (int i = 0; i < rp_expiry_nkinds; i++)
	{
		int64		changed;

		do
		{
			/* Pause only between batches, and only after one that did work. */
			if (last_ended != 0)
				pace_after_batch(last_started, last_ended);
			CHECK_FOR_INTERRUPTS();
			last_started = GetCurrentTimestamp();
			changed = run_batch_transaction(&rp_expiry_kinds[i]);
			if (changed < 0)
				return;
			last_ended = changed > 0 ? GetCurrentTimestamp() : 0;
		} while (changed >= RP_EXPIRY_BATCH);
	}
}

void
rp_expiry_worker_main(Datum arg)
{
	char		dbname[NAMEDATALEN];

	strlcpy(dbname, MyBgworkerEntry->bgw_extra, NAMEDATALEN);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(dbname, NULL, 0);
	pgstat_report_appname(WORKER_TYPE);

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		reload_if_asked();
		run_all_kinds();
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 rp_expiry_interval_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
