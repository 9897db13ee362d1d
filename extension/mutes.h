/* mutes.h: mute expiry, shared by the mutes trigger and run_expiry's kind 'mutes'. */
#ifndef REALCHAT_MUTES_H
#define REALCHAT_MUTES_H

#include "pg_glue.h"

/* While on, deletions of mutes are UserUnmuted with reason expired (trigger_mutes.cpp). */
void		rp_mutes_set_expiring(bool on);

/*
 * Deletes at most `batch` expired mutes, oldest first, each with UserUnmuted (reason expired);
 * returns how many. Owners whose profile row another transaction holds are skipped (SKIP
 * LOCKED) and left for a later run, so concurrent runs and API calls never wait on each other.
 */
int64		rp_expire_mutes(int batch);

#endif
