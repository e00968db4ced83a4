/*
 * history.c
 *		The change history of customers: written with every change, read by
 *		customers.history(id, request).
 *
 * Each create, update, patch, archive and restore that changes a customer
 * adds one event (event_store.c): its new version, the action as the event
 * type, the actor, the time, the document after the change and the
 * changed fields, meaning the top-level fields of the canonical document
 * (server-set ones aside) whose value differs from the stored one. On a
 * create every field of the new document counts as changed. A batch writes
 * all its events in one statement, right after its customers. The history
 * is the customer events of the event store: one store, so history and
 * feed never disagree.
 *
 * The history is listed newest first (version descending) with the signed
 * keyset cursors of keyset_list.c, bound to the tenant and the customer.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "call_context.h"
#include "history.h"
#include "document.h"
#include "event_store.h"
#include "jsonb_build.h"
#include "keyset_list.h"
#include "spi_plans.h"
#include "timestamps.h"

#define HISTORY_COLUMNS \
	"SELECT version, type, actor, created_at, pg_catalog.to_jsonb(changed_fields)" \
	" FROM customers.event" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND object_id OPERATOR(pg_catalog.=) $2" \
	" AND version IS NOT NULL"

/* newest first */
#define HISTORY_FIRST_SQL HISTORY_COLUMNS " ORDER BY version DESC LIMIT $3"
#define HISTORY_AFTER_SQL HISTORY_COLUMNS \
	" AND version OPERATOR(pg_catalog.<) $4 ORDER BY version DESC LIMIT $3"
#define HISTORY_BEFORE_SQL HISTORY_COLUMNS \
	" AND version OPERATOR(pg_catalog.>) $4 ORDER BY version LIMIT $3"

/* 0.1.0's history table, until ALTER EXTENSION UPDATE (event_store.c) */
#define LEGACY_HISTORY_COLUMNS \
	"SELECT version, action, actor, changed_at, pg_catalog.to_jsonb(changed_fields)" \
	" FROM customers.customer_history" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND customer_id OPERATOR(pg_catalog.=) $2"

/* the history of the customers a statement deleted (its transition table) */
#define DELETE_HISTORY_SQL \
	"DELETE FROM customers.event AS h USING deleted AS d" \
	" WHERE h.tenant_id OPERATOR(pg_catalog.=) d.tenant_id" \
	" AND h.customer_id OPERATOR(pg_catalog.=) d.id"

/* with every customer, the events of customers go; those of class labels stay */
#define TRUNCATE_HISTORY_SQL "DELETE FROM customers.event WHERE customer_id IS NOT NULL"

#define DELETE_LEGACY_HISTORY_SQL \
	"DELETE FROM customers.customer_history AS h USING deleted AS d" \
	" WHERE h.tenant_id OPERATOR(pg_catalog.=) d.tenant_id" \
	" AND h.customer_id OPERATOR(pg_catalog.=) d.id"
#define TRUNCATE_LEGACY_HISTORY_SQL "TRUNCATE customers.customer_history"

/* a code no query sort uses, so a history cursor is refused by query */
#define HISTORY_CURSOR_CODE 101

/* Whether a top-level key of doc is a client-settable field */
static inline bool
IsContentKey(JsonbValue *key)
{
	return !IsServerField(key->val.string.val, key->val.string.len);
}

/* qsort comparator of C strings */
static int
CompareNames(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * The changed fields of a change, sorted and joined by commas (field names
 * hold none): the content fields of the new document whose value differs
 * from the old one, and those the old one had and the new one lacks.
 */
static char *
ChangedFields(Jsonb *old_doc, Jsonb *new_doc)
{
	int			max = JB_ROOT_COUNT(new_doc) + (old_doc ? JB_ROOT_COUNT(old_doc) : 0);
	char	  **names = palloc(sizeof(char *) * Max(max, 1));
	int			n = 0;
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;
	StringInfoData joined;

	it = JsonbIteratorInit(&new_doc->root);
	while (NextPair(&it, &key, &value))
	{
		JsonbValue *old;

		if (!IsContentKey(&key))
			continue;
		old = old_doc ? getKeyJsonValueFromContainer(&old_doc->root, key.val.string.val,
													 key.val.string.len, NULL) : NULL;
		if (old == NULL || !JsonbValuesEqual(old, &value))
			names[n++] = pnstrdup(key.val.string.val, key.val.string.len);
	}
	if (old_doc != NULL)
	{
		it = JsonbIteratorInit(&old_doc->root);
		while (NextPair(&it, &key, &value))
			if (IsContentKey(&key) &&
				getKeyJsonValueFromContainer(&new_doc->root, key.val.string.val,
											 key.val.string.len, NULL) == NULL)
				names[n++] = pnstrdup(key.val.string.val, key.val.string.len);
	}

	qsort(names, n, sizeof(char *), CompareNames);
	initStringInfo(&joined);
	for (int i = 0; i < n; i++)
		appendStringInfo(&joined, "%s%s", i > 0 ? "," : "", names[i]);
	return joined.data;
}

/* Add one event (history entry) for each written change, in one statement */
void
WriteHistory(const CallScope *call, PlannedChange *changes, int nchanges)
{
	EventBatch	batch;

	InitEventBatch(&batch, nchanges);
	for (int i = 0; i < nchanges; i++)
	{
		PlannedChange *change = &changes[i];

		if (change->kind != CHANGE_CREATE && change->kind != CHANGE_UPDATE)
			continue;
		AddCustomerEvent(&batch, CustomerEventType(ChangeActionName(change)), change->row.id,
						 change->row.version,
						 ChangedFields(change->stored ? change->stored->doc : NULL, change->row.doc),
						 change->row.doc);
	}
	WriteEvents(call, &batch);
}

/* A history entry from a row of the listing statements */
static Jsonb *
HistoryEntry(HeapTuple tuple, TupleDesc desc)
{
	JsonbParseState *state = NULL;
	bool		isnull;
	Jsonb	   *fields;
	JsonbValue	v;
	char	   *action;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyInt64(&state, "version", DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull)));
	action = SPI_getvalue(tuple, desc, 2);
	/* an event type, or an action of 0.1.0's history table */
	PushKeyString(&state, "action", strchr(action, '.') ? HistoryAction(action) : action);
	PushKeyString(&state, "actor", SPI_getvalue(tuple, desc, 3));
	PushKeyString(&state, "changedDateTime",
				  FormatTimestamp(DatumGetTimestampTz(SPI_getbinval(tuple, desc, 4, &isnull))));
	fields = DatumGetJsonbP(SPI_getbinval(tuple, desc, 5, &isnull));
	v.type = jbvBinary;
	v.val.binary.data = &fields->root;
	v.val.binary.len = VARSIZE(fields) - VARHDRSZ;
	PushKeyValue(&state, "changedFields", &v);
	return EndObject(&state);
}

