/* owner_checks.h: what contact and block triggers check under the owner's lock. */
#ifndef REALCHAT_OWNER_CHECKS_H
#define REALCHAT_OWNER_CHECKS_H

#include "rows.h"

typedef struct ListChecks
{
	bool		other_exists;	/* the contact or blocked user has a profile */
	bool		owner_blocks_other;
	bool		already_listed; /* the pair is already in the list */
	int64		list_size;		/* capped at the limit */
} ListChecks;

/* Locks the owner's profile and takes the next version; P0002 if absent. */
int64		lock_owner_for_event(const pg_uuid_t *owner);

/* Runs the checks for adding (owner, other) to `list` ("contacts" or "blocks"). */
ListChecks	check_list_insert(const char *list, const pg_uuid_t *owner, const pg_uuid_t *other, int limit);

/* Raises 22023 when a pair would reference itself. */
void		check_not_self(const pg_uuid_t *owner, const pg_uuid_t *other, const char *other_name);

/* Raises 22023 when an update changes a list row's key. */
void		check_key_unchanged(const RowEdit *old_row, const RowEdit *row, const char *table);

/* A list table's BEFORE ROW trigger: checks how it was fired and runs the handler for the event. */
typedef HeapTuple (*ListRowHandler) (TriggerData *trigdata);
Datum		run_list_trigger(FunctionCallInfo fcinfo, const char *name, ListRowHandler on_insert,
							 ListRowHandler on_update, ListRowHandler on_delete);

#endif
