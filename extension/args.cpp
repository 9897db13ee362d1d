/* args.cpp: argument checks that every SQL function shares, with the
 * contract's SQLSTATEs. */
#include "pg_glue.h"

void
rp_require_not_null(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

void
rp_check_uuid(const pg_uuid_t *id, const char *name)
{
	for (int i = 0; i < UUID_LEN; i++)
		if (id->data[i] != 0)
			return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must not be the nil uuid", name)));
}

pg_uuid_t *
rp_uuid_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	pg_uuid_t  *id;

	rp_require_not_null(fcinfo, argno, name);
	id = PG_GETARG_UUID_P(argno);
	rp_check_uuid(id, name);
	return id;
}

const char *
rp_uuid_text(const pg_uuid_t *id)
{
	char	   *out = (char *) palloc(37);

	rp_format_uuid(id->data, out);
	return out;
}

/* Validates and normalises a text value; raises 22023 naming the field. */
Datum
rp_normalized_text(rp_field field, text *value)
{
	const char *in = VARDATA_ANY(value);
	size_t		len = VARSIZE_ANY_EXHDR(value);
	size_t		cap = len + 16;
	rp_error	err;

	for (int attempt = 0; attempt < 2; attempt++)
	{
		text	   *out = (text *) palloc(VARHDRSZ + cap);
		size_t		needed = rp_normalize_field(field, in, len, VARDATA(out), cap, &err);

		if (needed == RP_FAILED)
			ereport(ERROR,
					(errcode(err.kind == RP_ERROR_INVALID_VALUE ? ERRCODE_INVALID_PARAMETER_VALUE : ERRCODE_INTERNAL_ERROR),
					 errmsg("%s", err.message)));
		if (needed <= cap)
		{
			SET_VARSIZE(out, VARHDRSZ + needed);
			return PointerGetDatum(out);
		}
		pfree(out);
		cap = needed;
	}
	elog(ERROR, "realchat_profile: %s grew while being normalised", rp_field_name(field));
	pg_unreachable();
}

/* SPI parameters straight from the function's arguments. */
void
rp_args_to_params(FunctionCallInfo fcinfo, int nargs, Datum *values, char *nulls)
{
	for (int i = 0; i < nargs; i++)
	{
		nulls[i] = PG_ARGISNULL(i) ? 'n' : ' ';
		values[i] = PG_ARGISNULL(i) ? (Datum) 0 : PG_GETARG_DATUM(i);
	}
}

void
rp_raise_no_user(const pg_uuid_t *user_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("user %s does not exist", rp_uuid_text(user_id))));
	pg_unreachable();
}

/* Page sizes of list_contacts and list_blocks. */
void
rp_check_limit_arg(FunctionCallInfo fcinfo, int argno)
{
	int32		limit;

	rp_require_not_null(fcinfo, argno, "limit");
	limit = PG_GETARG_INT32(argno);
	if (limit < 1 || limit > 1000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("limit must be between 1 and 1000 (got %d)", limit)));
}