static KeysetList history_list = {
	.what = "history",
	.id_argument = "id",
	.cursor_code = HISTORY_CURSOR_CODE,
	.key_type = INT8OID,
	.first_sql = HISTORY_FIRST_SQL,
	.after_sql = HISTORY_AFTER_SQL,
	.before_sql = HISTORY_BEFORE_SQL,
	.row_document = HistoryEntry,
};

static KeysetList legacy_history_list = {
	.what = "history",
	.id_argument = "id",
	.cursor_code = HISTORY_CURSOR_CODE,
	.key_type = INT8OID,
	.first_sql = LEGACY_HISTORY_COLUMNS " ORDER BY version DESC LIMIT $3",
	.after_sql = LEGACY_HISTORY_COLUMNS
	" AND version OPERATOR(pg_catalog.<) $4 ORDER BY version DESC LIMIT $3",
	.before_sql = LEGACY_HISTORY_COLUMNS
	" AND version OPERATOR(pg_catalog.>) $4 ORDER BY version LIMIT $3",
	.row_document = HistoryEntry,
};

PG_FUNCTION_INFO_V1(customers_history);

/* SQL: customers.history(id text, request jsonb) lists a customer's changes, newest first */
Datum
customers_history(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(CustomerListPage(fcinfo, EventStoreInstalled() ?
										&history_list : &legacy_history_list));
}

PG_FUNCTION_INFO_V1(customers_delete_customer_history);

/*
 * Trigger after DELETE (with the transition table "deleted") and after
 * TRUNCATE on customers.customer, for each statement: remove the history
 * of the customers removed. Runs as the extension owner past row level
 * security, as the cascade of a foreign key does, so a role allowed to
 * delete customers needs no privilege on the history. It trusts its
 * transition table, so it refuses to run anywhere but on customers.customer
 * (PUBLIC cannot attach it elsewhere either: it has no EXECUTE). The
 * statement is planned per call: it names the call's transition table, and
 * the API never deletes customers.
 */
Datum
customers_delete_customer_history(PG_FUNCTION_ARGS)
{
	TriggerData *trigger = (TriggerData *) fcinfo->context;
	bool		truncate;
	OwnerScope	owner;
	int			rc;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function was not called by the trigger manager"),
				 errdetail("customers.delete_customer_history() runs only as a trigger.")));
	if (RelationGetRelid(trigger->tg_relation) != CustomerRelation())
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger cannot run on relation \"%s\"",
						RelationGetRelationName(trigger->tg_relation)),
				 errdetail("customers.delete_customer_history() deletes the history of deleted customers, so it runs only as the triggers of customers.customer.")));
	truncate = TRIGGER_FIRED_BY_TRUNCATE(trigger->tg_event);
	if (!TRIGGER_FIRED_AFTER(trigger->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(trigger->tg_event) ||
		(!truncate && (!TRIGGER_FIRED_BY_DELETE(trigger->tg_event) || trigger->tg_oldtable == NULL)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger was fired by an unexpected event"),
				 errdetail("customers.delete_customer_history() runs after DELETE with an OLD TABLE, or after TRUNCATE, for each statement.")));

	BecomeExtensionOwner(&owner);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (!truncate && SPI_register_trigger_data(trigger) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed");
	if (EventStoreInstalled())
		rc = SPI_execute(truncate ? TRUNCATE_HISTORY_SQL : DELETE_HISTORY_SQL, false, 0);
	else
		rc = SPI_execute(truncate ? TRUNCATE_LEGACY_HISTORY_SQL : DELETE_LEGACY_HISTORY_SQL,
						 false, 0);
	if (rc != (truncate && !EventStoreInstalled() ? SPI_OK_UTILITY : SPI_OK_DELETE))
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
	SPI_finish();
	StopBeingExtensionOwner(&owner);
	return PointerGetDatum(NULL);
}
