/* trace_context.h: the writer's W3C trace context, carried into the outbox. */
#ifndef REALCHAT_TRACE_CONTEXT_H
#define REALCHAT_TRACE_CONTEXT_H

#include "pg_glue.h"

/* realchat_profile.traceparent (guc_presence.cpp). */
extern char *rp_traceparent;

/* The session's realchat_profile.traceparent if valid, else NULL (counted when set). */
const char *rp_current_traceparent(void);

#endif
