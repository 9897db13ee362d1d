/* rows.cpp: trigger tuple helpers shared by the three table triggers. */
#include "rows.h"

void
row_load(RowEdit *row, TupleDesc desc, HeapTuple tuple)
{
	row->desc = desc;
	row->values = (Datum *) palloc(sizeof(Datum) * desc->natts);
	row->nulls = (bool *) palloc(sizeof(bool) * desc->natts);
	heap_deform_tuple(tuple, desc, row->values, row->nulls);
}

HeapTuple
row_build(const RowEdit *row)
{
	return heap_form_tuple(row->desc, row->values, row->nulls);
}

void
row_set(RowEdit *row, int attno, Datum value, bool isnull)
{
	ROW_VALUE(row, attno) = value;
	ROW_ISNULL(row, attno) = isnull;
}

bool
row_text_equal(const RowEdit *a, const RowEdit *b, int attno)
{
	text	   *ta;
	text	   *tb;

	if (ROW_ISNULL(a, attno) || ROW_ISNULL(b, attno))
		return ROW_ISNULL(a, attno) == ROW_ISNULL(b, attno);
	ta = DatumGetTextPP(ROW_VALUE(a, attno));
	tb = DatumGetTextPP(ROW_VALUE(b, attno));
	return VARSIZE_ANY_EXHDR(ta) == VARSIZE_ANY_EXHDR(tb) &&
		memcmp(VARDATA_ANY(ta), VARDATA_ANY(tb), VARSIZE_ANY_EXHDR(ta)) == 0;
}

bool
row_uuid_equal(const RowEdit *a, const RowEdit *b, int attno)
{
	if (ROW_ISNULL(a, attno) || ROW_ISNULL(b, attno))
		return ROW_ISNULL(a, attno) == ROW_ISNULL(b, attno);
	return memcmp(DatumGetUUIDP(ROW_VALUE(a, attno))->data,
				  DatumGetUUIDP(ROW_VALUE(b, attno))->data, UUID_LEN) == 0;
}

pg_uuid_t *
row_uuid(const RowEdit *row, int attno)
{
	return DatumGetUUIDP(ROW_VALUE(row, attno));
}

pg_uuid_t *
row_required_uuid(const RowEdit *row, int attno, const char *name)
{
	pg_uuid_t  *id;

	if (ROW_ISNULL(row, attno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
	id = row_uuid(row, attno);
	rp_check_uuid(id, name);
	return id;
}

void
row_normalize_text(RowEdit *row, int attno, rp_field field)
{
	if (!ROW_ISNULL(row, attno))
		ROW_VALUE(row, attno) = rp_normalized_text(field, DatumGetTextPP(ROW_VALUE(row, attno)));
}

rp_value
value_text(const char *name, const RowEdit *row, int attno)
{
	rp_value	v = {};

	v.name = name;
	if (ROW_ISNULL(row, attno))
		v.kind = RP_VALUE_NULL;
	else
	{
		text	   *t = DatumGetTextPP(ROW_VALUE(row, attno));

		v.kind = RP_VALUE_STRING;
		v.str = VARDATA_ANY(t);
		v.len = VARSIZE_ANY_EXHDR(t);
	}
	return v;
}

rp_value
value_uuid(const char *name, const pg_uuid_t *id)
{
	return value_string(name, rp_uuid_text(id));
}

rp_value
value_bool(const char *name, bool b)
{
	rp_value	v = {};

	v.name = name;
	v.kind = RP_VALUE_BOOL;
	v.boolean = b;
	return v;
}

rp_value
value_timestamp(const char *name, const RowEdit *row, int attno)
{
	rp_value	v = {};

	v.name = name;
	if (ROW_ISNULL(row, attno))
		v.kind = RP_VALUE_NULL;
	else
	{
		v.kind = RP_VALUE_TIMESTAMP;
		v.unix_micros = rp_unix_micros(DatumGetTimestampTz(ROW_VALUE(row, attno)));
	}
	return v;
}

rp_value
value_string(const char *name, const char *s)
{
	rp_value	v = {};

	v.name = name;
	v.kind = RP_VALUE_STRING;
	v.str = s;
	v.len = strlen(s);
	return v;
}

rp_value
value_list(const char *name, const char *const *list, int len)
{
	rp_value	v = {};

	v.name = name;
	v.kind = RP_VALUE_STRING_LIST;
	v.list = list;
	v.list_len = len;
	return v;
}
