/*
 * event_retention.c
 *		How long events are kept: customers.event_retention, the check that
 *		refuses a cursor older than it, and customers.purge_events, which
 *		removes older events in small batches.
 *
 * A purge batch deletes only rows no call writes again (events are never
 * updated but by erasure), so it waits for no writer and no writer waits
 * for it; rows some other transaction has locked are skipped (SKIP LOCKED)
 * and left for the next batch. The BRIN index on created_at finds the old
 * rows without a B-tree to keep up on every write. A feed cursor whose
 * event is older than the retention is refused, since the events after it
 * may be gone: the consumer must start again from its own data.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "call_context.h"
#include "event_store.h"
#include "events.h"
#include "pg_compat.h"
#include "spi_plans.h"

#define MAX_PURGE_BATCH 100000

#define PURGE_SQL \
	"DELETE FROM customers.event WHERE ctid OPERATOR(pg_catalog.=) ANY (ARRAY(" \
	"SELECT ctid FROM customers.event WHERE created_at OPERATOR(pg_catalog.<) $1" \
	" LIMIT $2 FOR UPDATE SKIP LOCKED))"

/* seconds; 0 keeps events for ever */
int			customers_event_retention = 0;

static SPIPlanPtr purge_plan = NULL;

/* The oldest time an event is kept at; 0 when events are kept for ever */
static TimestampTz
RetentionCutoff(void)
{
	if (customers_event_retention <= 0)
		return 0;
	return GetCurrentTimestamp() - (TimestampTz) customers_event_retention * USECS_PER_SEC;
}

/* Refuse a cursor whose event is older than the retention */
void
CheckEventRetention(TimestampTz cursor_time)
{
	TimestampTz cutoff = RetentionCutoff();

	if (cutoff != 0 && cursor_time < cutoff)
		ereport(ERROR,
				(errcode(ERRCODE_SNAPSHOT_TOO_OLD),
				 errmsg("cursor is older than the event retention"),
				 errdetail("Events are kept for %d seconds (customers.event_retention), so events after this cursor may have been removed.",
						   customers_event_retention),
				 errhint("Read the objects again through query and the other calls, then follow the feed from a request without \"cursor\".")));
}

PG_FUNCTION_INFO_V1(customers_purge_events);

/*
 * SQL: customers.purge_events(batch_size integer) removes up to batch_size
 * events older than customers.event_retention, of every tenant, and returns
 * how many it removed (0: nothing older is left, or retention is off).
 */
Datum
customers_purge_events(PG_FUNCTION_ARGS)
{
	static Oid	types[2] = {TIMESTAMPTZOID, INT4OID};
	int32		batch_size;
	TimestampTz cutoff;
	OwnerScope	owner;
	Datum		values[2];
	uint64		removed;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("batch_size must not be null"),
				 errhint("Pass the most events to remove in this call, such as 1000.")));
	batch_size = PG_GETARG_INT32(0);
	if (batch_size < 1 || batch_size > MAX_PURGE_BATCH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("batch_size must be from 1 to %d, not %d", MAX_PURGE_BATCH, batch_size),
				 errhint("Small batches, each in its own transaction, keep locks and WAL bursts small.")));
	RequireEventStore("purge_events");
	cutoff = RetentionCutoff();
	if (cutoff == 0)
		PG_RETURN_INT64(0);

	BecomeExtensionOwner(&owner);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	values[0] = TimestampTzGetDatum(cutoff);
	values[1] = Int32GetDatum(batch_size);
	ExecutePlan(KeptPlan(&purge_plan, PURGE_SQL, 2, types), values, false, SPI_OK_DELETE);
	removed = SPI_processed;
	SPI_finish();
	StopBeingExtensionOwner(&owner);
	PG_RETURN_INT64((int64) removed);
}
