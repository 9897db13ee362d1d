/*
 * guc_presence.cpp: the settings of idleness, expiry and tracing. The
 * idleness limits and the worker's are superuser settings; the trace context
 * belongs to each writer, so any role may set it.
 */
#include "expiry.h"
#include "trace_context.h"

extern "C" {
#include "utils/guc.h"
}

int			rp_away_after_s = 5 * 60;
int			rp_offline_after_s = 30 * 60;
int			rp_expiry_interval_ms = 10 * 1000;
char	   *rp_expiry_databases = NULL;
double		rp_expiry_duty = 0.1;
char	   *rp_traceparent = NULL;

void
rp_define_presence_settings(void)
{
	DefineCustomIntVariable("realchat_profile.away_after",
							"Inactivity after which an online user becomes away (0 = never).",
							NULL, &rp_away_after_s, 5 * 60, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("realchat_profile.offline_after",
							"Inactivity after which a user who is not offline becomes offline (0 = never).",
							NULL, &rp_offline_after_s, 30 * 60, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("realchat_profile.expiry_interval",
							"How often the expiry worker runs run_expiry in each database.",
							NULL, &rp_expiry_interval_ms, 10 * 1000, 100, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomStringVariable("realchat_profile.expiry_databases",
							   "Databases in which the expiry worker runs run_expiry (comma-separated).",
							   NULL, &rp_expiry_databases, "",
							   PGC_SIGHUP, GUC_LIST_INPUT, NULL, NULL, NULL);
	/* Pacing of the worker over a backlog (expiry_worker.cpp, pace_after_batch). */
	DefineCustomRealVariable("realchat_profile.expiry_duty",
							 "Most share of the time the expiry worker spends in batches while it has a backlog.",
							 "After a batch that took t, the worker waits t * (1 - duty) / duty before the next one; 1 = no pause.",
							 &rp_expiry_duty, 0.1, 0.001, 1.0,
							 PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("realchat_profile.traceparent",
							   "W3C traceparent written into the outbox rows of this transaction's events.",
							   NULL, &rp_traceparent, "",
							   PGC_USERSET, 0, NULL, NULL, NULL);
}
