/*
 * pg_compat.h: every difference between the PostgreSQL majors the extension
 * builds against (15 to 18), each behind one name, so the rest of the code has
 * no version checks. Included by pg_glue.h after postgres.h.
 */
#ifndef REALCHAT_PG_COMPAT_H
#define REALCHAT_PG_COMPAT_H

extern "C" {
#include "access/genam.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/relcache.h"
#if PG_VERSION_NUM >= 170000
#include "storage/procnumber.h"
#else
#include "storage/backendid.h"
#endif
}

/* 18 spells "does not return" pg_noreturn, before the declaration; GCC takes
 * the attribute there too. */
#if PG_VERSION_NUM < 180000
#define pg_noreturn pg_attribute_noreturn()
#endif

/* 18 gained index-scan instrumentation (none here) and a choice of deferrable
 * primary keys (not ours: the old meaning). */
static inline IndexScanDesc
rp_index_beginscan(Relation heap, Relation index, Snapshot snapshot, int nkeys, int norderbys)
{
#if PG_VERSION_NUM >= 180000
	return index_beginscan(heap, index, snapshot, NULL, nkeys, norderbys);
#else
	return index_beginscan(heap, index, snapshot, nkeys, norderbys);
#endif
}

static inline Oid
rp_primary_key_index(Relation rel)
{
#if PG_VERSION_NUM >= 180000
	return RelationGetPrimaryKeyIndex(rel, false);
#else
	return RelationGetPrimaryKeyIndex(rel);
#endif
}

/*
 * Which index entries a new row version needs after table_tuple_update: 16
 * added summarizing indexes (BRIN), which take entries even for a heap-only
 * version, and the argument of ExecInsertIndexTuples that asks for those only.
 */
typedef enum rp_index_update
{
	RP_INDEX_UPDATE_NONE,
	RP_INDEX_UPDATE_ALL,
	RP_INDEX_UPDATE_SUMMARIZING
} rp_index_update;

static inline TM_Result
rp_table_tuple_update(Relation rel, ItemPointer otid, TupleTableSlot *slot, CommandId cid, Snapshot snapshot,
					  TM_FailureData *failure, LockTupleMode *lockmode, rp_index_update *indexes)
{
	TM_Result	result;
#if PG_VERSION_NUM >= 160000
	TU_UpdateIndexes which = TU_None;

	result = table_tuple_update(rel, otid, slot, cid, snapshot, InvalidSnapshot, true, failure, lockmode, &which);
	*indexes = which == TU_All ? RP_INDEX_UPDATE_ALL :
		which == TU_Summarizing ? RP_INDEX_UPDATE_SUMMARIZING : RP_INDEX_UPDATE_NONE;
#else
	bool		all = false;

	result = table_tuple_update(rel, otid, slot, cid, snapshot, InvalidSnapshot, true, failure, lockmode, &all);
	*indexes = all ? RP_INDEX_UPDATE_ALL : RP_INDEX_UPDATE_NONE;
#endif
	return result;
}

static inline void
rp_insert_index_tuples(ResultRelInfo *rri, TupleTableSlot *slot, EState *estate, rp_index_update indexes)
{
#if PG_VERSION_NUM >= 160000
	list_free(ExecInsertIndexTuples(rri, slot, estate, true, false, NULL, NIL,
									indexes == RP_INDEX_UPDATE_SUMMARIZING));
#else
	(void) indexes;
	list_free(ExecInsertIndexTuples(rri, slot, estate, true, false, NULL, NIL));
#endif
}

/*
 * This backend's slot among MaxBackends regular backends (0-based; outside
 * [0, MaxBackends) for others), and its index in ProcGlobal->allProcs. 17
 * replaced 1-based BackendIds and PGPROC.pgprocno with ProcNumbers.
 */
static inline int
rp_backend_slot(void)
{
#if PG_VERSION_NUM >= 170000
	return MyProcNumber;
#else
	return MyBackendId - 1;
#endif
}

static inline int
rp_proc_number(void)
{
#if PG_VERSION_NUM >= 170000
	return MyProcNumber;
#else
	return MyProc->pgprocno;
#endif
}

/*
 * The extension's own SPI plans are prepared and run with a search path of
 * pg_catalog first and nothing from a caller's schemas, so nothing planted
 * there can hijack them: a cached plan is re-parsed whenever the path differs
 * from the one it was made with, so the path is pinned at preparing and at
 * executing alike. rp_pin_search_path returns what rp_unpin_search_path needs.
 *
 * Up to 16: an override search path, pg_catalog only; pushing and popping it
 * costs no catalog work.
 *
 * 17 removed override search paths. There the path is "pg_catalog, pg_temp",
 * the value every API function already runs with (SET search_path in its SQL
 * declaration): then the current value is compared and nothing is set, which
 * keeps the API's calls at one strcmp. Anywhere else (the triggers run with
 * the writer's path) the value is set at a new GUC nesting level, as a SET
 * clause would, and restored after (on an error too, where the abort of the
 * (sub)transaction would restore it anyway). pg_temp last admits no temporary object under a
 * name pg_catalog has, and the extension's own queries name their schema.
 */
#define RP_SAFE_SEARCH_PATH "pg_catalog, pg_temp"

static inline int
rp_pin_search_path(void)
{
#if PG_VERSION_NUM >= 170000
	int			level;

	if (namespace_search_path != NULL && strcmp(namespace_search_path, RP_SAFE_SEARCH_PATH) == 0)
		return 0;
	level = NewGUCNestLevel();
	(void) set_config_option("search_path", RP_SAFE_SEARCH_PATH, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return level;
#else
	OverrideSearchPath path = {};

	path.schemas = NIL;
	path.addCatalog = true;
	path.addTemp = false;
	PushOverrideSearchPath(&path);
	return 0;
#endif
}

static inline void
rp_unpin_search_path(int level)
{
#if PG_VERSION_NUM >= 170000
	if (level > 0)
		AtEOXact_GUC(true, level);
#else
	(void) level;
	PopOverrideSearchPath();
#endif
}

#endif
