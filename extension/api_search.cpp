/*
 * api_search.cpp: search_profiles. The query finds and ranks candidates through indexes only
 * (a byte-order btree on lower(username) for prefixes, pg_trgm's GIN on lower(display_name)
 * for containment); each candidate is then shown or left out, and masked, by profile_view.cpp,
 * the one implementation of the visibility rules. Candidates come through a cursor, so a
 * search stops as soon as it has `limit` rows the viewer may see.
 */
#include "profile_view.h"

extern "C" {
#include "miscadmin.h"

PG_FUNCTION_INFO_V1(rp_search_profiles);
}

#define QUERY_MAX_CHARS 64
#define MAX_LIMIT 50
#define FETCH_BATCH 64

/* Unicode White_Space, trimmed from both ends of a query as display_name is. */
static const char white_space[] =
	"\t\n\v\f\r \xC2\x85\xC2\xA0\xE1\x9A\x80"
	"\xE2\x80\x80\xE2\x80\x81\xE2\x80\x82\xE2\x80\x83\xE2\x80\x84\xE2\x80\x85\xE2\x80\x86"
	"\xE2\x80\x87\xE2\x80\x88\xE2\x80\x89\xE2\x80\x8A\xE2\x80\xA8\xE2\x80\xA9\xE2\x80\xAF"
	"\xE2\x81\x9F\xE3\x80\x80";

/* The query trimmed and NFC-normalised, 1..64 characters (22023 otherwise). */
static Datum
normalized_query(Datum query)
{
	Datum		trimmed = DirectFunctionCall2(btrim, query, CStringGetTextDatum(white_space));
	Datum		nfc = DirectFunctionCall2(unicode_normalize_func, trimmed, CStringGetTextDatum("NFC"));
	int32		chars = DatumGetInt32(DirectFunctionCall1(textlen, nfc));

	if (chars < 1 || chars > QUERY_MAX_CHARS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("query must be 1 to %d characters after trimming (got %d)", QUERY_MAX_CHARS, chars)));
	return nfc;
}

/*
 * Usernames starting with the query, in byte order of lower(username): a range scan of the
 * text_pattern_ops btree that returns rows in that order, so a search stops after the first
 * rows however many usernames share a short prefix. The exact username, the smallest string
 * with the prefix, comes first; ties cannot occur (lower(username) is unique). One generic plan
 * made for the first rows: a custom plan for a short prefix would be costed for all its matches
 * (a JIT compilation), and a generic one made for every row sorts a bitmap scan's result.
 */
static SPIPlanPtr
prefix_plan(void)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[1] = {TEXTOID};

	return rp_plan_cursor(&plan,
						  "SELECT p.user_id FROM profile.profiles p"
						  " WHERE lower(p.username) ~>=~ lower($1) AND lower(p.username) ~<~ (lower($1) || chr(1114111))"
						  " ORDER BY lower(p.username) USING ~<~",
						  1, argtypes, CURSOR_OPT_FAST_PLAN | CURSOR_OPT_GENERIC_PLAN);
}

/*
 * Display names containing the query, of users whose username does not start with it (those
 * came first), by similarity; similarity() is pg_trgm's, in the schema it was installed into.
 * Run only when the prefixes left the result short.
 */
static SPIPlanPtr
display_name_plan(void)
{
	static SPIPlanPtr schema_plan = NULL;
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[1] = {TEXTOID};
	const char *schema;

	if (plan != NULL)
		return plan;
	rp_exec(rp_plan(&schema_plan,
					"SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
					" WHERE e.extname = 'pg_trgm'",
					0, NULL),
			NULL, NULL, true, 1);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("search_profiles needs the extension pg_trgm")));
	schema = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	return rp_plan(&plan,
				   psprintf("SELECT p.user_id FROM profile.profiles p"
							" WHERE lower(p.display_name) LIKE '%%' || replace(replace(replace(lower($1),"
							"        '\\', '\\\\'), '%%', '\\%%'), '_', '\\_') || '%%'"
							"   AND NOT (lower(p.username) ~>=~ lower($1) AND lower(p.username) ~<~ (lower($1) || chr(1114111)))"
							" ORDER BY %s.similarity(lower(p.display_name), lower($1)) DESC, lower(p.username), p.user_id",
							schema),
				   1, argtypes);
}

/* Puts the candidates of one plan the viewer may see, up to `limit` in all; returns the new count. */
static int32
put_candidates(SPIPlanPtr plan, Datum *values, ProfileView *view, ReturnSetInfo *rsinfo, int32 shown, int32 limit)
{
	Portal		portal = rp_cursor_open(plan, values, NULL);

	while (shown < limit)
	{
		SPITupleTable *rows;
		uint64		count;

		rp_cursor_fetch(portal, FETCH_BATCH);
		rows = SPI_tuptable;
		count = SPI_processed;
		for (uint64 i = 0; i < count && shown < limit; i++)
		{
			bool		isnull;
			pg_uuid_t	id = *DatumGetUUIDP(SPI_getbinval(rows->vals[i], rows->tupdesc, 1, &isnull));

			CHECK_FOR_INTERRUPTS();
			if (profile_view_put(view, rsinfo, &id, READ_BY_SEARCH))
				shown++;
		}
		SPI_freetuptable(rows);
		if (count < FETCH_BATCH)
			break;
	}
	SPI_cursor_close(portal);
	return shown;
}

Datum
rp_search_profiles(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	pg_uuid_t  *viewer;
	int32		limit;
	int32		shown = 0;
	Datum		values[1];
	ProfileView view;

	rp_require_not_null(fcinfo, 0, "query");
	viewer = PG_ARGISNULL(1) ? NULL : rp_uuid_arg(fcinfo, 1, "viewer");
	rp_require_not_null(fcinfo, 2, "limit");
	limit = PG_GETARG_INT32(2);
	if (limit < 1 || limit > MAX_LIMIT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("limit must be between 1 and %d (got %d)", MAX_LIMIT, limit)));
	values[0] = normalized_query(PG_GETARG_DATUM(0));
	InitMaterializedSRF(fcinfo, 0);
	profile_view_begin(&view, viewer);
	rp_connect();
	shown = put_candidates(prefix_plan(), values, &view, rsinfo, shown, limit);
	if (shown < limit)
		shown = put_candidates(display_name_plan(), values, &view, rsinfo, shown, limit);
	rp_finish();
	profile_view_end(&view);
	return (Datum) 0;
}
