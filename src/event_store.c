/*
 * event_store.c
 *		The event store: one row in customers.event per change of a tenant's
 *		objects, written in the same transaction as the change.
 *
 * A call collects the events of its changes in an EventBatch and writes
 * them in one INSERT over arrays, right after the changes themselves, so a
 * rolled-back change has no event and a committed one always has. Each row
 * carries the writing transaction's id (pg_current_xact_id()), the order of
 * the feed (events.c), and a time-ordered id (ids.c), the order within the
 * transaction: one backend makes ids in increasing order. Customer events
 * are also the customers' history (history.c), with their version and
 * changed fields. Writing events queues the data-free wake-up (notify.c).
 *
 * The library can run before ALTER EXTENSION UPDATE has created
 * customers.event (a package upgrade installs the library first): until
 * then customer changes go to 0.1.0's customers.customer_history, other
 * objects have no events, and events() asks for the update.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "event_store.h"
#include "ids.h"
#include "notify.h"
#include "spi_plans.h"

#define EVENT_ID_PREFIX "evt_"

#define INSERT_EVENTS_SQL \
	"INSERT INTO customers.event (tenant_id, xid, id, type, object_id, customer_id," \
	" version, actor, created_at, changed_fields, data)" \
	" SELECT $1, pg_catalog.pg_current_xact_id(), u.id, u.type, u.object_id," \
	" u.customer_id, u.version, $3, $2, pg_catalog.string_to_array(u.fields, ','), u.data" \
	" FROM ROWS FROM (pg_catalog.unnest($4), pg_catalog.unnest($5), pg_catalog.unnest($6)," \
	" pg_catalog.unnest($7), pg_catalog.unnest($8), pg_catalog.unnest($9)," \
	" pg_catalog.unnest($10)) AS u(id, type, object_id, customer_id, version, fields, data)"

/* 0.1.0's history table, until ALTER EXTENSION UPDATE */
#define INSERT_LEGACY_HISTORY_SQL \
	"INSERT INTO customers.customer_history (tenant_id, customer_id, version, action," \
	" actor, changed_at, changed_fields)" \
	" SELECT $1, u.id, u.version, u.action, $3, $2," \
	" pg_catalog.string_to_array(u.fields, ',')" \
	" FROM ROWS FROM (pg_catalog.unnest($4), pg_catalog.unnest($5)," \
	" pg_catalog.unnest($6), pg_catalog.unnest($7)) AS u(id, version, action, fields)"

static SPIPlanPtr insert_events_plan = NULL;
static SPIPlanPtr insert_legacy_history_plan = NULL;

/* whether customers.event exists, for the extension install of that oid */
static Oid	checked_extension = InvalidOid;
static bool event_store_installed = false;

/* The event types of customer changes and their history actions */
static const struct
{
	const char *action;
	const char *type;
}			customer_types[] = {
	{"CREATE", "customer.created"},
	{"UPDATE", "customer.updated"},
	{"PATCH", "customer.patched"},
	{"ARCHIVE", "customer.archived"},
	{"RESTORE", "customer.restored"},
};

/* Every event type (docs/api.md §3.10) */
static const char *const event_types[] = {
	"customer.created", "customer.updated", "customer.patched", "customer.archived",
	"customer.restored", "customer.deleted", "customer.erased",
	"payment_method.attached", "payment_method.updated", "payment_method.detached",
	"payment_method.default_changed",
	"customer_user.created",
	"class_label.created", "class_label.updated",
	"class_segment.created", "class_segment.updated", "class_segment.deleted",
};

/* Whether a string of len bytes names an event type */
bool
IsEventType(const char *type, int len)
{
	for (int i = 0; i < (int) lengthof(event_types); i++)
		if (strlen(event_types[i]) == (size_t) len && memcmp(event_types[i], type, len) == 0)
			return true;
	return false;
}

/* The event type of a customer change's history action */
const char *
CustomerEventType(const char *action)
{
	for (int i = 0; i < (int) lengthof(customer_types); i++)
		if (strcmp(customer_types[i].action, action) == 0)
			return customer_types[i].type;
	elog(ERROR, "unrecognized customer action \"%s\"", action);
	return NULL;
}

/* The history action of a customer event type */
const char *
HistoryAction(const char *type)
{
	for (int i = 0; i < (int) lengthof(customer_types); i++)
		if (strcmp(customer_types[i].type, type) == 0)
			return customer_types[i].action;
	elog(ERROR, "unrecognized customer event type \"%s\"", type);
	return NULL;
}

/* Whether ALTER EXTENSION UPDATE has created customers.event yet */
bool
EventStoreInstalled(void)
{
	Oid			extension = get_extension_oid("customers", false);

	if (extension != checked_extension)
	{
		event_store_installed =
			OidIsValid(get_relname_relid("event", get_namespace_oid("customers", false)));
		checked_extension = extension;
	}
	return event_store_installed;
}

/* Refuse a call that needs customers.event before the extension is updated */
void
RequireEventStore(const char *what)
{
	if (!EventStoreInstalled())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("customers.%s needs version 0.2.0 of the extension's objects", what),
				 errdetail("The library was updated, but the database still has the objects of an earlier version."),
				 errhint("Run ALTER EXTENSION customers UPDATE.")));
}

