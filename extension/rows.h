/* rows.h: reading and rewriting trigger tuples, and comparing their fields. */
#ifndef REALCHAT_ROWS_H
#define REALCHAT_ROWS_H

#include "pg_glue.h"

typedef struct RowEdit
{
	TupleDesc	desc;
	Datum	   *values;
	bool	   *nulls;
} RowEdit;

/* attno is 1-based, as in the table definitions. */
#define ROW_VALUE(row, attno) ((row)->values[(attno) - 1])
#define ROW_ISNULL(row, attno) ((row)->nulls[(attno) - 1])

void		row_load(RowEdit *row, TupleDesc desc, HeapTuple tuple);
HeapTuple	row_build(const RowEdit *row);
void		row_set(RowEdit *row, int attno, Datum value, bool isnull);

bool		row_text_equal(const RowEdit *a, const RowEdit *b, int attno);
bool		row_uuid_equal(const RowEdit *a, const RowEdit *b, int attno);
pg_uuid_t  *row_uuid(const RowEdit *row, int attno);

/* Checks a uuid column of a new row: not null (22004), not nil (22023). */
pg_uuid_t  *row_required_uuid(const RowEdit *row, int attno, const char *name);

/* Replaces a text column with its validated, normalised form. */
void		row_normalize_text(RowEdit *row, int attno, rp_field field);

/* An rp_value for a text column (null stays null). */
rp_value	value_text(const char *name, const RowEdit *row, int attno);
rp_value	value_uuid(const char *name, const pg_uuid_t *id);
rp_value	value_bool(const char *name, bool b);
rp_value	value_timestamp(const char *name, const RowEdit *row, int attno);
rp_value	value_string(const char *name, const char *s);
rp_value	value_list(const char *name, const char *const *list, int len);

#endif
