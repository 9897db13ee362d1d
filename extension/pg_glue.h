/*
 * pg_glue.h: what every PostgreSQL-facing file of the extension includes.
 *
 * Rule for all glue files: no C++ object with a destructor lives in a scope
 * that can reach ereport(ERROR), and no C++ exception is thrown here. Pure C++
 * work goes through core/core_api.h, whose functions never throw. The glue is
 * C++ only in syntax: plain structs, palloc and PostgreSQL's own error flow.
 */
#ifndef REALCHAT_PG_GLUE_H
#define REALCHAT_PG_GLUE_H

extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

#include "pg_compat.h"

#include "core/core_api.h"

/* Settings (guc.cpp). */
extern char *rp_topic;
extern char *rp_notify_channel;
extern int	rp_max_contacts;
extern int	rp_max_blocks;
extern int	rp_max_mutes;
void		rp_define_settings(void);

/* Wake-ups (wakeup.cpp). */
void		rp_wakeup_request_shmem(void);
void		rp_wakeup_register_callbacks(void);
void		rp_wakeup_note_event(void);

/*
 * SPI with cached plans (spi.cpp). Plans are prepared and run with a search
 * path of pg_catalog only, so nothing planted in a caller's schemas can
 * change what the extension's own queries mean.
 */
SPIPlanPtr	rp_plan(SPIPlanPtr *slot, const char *sql, int nargs, const Oid *argtypes);
SPIPlanPtr	rp_plan_cursor(SPIPlanPtr *slot, const char *sql, int nargs, const Oid *argtypes, int cursor_options);
int			rp_exec(SPIPlanPtr plan, const Datum *values, const char *nulls, bool read_only, long count);
uint64		rp_exec_into_result(SPIPlanPtr plan, int nargs, const Oid *argtypes, const Datum *values,
								FunctionCallInfo fcinfo);
Portal		rp_cursor_open(SPIPlanPtr plan, const Datum *values, const char *nulls);
void		rp_cursor_fetch(Portal portal, long count);
void		rp_connect(void);
void		rp_finish(void);
Datum		rp_call_pinned(PGFunction fn, FunctionCallInfo fcinfo);

/* Argument checks shared by the SQL functions (args.cpp). */
void		rp_require_not_null(FunctionCallInfo fcinfo, int argno, const char *name);
pg_uuid_t  *rp_uuid_arg(FunctionCallInfo fcinfo, int argno, const char *name);
void		rp_check_uuid(const pg_uuid_t *id, const char *name);
const char *rp_uuid_text(const pg_uuid_t *id);
Datum		rp_normalized_text(rp_field field, text *value);
void		rp_args_to_params(FunctionCallInfo fcinfo, int nargs, Datum *values, char *nulls);
pg_noreturn void rp_raise_no_user(const pg_uuid_t *user_id);
void		rp_check_limit_arg(FunctionCallInfo fcinfo, int argno);

/* Per-owner event sequence (version.cpp). */
int64		rp_next_owner_version(const pg_uuid_t *owner, bool *owner_exists);
bool		rp_is_bumping(const pg_uuid_t *owner);
void		rp_begin_cascade(const pg_uuid_t *owner, int64 version);
int64		rp_end_cascade(void);
void		rp_abort_cascade(void);

/* Outbox (outbox.cpp): writes one event for `owner` at `version`. */
void		rp_emit_event(const pg_uuid_t *owner, const char *event_type, int64 version,
						  const rp_value *data, int data_len);
int64_t		rp_unix_micros(TimestampTz ts);

/* Result helpers (results.cpp). */
Datum		rp_return_single_row(FunctionCallInfo fcinfo, const char *what);
void		rp_materialize_spi_result(FunctionCallInfo fcinfo);

#endif
