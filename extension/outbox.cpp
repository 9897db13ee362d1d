/* outbox.cpp: writes an event's outbox row, in the caller's transaction. */
#include "trace_context.h"

extern "C" {
#include "access/xact.h"
#include "common/pg_prng.h"
#include "utils/timestamp.h"
}

#define POSTGRES_TO_UNIX_EPOCH_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

int64_t
rp_unix_micros(TimestampTz ts)
{
	return (int64_t) ts + POSTGRES_TO_UNIX_EPOCH_USECS;
}

static void
new_event_id(char out[37])
{
	uint8_t		bytes[16];

	/* A per-backend PRNG seeded from a strong source: event ids must be unique,
	 * not secret, and pg_strong_random per event would cost a syscall. */
	uint64		hi = pg_prng_uint64(&pg_global_prng_state);
	uint64		lo = pg_prng_uint64(&pg_global_prng_state);

	memcpy(bytes, &hi, 8);
	memcpy(bytes + 8, &lo, 8);
	rp_make_uuid_v4(bytes);
	rp_format_uuid(bytes, out);
}

static text *
build_payload(const rp_event *event)
{
	size_t		cap = 512;
	rp_error	err;

	for (int attempt = 0; attempt < 2; attempt++)
	{
		text	   *out = (text *) palloc(VARHDRSZ + cap);
		size_t		needed = rp_build_payload(event, VARDATA(out), cap, &err);

		if (needed == RP_FAILED)
			ereport(ERROR,
					(errcode(err.kind == RP_ERROR_INVALID_VALUE ? ERRCODE_INVALID_PARAMETER_VALUE : ERRCODE_INTERNAL_ERROR),
					 errmsg("cannot build %s event: %s", event->event_type, err.message)));
		if (needed <= cap)
		{
			SET_VARSIZE(out, VARHDRSZ + needed);
			return out;
		}
		pfree(out);
		cap = needed;
	}
	elog(ERROR, "realchat_profile: event payload grew while being built");
	pg_unreachable();
}

void
rp_emit_event(const pg_uuid_t *owner, const char *event_type, int64 version,
			  const rp_value *data, int data_len)
{
	static SPIPlanPtr plan = NULL;
	static SPIPlanPtr traced_plan = NULL;
	static const Oid argtypes[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	char		event_id[37];
	char		user_id[37];
	rp_event	event;
	Datum		values[4];
	const char *traceparent = rp_current_traceparent();

	new_event_id(event_id);
	rp_format_uuid(owner->data, user_id);
	event.event_id = event_id;
	event.event_type = event_type;
	event.user_id = user_id;
	event.version = version;
	event.occurred_at_unix_micros = rp_unix_micros(GetCurrentTimestamp());
	event.data = data;
	event.data_len = data_len;

	values[0] = CStringGetTextDatum(rp_topic);
	values[1] = CStringGetTextDatum(user_id);
	values[2] = PointerGetDatum(build_payload(&event));

	/*
	 * A transaction id before the outbox id: the publisher may pass over an
	 * id whose row is not visible yet, and it knows when to look again only
	 * from transaction ids (a create_profile, say, has none until its first
	 * row is written, which is after the id is drawn).
	 */
	(void) GetCurrentTransactionId();
	rp_connect();
	/* Untraced writes keep the 1.0 statement: a 1.0 schema has no traceparent column. */
	if (traceparent == NULL)
		rp_exec(rp_plan(&plan,
						"INSERT INTO profile.outbox (topic, key, payload) VALUES ($1, $2, $3::jsonb)",
						3, argtypes),
				values, NULL, false, 0);
	else
	{
		values[3] = CStringGetTextDatum(traceparent);
		rp_exec(rp_plan(&traced_plan,
						"INSERT INTO profile.outbox (topic, key, payload, traceparent) VALUES ($1, $2, $3::jsonb, $4)",
						4, argtypes),
				values, NULL, false, 0);
	}
	rp_finish();
	rp_wakeup_note_event();
}
