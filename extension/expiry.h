/*
 * expiry.h: what run_expiry applies, one kind at a time.
 *
 * Each kind is one function that applies at most `limit` due changes (each
 * with its event) in the current transaction and returns how many it made.
 * It locks its rows with SKIP LOCKED, so it never waits for a writer and
 * several sessions can run it at once, and takes "now" from the caller (the
 * transaction's start), so every rule of one transaction uses one clock.
 * run_expiry() and the background worker both walk rp_expiry_kinds: a new
 * kind is one more entry there (expiry.cpp).
 */
#ifndef REALCHAT_EXPIRY_H
#define REALCHAT_EXPIRY_H

#include "pg_glue.h"

#define RP_EXPIRY_BATCH 500

typedef int64 (*rp_expiry_batch_fn) (TimestampTz now, int limit);

typedef struct rp_expiry_kind
{
	const char *kind;			/* run_expiry's `kind` column */
	rp_expiry_batch_fn run_batch;
} rp_expiry_kind;

extern const rp_expiry_kind rp_expiry_kinds[];
extern const int rp_expiry_nkinds;

/* Settings (guc_presence.cpp), which also defines realchat_profile.traceparent. */
extern int	rp_away_after_s;
extern int	rp_offline_after_s;
extern int	rp_expiry_interval_ms;
extern char *rp_expiry_databases;
extern double rp_expiry_duty;
void		rp_define_presence_settings(void);

/* The background workers (expiry_worker.cpp), registered from _PG_init when preloaded. */
void		rp_expiry_register_launcher(void);

#endif
