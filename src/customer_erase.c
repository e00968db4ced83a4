/*
 * customer_erase.c
 *		customers.erase(id, options): every piece of one customer's personal
 *		data removed, a tombstone kept (docs/api.md §3.9).
 *
 * The customer is removed as delete removes it (its row, payment methods,
 * users, segments and events; one customer.erased event without data tells
 * the feed), the results of idempotency keys that
 * named it are scrubbed, and a row of customers.erased_customer records
 * the erasure: the id, the externalId only when the caller asks to keep
 * it, when and by whom. The tombstone holds no personal data and is never
 * removed; it refuses the id (and a kept externalId) to every later write,
 * so an erased customer cannot come back under its old id by a retry.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "call_context.h"
#include "customer_delete.h"
#include "customer_erase.h"
#include "customer_reference.h"
#include "item_errors.h"
#include "jsonb_build.h"
#include "request.h"
#include "spi_plans.h"
#include "timestamps.h"

#define TOMBSTONE_COLUMNS "SELECT id, external_id, erased_at, erased_by FROM customers.erased_customer"

#define TOMBSTONE_BY_ID_SQL TOMBSTONE_COLUMNS \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2"

#define TOMBSTONE_BY_EXTERNAL_ID_SQL TOMBSTONE_COLUMNS \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND external_id OPERATOR(pg_catalog.=) $2"

/* the tombstones that the ids or externalIds of a batch would write to */
#define CLAIMED_SQL \
	"SELECT id, external_id FROM customers.erased_customer" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1" \
	" AND (id OPERATOR(pg_catalog.=) ANY ($2) OR external_id OPERATOR(pg_catalog.=) ANY ($3))"

#define INSERT_TOMBSTONE_SQL \
	"INSERT INTO customers.erased_customer (tenant_id, id, external_id, erased_at, erased_by)" \
	" VALUES ($1, $2, NULLIF($3, ''), $4, $5)"

/*
 * The stored results of idempotency keys that name the customer, in their
 * response or as their customer argument (by id or by externalId): kept
 * as jsonb null, which a retry is refused on, and the argument dropped.
 */
#define SCRUB_KEYS_SQL \
	"UPDATE customers.idempotency_key SET response = 'null'::jsonb, customer_ref = NULL" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND response IS NOT NULL" \
	" AND (pg_catalog.strpos(response::text, $2) OPERATOR(pg_catalog.>) 0" \
	" OR customer_ref OPERATOR(pg_catalog.=) $3" \
	" OR ($4 OPERATOR(pg_catalog.<>) '' AND pg_catalog.strpos(customer_ref, $4) OPERATOR(pg_catalog.>) 0))"

#define ERASE_HINT "Pass {\"keepExternalId\": true} to keep the externalId in the tombstone, or {}."

static SPIPlanPtr by_id_plan = NULL;
static SPIPlanPtr by_external_id_plan = NULL;
static SPIPlanPtr claimed_plan = NULL;
static SPIPlanPtr insert_plan = NULL;
static SPIPlanPtr scrub_plan = NULL;

/*
 * Whether the tombstones' table exists: the library also serves release
 * 0.1.0's SQL until ALTER EXTENSION UPDATE, and that schema has none (and
 * so no erased customer)
 */
static bool
TombstonesInstalled(void)
{
	Oid			schema = get_namespace_oid("customers", true);

	return OidIsValid(schema) && OidIsValid(get_relname_relid("erased_customer", schema));
}

/* A tombstone as stored */
typedef struct Tombstone
{
	char	   *id;
	char	   *external_id;	/* NULL unless kept */
	TimestampTz erased_at;
	char	   *erased_by;
} Tombstone;