/* An empty batch with room for capacity events (it grows when needed) */
void
InitEventBatch(EventBatch *batch, int capacity)
{
	capacity = Max(capacity, 1);
	batch->n = 0;
	batch->capacity = capacity;
	batch->types = palloc(sizeof(char *) * capacity);
	batch->object_ids = palloc(sizeof(char *) * capacity);
	batch->customer_ids = palloc(sizeof(char *) * capacity);
	batch->versions = palloc(sizeof(Datum) * capacity);
	batch->version_nulls = palloc(sizeof(bool) * capacity);
	batch->changed_fields = palloc(sizeof(char *) * capacity);
	batch->data = palloc(sizeof(Datum) * capacity);
	batch->data_nulls = palloc(sizeof(bool) * capacity);
}

/* Room for one more event */
static void
Reserve(EventBatch *batch)
{
	if (batch->n < batch->capacity)
		return;
	batch->capacity *= 2;
	batch->types = repalloc(batch->types, sizeof(char *) * batch->capacity);
	batch->object_ids = repalloc(batch->object_ids, sizeof(char *) * batch->capacity);
	batch->customer_ids = repalloc(batch->customer_ids, sizeof(char *) * batch->capacity);
	batch->versions = repalloc(batch->versions, sizeof(Datum) * batch->capacity);
	batch->version_nulls = repalloc(batch->version_nulls, sizeof(bool) * batch->capacity);
	batch->changed_fields = repalloc(batch->changed_fields, sizeof(char *) * batch->capacity);
	batch->data = repalloc(batch->data, sizeof(Datum) * batch->capacity);
	batch->data_nulls = repalloc(batch->data_nulls, sizeof(bool) * batch->capacity);
}

/* Add the event of an object without a version (data NULL: none) */
void
AddEvent(EventBatch *batch, const char *type, const char *object_id,
		 const char *customer_id, Jsonb *data)
{
	int			i;

	Reserve(batch);
	i = batch->n++;
	batch->types[i] = (char *) type;
	batch->object_ids[i] = (char *) object_id;
	batch->customer_ids[i] = (char *) customer_id;
	batch->versions[i] = (Datum) 0;
	batch->version_nulls[i] = true;
	batch->changed_fields[i] = NULL;
	batch->data[i] = data ? JsonbPGetDatum(data) : (Datum) 0;
	batch->data_nulls[i] = (data == NULL);
}

/* Add the event of a customer change: its new version and changed fields */
void
AddCustomerEvent(EventBatch *batch, const char *type, const char *customer_id,
				 int64 version, const char *changed_fields, Jsonb *data)
{
	int			i = batch->n;

	AddEvent(batch, type, customer_id, customer_id, data);
	batch->versions[i] = Int64GetDatum(version);
	batch->version_nulls[i] = false;
	batch->changed_fields[i] = (char *) changed_fields;
}

/* 0.1.0's history rows for the customer events of a batch */
static void
WriteLegacyHistory(const CallScope *call, EventBatch *batch)
{
	static Oid	types[7] = {TEXTOID, TIMESTAMPTZOID, TEXTOID,
	TEXTARRAYOID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
	char	  **ids = palloc(sizeof(char *) * batch->n);
	Datum	   *versions = palloc(sizeof(Datum) * batch->n);
	char	  **actions = palloc(sizeof(char *) * batch->n);
	char	  **fields = palloc(sizeof(char *) * batch->n);
	Datum		values[7];
	int			n = 0;

	for (int i = 0; i < batch->n; i++)
	{
		if (batch->version_nulls[i])
			continue;
		ids[n] = batch->object_ids[i];
		versions[n] = batch->versions[i];
		actions[n] = (char *) HistoryAction(batch->types[i]);
		fields[n++] = batch->changed_fields[i];
	}
	if (n == 0)
		return;
	values[0] = CStringGetTextDatum(call->tenant_id);
	values[1] = TimestampTzGetDatum(call->now);
	values[2] = CStringGetTextDatum(call->actor);
	values[3] = TextArray(ids, n);
	values[4] = MakeArray(versions, NULL, n, INT8OID);
	values[5] = TextArray(actions, n);
	values[6] = TextArray(fields, n);
	ExecutePlan(KeptPlan(&insert_legacy_history_plan, INSERT_LEGACY_HISTORY_SQL, 7, types),
				values, false, SPI_OK_INSERT);
}

/* Write a call's events in one statement, and queue the wake-up */
void
WriteEvents(const CallScope *call, EventBatch *batch)
{
	static Oid	types[10] = {TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID,
	TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID, TEXTARRAYOID, JSONBARRAYOID};
	char	  **ids;
	Datum		values[10];

	if (batch->n == 0)
		return;
	NotifyEventsWritten();
	if (!EventStoreInstalled())
	{
		WriteLegacyHistory(call, batch);
		return;
	}

	ids = palloc(sizeof(char *) * batch->n);
	for (int i = 0; i < batch->n; i++)
		ids[i] = GenerateId(EVENT_ID_PREFIX);
	values[0] = CStringGetTextDatum(call->tenant_id);
	values[1] = TimestampTzGetDatum(call->now);
	values[2] = CStringGetTextDatum(call->actor);
	values[3] = TextArray(ids, batch->n);
	values[4] = TextArray(batch->types, batch->n);
	values[5] = TextArray(batch->object_ids, batch->n);
	values[6] = TextArray(batch->customer_ids, batch->n);
	values[7] = MakeArray(batch->versions, batch->version_nulls, batch->n, INT8OID);
	values[8] = TextArray(batch->changed_fields, batch->n);
	values[9] = MakeArray(batch->data, batch->data_nulls, batch->n, JSONBOID);
	ExecutePlan(KeptPlan(&insert_events_plan, INSERT_EVENTS_SQL, 10, types), values, false,
				SPI_OK_INSERT);
	batch->n = 0;
}
