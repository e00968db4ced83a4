/*
 * customer_delete.c
 *		customers.delete(id): one customer removed for good (docs/api.md §3.7).
 *
 * The customer's row is locked first, as for every change, so a concurrent
 * save, patch or payment method call either finishes before the delete or
 * finds the customer gone (P0002). What it holds is counted under that
 * lock, then one DELETE removes the row; the foreign keys' ON DELETE
 * CASCADE remove its payment methods, users and segments, and the history
 * trigger its events (on Citus, the foreign key distribute() adds). Then
 * one customer.deleted event, which names no customer row (customer_id is
 * NULL) and so stays, tells the feed (docs/api.md §3.10). No archive is
 * needed first.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "call_context.h"
#include "customer_delete.h"
#include "customer_reference.h"
#include "event_store.h"
#include "jsonb_build.h"
#include "spi_plans.h"

#define OF_CUSTOMER_WHERE(table, condition) \
	"(SELECT pg_catalog.count(*) FROM customers." table \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND customer_id OPERATOR(pg_catalog.=) $2" \
	condition ")"
#define OF_CUSTOMER(table) OF_CUSTOMER_WHERE(table, "")

/* what the customer holds, removed with it */
#define COUNT_HELD_SQL \
	"SELECT " OF_CUSTOMER("payment_method") ", " OF_CUSTOMER("customer_user") ", " \
	OF_CUSTOMER("customer_segment") ", " \
	OF_CUSTOMER_WHERE("event", " AND version IS NOT NULL")

#define DELETE_SQL \
	"DELETE FROM customers.customer" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2"

/* the names of the counts in the response, in the order of COUNT_HELD_SQL */
static const char *const held_names[] = {
	"paymentMethods", "users", "classSegments", "historyEntries"
};

static SPIPlanPtr count_plan = NULL;
static SPIPlanPtr delete_plan = NULL;

/*
 * Delete a (locked) customer's row; the cascades and the history trigger
 * take everything it holds, its events included. Then the event of the
 * removal (customer.deleted or customer.erased), without data: there is no
 * object after the change.
 */
void
RemoveCustomer(const CallScope *call, const char *id, const char *event_type)
{
	static Oid	types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	EventBatch	events;

	values[0] = CStringGetTextDatum(call->tenant_id);
	values[1] = CStringGetTextDatum(id);
	ExecutePlan(KeptPlan(&delete_plan, DELETE_SQL, 2, types), values, false, SPI_OK_DELETE);
	if (SPI_processed != 1)
		elog(ERROR, "deleted " UINT64_FORMAT " customers instead of 1", SPI_processed);

	InitEventBatch(&events, 1);
	AddEvent(&events, event_type, id, NULL, NULL);
	WriteEvents(call, &events);
}

PG_FUNCTION_INFO_V1(customers_delete);

/*
 * SQL: customers.delete(id text) removes a customer and everything it holds;
 * returns {"id", "deleted": true, "customer": the document as it was,
 * "removed": {"paymentMethods", "users", "classSegments", "historyEntries"}}
 */
Datum
customers_delete(PG_FUNCTION_ARGS)
{
	static Oid	types[2] = {TEXTOID, TEXTOID};
	CustomerRef ref;
	CallScope	call;
	StoredCustomer *customer;
	Datum		values[2];
	int64		held[lengthof(held_names)];
	JsonbParseState *state = NULL;
	JsonbValue	doc;
	Jsonb	   *result;

	CustomerRefArgument(fcinfo, 0, "id", &ref);
	BeginCall(&call);
	customer = RequireCustomerRef(call.tenant_id, &ref, true);

	values[0] = CStringGetTextDatum(call.tenant_id);
	values[1] = CStringGetTextDatum(customer->id);
	ExecutePlan(KeptPlan(&count_plan, COUNT_HELD_SQL, 2, types), values, true, SPI_OK_SELECT);
	for (int i = 0; i < (int) lengthof(held_names); i++)
	{
		bool		isnull;

		held[i] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
											  i + 1, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);

	RemoveCustomer(&call, customer->id, "customer.deleted");
	EndCall(&call);

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(&state, "id", customer->id);
	PushKeyBool(&state, "deleted", true);
	doc.type = jbvBinary;
	doc.val.binary.data = &customer->doc->root;
	doc.val.binary.len = VARSIZE(customer->doc) - VARHDRSZ;
	PushKeyValue(&state, "customer", &doc);
	PushKey(&state, "removed");
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < (int) lengthof(held_names); i++)
		PushKeyInt64(&state, held_names[i], held[i]);
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	result = EndObject(&state);
	PG_RETURN_JSONB_P(result);
}