/* The tombstone of an id, or of a kept externalId when id is NULL; false if none */
static bool
FindTombstone(const char *tenant, const char *id, const char *external_id, Tombstone *out)
{
	static Oid	types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	bool		found;

	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(id ? id : external_id);
	if (id != NULL)
		ExecutePlan(KeptPlan(&by_id_plan, TOMBSTONE_BY_ID_SQL, 2, types), values, true,
					SPI_OK_SELECT);
	else
		ExecutePlan(KeptPlan(&by_external_id_plan, TOMBSTONE_BY_EXTERNAL_ID_SQL, 2, types),
					values, true, SPI_OK_SELECT);
	found = SPI_processed > 0;
	if (found)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;

		out->id = SPI_getvalue(tuple, desc, 1);
		out->external_id = SPI_getvalue(tuple, desc, 2);
		out->erased_at = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 3, &isnull));
		out->erased_by = SPI_getvalue(tuple, desc, 4);
	}
	SPI_freetuptable(SPI_tuptable);
	return found;
}

/* P0002 for a customer that was erased, naming when and by whom; nothing if it was not */
void
RaiseIfErased(const char *tenant, const char *id, const char *external_id)
{
	Tombstone	t;

	if (!TombstonesInstalled() || !FindTombstone(tenant, id, external_id, &t))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 id ? errmsg("customer \"%s\" was erased", id) :
			 errmsg("customer with externalId \"%s\" was erased", external_id),
			 errdetail("customers.erase() removed its data at %s (actor \"%s\"); its id refuses every write.",
					   FormatTimestamp(t.erased_at), t.erased_by),
			 errhint("An erased customer cannot be changed or created again under its id.")));
}

/*
 * Fail the creates of a batch whose id is an erased customer's, and the
 * changes that claim an externalId a tombstone kept (409, as a taken id or
 * externalId)
 */
void
CheckErased(const CallScope *call, PlannedChange *changes, int nchanges)
{
	static Oid	types[3] = {TEXTOID, TEXTARRAYOID, TEXTARRAYOID};
	char	  **ids = palloc(sizeof(char *) * Max(nchanges, 1));
	char	  **external_ids = palloc(sizeof(char *) * Max(nchanges, 1));
	int			n = 0;
	Datum		values[3];

	for (int i = 0; i < nchanges; i++)
	{
		if (changes[i].kind != CHANGE_CREATE && changes[i].kind != CHANGE_UPDATE)
			continue;
		ids[n] = changes[i].kind == CHANGE_CREATE ? changes[i].row.id : NULL;
		external_ids[n++] = changes[i].row.external_id;
	}
	if (n == 0 || !TombstonesInstalled())
		return;

	values[0] = CStringGetTextDatum(call->tenant_id);
	values[1] = TextArray(ids, n);
	values[2] = TextArray(external_ids, n);
	ExecutePlan(KeptPlan(&claimed_plan, CLAIMED_SQL, 3, types), values, true, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		char	   *erased_id = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);
		char	   *erased_external_id = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2);

		for (int i = 0; i < nchanges; i++)
		{
			PlannedChange *change = &changes[i];

			if (change->kind == CHANGE_CREATE && strcmp(change->row.id, erased_id) == 0)
			{
				change->kind = CHANGE_FAILED;
				AddItemError(&change->errors, ITEM_STATUS_CONFLICT, ERRCODE_UNIQUE_VIOLATION, "id",
							 "customer \"%s\" was erased; its id cannot be used again", erased_id);
			}
			else if ((change->kind == CHANGE_CREATE || change->kind == CHANGE_UPDATE) &&
					 erased_external_id != NULL && change->row.external_id != NULL &&
					 strcmp(change->row.external_id, erased_external_id) == 0)
			{
				change->kind = CHANGE_FAILED;
				AddItemError(&change->errors, ITEM_STATUS_CONFLICT, ERRCODE_UNIQUE_VIOLATION,
							 "externalId", "externalId \"%s\" belongs to erased customer \"%s\"",
							 erased_external_id, erased_id);
			}
		}
	}
	SPI_freetuptable(SPI_tuptable);
}

