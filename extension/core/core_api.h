/*
 * core_api.h: the C interface between the PostgreSQL glue and the pure C++ core
 * (validation and event payloads).
 *
 * Why a C interface: the glue calls into PostgreSQL, whose ereport(ERROR)
 * longjmps past C++ destructors, and a C++ exception must never unwind through
 * PostgreSQL frames. So the glue never holds a C++ object, and every function
 * here is noexcept: exceptions are caught inside core_api.cpp and reported
 * through rp_error. Nothing here includes postgres.h or calls PostgreSQL.
 *
 * Output buffers follow snprintf: a function writes at most `cap` bytes and
 * returns the length it needs; the caller retries with a larger buffer when the
 * result is larger than `cap`. RP_FAILED means the input was rejected.
 *
 * Precisely: when the result fits (result <= cap) all of it is written, and a
 * terminating NUL is added if there is room for it (result < cap), so a buffer
 * of result + 1 bytes yields a C string. When it does not fit, or on
 * RP_FAILED, out holds an empty string (if cap > 0) and its other cap - 1
 * bytes are scratch: never a truncated value or payload that looks whole.
 * out may be NULL when cap is 0, to ask for the length only.
 */
#ifndef REALCHAT_CORE_API_H
#define REALCHAT_CORE_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RP_FAILED ((size_t) -1)

/*
 * Why a call failed, so the glue can pick the SQLSTATE: a rejected value is
 * the caller's fault (22023 for a field), an internal error is not.
 */
typedef enum rp_error_kind
{
	RP_ERROR_INVALID_VALUE = 0,	/* the input breaks a rule (or is not UTF-8) */
	RP_ERROR_INTERNAL			/* out of memory, ICU failure: not the input's fault */
} rp_error_kind;

typedef struct rp_error
{
	/* lower-case message that names the field, e.g. "display_name must not contain control characters" */
	char message[256];
	rp_error_kind kind;			/* set together with message, only on RP_FAILED */
} rp_error;

/*
 * No value accepted by rp_normalize_field is longer than this many bytes
 * (2048 code points of avatar_url, 4 bytes each; the other fields are far
 * shorter), so a buffer of RP_MAX_FIELD_BYTES + 1 never needs a retry.
 */
#define RP_MAX_FIELD_BYTES 8192

typedef enum rp_field
{
	RP_FIELD_USERNAME,
	RP_FIELD_DISPLAY_NAME,
	RP_FIELD_NICKNAME,
	RP_FIELD_BIO,
	RP_FIELD_REASON,
	RP_FIELD_AVATAR_URL,
	RP_FIELD_STATUS_TEXT,		/* display_name's rules, 1 to 100 characters */
	RP_FIELD_STATUS_EMOJI		/* one emoji, at most 32 bytes; unchanged */
} rp_field;

/* The field's name as it appears in messages and events ("display_name"). */
const char *rp_field_name(rp_field field);

/*
 * Checks `in` (valid UTF-8, `len` bytes) against the contract's rules for
 * `field` and writes the value to store: trimmed and NFC-normalised for
 * display_name and nickname, NFC-normalised for bio and reason, unchanged for
 * username and avatar_url. Returns its length, or RP_FAILED with err filled.
 */
size_t rp_normalize_field(rp_field field, const char *in, size_t len,
						  char *out, size_t cap, rp_error *err);

typedef enum rp_value_kind
{
	RP_VALUE_NULL,
	RP_VALUE_STRING,			/* str, len: UTF-8 */
	RP_VALUE_BOOL,				/* boolean */
	RP_VALUE_INT,				/* integer */
	RP_VALUE_TIMESTAMP,			/* unix_micros, written as RFC 3339 UTC with microseconds */
	RP_VALUE_STRING_LIST		/* list, list_len: NUL-terminated strings */
} rp_value_kind;

typedef struct rp_value
{
	const char *name;			/* JSON member name */
	rp_value_kind kind;
	const char *str;
	size_t		len;
	bool		boolean;
	int64_t		integer;
	int64_t		unix_micros;
	const char *const *list;
	int			list_len;
} rp_value;

typedef struct rp_event
{
	const char *event_id;		/* canonical lower-case uuid text */
	const char *event_type;		/* "ProfileUpdated" */
	const char *user_id;		/* canonical lower-case uuid text */
	int64_t		version;
	int64_t		occurred_at_unix_micros;
	const rp_value *data;		/* members of "data", in this order */
	int			data_len;
} rp_event;

/*
 * Writes the event envelope as one JSON object:
 * {"event_id":..,"event_type":..,"user_id":..,"version":..,"occurred_at":..,"data":{..}}
 * Returns its length, or RP_FAILED (for example a string that is not UTF-8).
 */
size_t rp_build_payload(const rp_event *event, char *out, size_t cap, rp_error *err);

/* Whether `in` (len bytes) is a valid W3C traceparent header value. */
bool rp_valid_traceparent(const char *in, size_t len);

/* Formats 16 bytes as a canonical lower-case uuid: out must hold 37 bytes. */
void rp_format_uuid(const uint8_t bytes[16], char out[37]);

/* Sets the version (4) and variant bits of 16 random bytes, making a v4 uuid. */
void rp_make_uuid_v4(uint8_t bytes[16]);

#ifdef __cplusplus
}
#endif

#endif
