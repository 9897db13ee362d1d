/*
 * plain_heartbeat.cpp: heartbeat's common case without the executor.
 *
 * A heartbeat of a user who is not idle-away moves last_seen only, and the
 * profiles trigger stores such a row as written (rp_is_plain_heartbeat).
 * Through SPI that UPDATE still paid an executor start-up and end, and, for
 * any BEFORE ROW trigger, PostgreSQL locks the old row (one more WAL record)
 * before calling it. Here the row is found by its primary key and replaced
 * through the table AM, under the same rule decided by the same function.
 *
 * Whatever this path is not sure to do exactly as the UPDATE would, it leaves
 * to the UPDATE through SPI (the caller's fallback): no row, a user who is
 * away, a row changed by a transaction that committed after our snapshot, a
 * read-only transaction, a caller without the UPDATE's privileges, or a table
 * that is no longer as the extension made it (another trigger on UPDATE, a
 * CHECK constraint, row security).
 */
#include "presence.h"

extern "C" {
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

/* The profiles trigger of the extension (extension/realchat_profile.sql). */
#define PROFILES_TRIGGER "profiles_events"

/*
 * An UPDATE that changes only last_seen would fire nothing but the
 * extension's own trigger: foreign keys referencing profiles queue no check
 * while the key stays, and no other trigger, rule of row security or CHECK
 * constraint applies. And the UPDATE's privilege check would pass (the
 * function runs as the table's owner unless someone changed that).
 */
static bool
table_as_made(Relation rel)
{
	TriggerDesc *triggers = rel->trigdesc;
	TupleConstr *constr = rel->rd_att->constr;

	if (pg_class_aclmask(RelationGetRelid(rel), GetUserId(), ACL_SELECT | ACL_UPDATE, ACLMASK_ALL) !=
		(ACL_SELECT | ACL_UPDATE))
		return false;
	if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_rel->relrowsecurity ||
		rel->rd_rules != NULL || rel->rd_att->natts < PRS_STATUS_EXPIRES_AT)
		return false;
	if (constr != NULL && (constr->num_check > 0 || constr->has_generated_stored))
		return false;
	for (int i = 0; triggers != NULL && i < triggers->numtriggers; i++)
	{
		Trigger    *t = &triggers->triggers[i];

		if (!TRIGGER_FOR_UPDATE(t->tgtype))
			continue;
		if (t->tgisinternal && RI_FKey_trigger_type(t->tgfoid) == RI_TRIGGER_PK)
			continue;
		if (strcmp(t->tgname, PROFILES_TRIGGER) == 0 && TRIGGER_FOR_ROW(t->tgtype) &&
			TRIGGER_FOR_BEFORE(t->tgtype))
			continue;
		return false;
	}
	return true;
}

/* Index entries for a new row version that is not heap-only, as the executor adds them. */
static void
insert_index_entries(Relation rel, TupleTableSlot *slot, rp_index_update which)
{
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);

	InitResultRelInfo(rri, rel, 0, NULL, 0);
	ExecOpenIndices(rri, false);
	rp_insert_index_tuples(rri, slot, estate, which);
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
}

/*
 * Replaces the row in old_slot with last_seen = now if that is a plain
 * heartbeat; the new row in *result. False when the UPDATE must decide.
 */
static bool
replace_if_plain(Relation rel, TupleTableSlot *old_slot, Snapshot snapshot, Datum *result)
{
	TupleDesc	desc = RelationGetDescr(rel);
	TimestampTz now = GetCurrentTimestamp();
	HeapTuple	old_tuple = ExecFetchSlotHeapTuple(old_slot, false, NULL);
	RowEdit		old_row;
	RowEdit		row;
	TupleTableSlot *new_slot;
	TM_FailureData failure;
	LockTupleMode lockmode;
	rp_index_update indexes;
	bool		done;

	row_load(&old_row, desc, old_tuple);
	row_load(&row, desc, old_tuple);
	row_set(&row, PRS_LAST_SEEN, TimestampTzGetDatum(now), false);
	if (!rp_is_plain_heartbeat(&old_row, &row, now))
		return false;

	new_slot = MakeSingleTupleTableSlot(desc, &TTSOpsHeapTuple);
	ExecStoreHeapTuple(row_build(&row), new_slot, true);
	/* Waits for a transaction updating the row; if it committed, the UPDATE takes over. */
	done = rp_table_tuple_update(rel, &old_slot->tts_tid, new_slot, GetCurrentCommandId(true), snapshot,
								 &failure, &lockmode, &indexes) == TM_Ok;
	if (done)
	{
		if (indexes != RP_INDEX_UPDATE_NONE)
			insert_index_entries(rel, new_slot, indexes);
		*result = heap_copy_tuple_as_datum(ExecFetchSlotHeapTuple(new_slot, false, NULL), desc);
	}
	ExecDropSingleTupleTableSlot(new_slot);
	return done;
}

bool
rp_plain_heartbeat(const pg_uuid_t *user_id, Datum *result)
{
	RangeVar   *rv;
	Relation	rel;
	Relation	pk;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	ScanKeyData key;
	Snapshot	snapshot;
	Oid			pk_oid;
	bool		done = false;

	if (XactReadOnly || IsInParallelMode())
		return false;
	rv = makeRangeVar((char *) "profile", (char *) "profiles", -1);
	rel = table_open(RangeVarGetRelid(rv, RowExclusiveLock, false), NoLock);
	pk_oid = rp_primary_key_index(rel);
	if (!table_as_made(rel) || !OidIsValid(pk_oid))
	{
		table_close(rel, NoLock);
		return false;
	}
	pk = index_open(pk_oid, RowExclusiveLock);

	/* As SPI runs an UPDATE: earlier commands of the transaction visible, a fresh snapshot. */
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	snapshot = GetActiveSnapshot();
	scan = rp_index_beginscan(rel, pk, snapshot, 1, 0);
	slot = table_slot_create(rel, NULL);
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum(user_id));
	index_rescan(scan, &key, 1, NULL, 0);
	if (index_getnext_slot(scan, ForwardScanDirection, slot))
		done = replace_if_plain(rel, slot, snapshot, result);
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	PopActiveSnapshot();
	if (done)
		CommandCounterIncrement();
	index_close(pk, NoLock);
	table_close(rel, NoLock);
	return done;
}