/* The tombstone as returned by erase */
static Jsonb *
TombstoneDocument(const Tombstone *t)
{
	JsonbParseState *state = NULL;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(&state, "id", t->id);
	if (t->external_id != NULL)
		PushKeyString(&state, "externalId", t->external_id);
	PushKeyBool(&state, "erased", true);
	PushKeyString(&state, "erasedDateTime", FormatTimestamp(t->erased_at));
	PushKeyString(&state, "erasedBy", t->erased_by);
	return EndObject(&state);
}

/* options: {"keepExternalId": boolean}, or NULL */
static bool
KeepExternalId(Jsonb *options)
{
	static const char *const allowed[] = {"keepExternalId"};
	JsonbValue *keep;

	if (options == NULL)
		return false;
	if (!JB_ROOT_IS_OBJECT(options) || JB_ROOT_IS_SCALAR(options))
		RequestError(ERASE_HINT, "argument \"options\" must be a JSON object");
	CheckRequestKeys(&options->root, allowed, lengthof(allowed), "", ERASE_HINT);
	keep = FindKey(&options->root, "keepExternalId");
	if (keep == NULL || keep->type == jbvNull)
		return false;
	if (keep->type != jbvBool)
		RequestError(ERASE_HINT, "\"keepExternalId\" must be a boolean, not %s",
					 JsonbValueTypeName(keep));
	return keep->val.boolean;
}

PG_FUNCTION_INFO_V1(customers_erase);

/*
 * SQL: customers.erase(id text, options jsonb) erases a customer's personal
 * data and returns its tombstone {"id", "externalId"?, "erased": true,
 * "erasedDateTime", "erasedBy"}; erasing it again returns the tombstone
 */
Datum
customers_erase(PG_FUNCTION_ARGS)
{
	static Oid	insert_types[5] = {TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID};
	static Oid	scrub_types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	CustomerRef ref;
	bool		keep;
	CallScope	call;
	StoredCustomer *customer;
	JsonbValue *external_id;
	Tombstone	t;
	Datum		values[5];

	CustomerRefArgument(fcinfo, 0, "id", &ref);
	keep = KeepExternalId(PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1));
	BeginCall(&call);
	customer = FindCustomerRef(call.tenant_id, &ref, true);
	if (customer == NULL)
	{
		/* erased before: the tombstone is the answer */
		if (!FindTombstone(call.tenant_id, ref.id, ref.external_id, &t))
			RaiseCustomerNotFound(call.tenant_id, &ref);
		EndCall(&call);
		PG_RETURN_JSONB_P(TombstoneDocument(&t));
	}

	t.id = customer->id;
	external_id = FindKey(&customer->doc->root, "externalId");
	t.external_id = keep && external_id != NULL ? JsonbStringCopy(external_id) : NULL;
	t.erased_at = call.now;
	t.erased_by = (char *) call.actor;
	RemoveCustomer(&call, customer->id, "customer.erased");

	values[0] = CStringGetTextDatum(call.tenant_id);
	values[1] = CStringGetTextDatum(t.id);
	values[2] = CStringGetTextDatum(t.external_id ? t.external_id : "");
	values[3] = TimestampTzGetDatum(t.erased_at);
	values[4] = CStringGetTextDatum(t.erased_by);
	ExecutePlan(KeptPlan(&insert_plan, INSERT_TOMBSTONE_SQL, 5, insert_types), values, false,
				SPI_OK_INSERT);

	values[1] = CStringGetTextDatum(psprintf("\"%s\"", customer->id));
	values[2] = CStringGetTextDatum(customer->id);
	values[3] = CStringGetTextDatum(external_id ? JsonbStringCopy(external_id) : "");
	ExecutePlan(KeptPlan(&scrub_plan, SCRUB_KEYS_SQL, 4, scrub_types), values, false,
				SPI_OK_UPDATE);

	EndCall(&call);
	PG_RETURN_JSONB_P(TombstoneDocument(&t));
}
