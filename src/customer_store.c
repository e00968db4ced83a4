/*
 * customer_store.c
 *		The statements over customers.customer, prepared once per backend and
 *		kept, each written set-based over arrays.
 *
 * Every name is schema-qualified, operators included, so no search_path can
 * redirect a statement, and every statement carries tenant_id = $1.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "customer_store.h"
#include "item_errors.h"
#include "spi_plans.h"

#define CUSTOMER_COLUMNS \
	"id, doc, status, status_before_archive, archived_at, version"

#define FETCH_SQL \
	"SELECT " CUSTOMER_COLUMNS " FROM customers.customer" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1" \
	" AND id OPERATOR(pg_catalog.=) ANY ($2)"

#define GET_SQL \
	"SELECT doc FROM customers.customer" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2"

#define OWNERS_SQL \
	"SELECT external_id, id FROM customers.customer" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1" \
	" AND external_id OPERATOR(pg_catalog.=) ANY ($2)"

/* the rows to write, as parallel arrays $3..$13 */
#define ROWS_SQL \
	" ROWS FROM (pg_catalog.unnest($3), pg_catalog.unnest($4), pg_catalog.unnest($5)," \
	" pg_catalog.unnest($6), pg_catalog.unnest($7), pg_catalog.unnest($8)," \
	" pg_catalog.unnest($9), pg_catalog.unnest($10), pg_catalog.unnest($11)," \
	" pg_catalog.unnest($12), pg_catalog.unnest($13))" \
	" AS u(id, external_id, name, email, business_name, status," \
	" status_before_archive, archived, archived_at, version, doc)"

#define INSERT_SQL \
	"INSERT INTO customers.customer (tenant_id, id, external_id, name, email," \
	" business_name, status, status_before_archive, created_at, updated_at," \
	" archived_at, version, doc)" \
	" SELECT $1, u.id, u.external_id, u.name, u.email, u.business_name, u.status," \
	" u.status_before_archive, $2, $2, u.archived_at, u.version, u.doc FROM" ROWS_SQL \
	" ON CONFLICT DO NOTHING RETURNING id"

#define UPDATE_SQL \
	"UPDATE customers.customer AS c SET external_id = u.external_id, name = u.name," \
	" email = u.email, business_name = u.business_name, status = u.status," \
	" status_before_archive = u.status_before_archive, updated_at = $2," \
	" archived_at = u.archived_at, version = u.version, doc = u.doc FROM" ROWS_SQL \
	" WHERE c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.id OPERATOR(pg_catalog.=) u.id"

#define NUM_ROW_ARGS 13

static SPIPlanPtr fetch_plan = NULL;
static SPIPlanPtr fetch_for_update_plan = NULL;
static SPIPlanPtr get_plan = NULL;
static SPIPlanPtr owners_plan = NULL;
static SPIPlanPtr insert_plan = NULL;
static SPIPlanPtr update_plan = NULL;

static Oid	row_arg_types[NUM_ROW_ARGS] = {
	TEXTOID, TIMESTAMPTZOID,
	TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
	TEXTARRAYOID, TEXTARRAYOID, BOOLARRAYOID, TIMESTAMPTZARRAYOID, INT8ARRAYOID,
	JSONBARRAYOID,
};

/* A text column of the current row, or NULL */
static char *
TextColumn(HeapTuple tuple, int column)
{
	return SPI_getvalue(tuple, SPI_tuptable->tupdesc, column);
}

/* The customers with the given ids, locked when for_update */
List *
FetchCustomers(const char *tenant, char **ids, int nids, bool for_update)
{
	static Oid	types[2] = {TEXTOID, TEXTARRAYOID};
	SPIPlanPtr	plan;
	Datum		values[2];
	List	   *result = NIL;

	if (for_update)
		plan = KeptPlan(&fetch_for_update_plan, FETCH_SQL " FOR UPDATE", 2, types);
	else
		plan = KeptPlan(&fetch_plan, FETCH_SQL, 2, types);
	values[0] = CStringGetTextDatum(tenant);
	values[1] = TextArray(ids, nids);
	ExecutePlan(plan, values, !for_update, SPI_OK_SELECT);

	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		StoredCustomer *c = palloc0(sizeof(StoredCustomer));
		bool		isnull;
		Datum		d;

		c->id = TextColumn(tuple, 1);
		c->doc = DatumGetJsonbPCopy(SPI_getbinval(tuple, desc, 2, &isnull));
		c->status = TextColumn(tuple, 3);
		c->status_before_archive = TextColumn(tuple, 4);
		d = SPI_getbinval(tuple, desc, 5, &isnull);
		c->archived = !isnull;
		c->archived_at = isnull ? 0 : DatumGetTimestampTz(d);
		c->version = DatumGetInt64(SPI_getbinval(tuple, desc, 6, &isnull));
		result = lappend(result, c);
	}
	SPI_freetuptable(SPI_tuptable);
	return result;
}

/* One customer, or NULL */
StoredCustomer *
FetchCustomer(const char *tenant, const char *id, bool for_update)
{
	char	   *ids[1] = {(char *) id};
	List	   *found = FetchCustomers(tenant, ids, 1, for_update);

	return found == NIL ? NULL : linitial(found);
}

/* The stored document of one customer, or NULL; read-only */
Jsonb *
FetchDocument(const char *tenant, const char *id)
{
	static Oid	types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];

	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(id);
	ExecutePlan(KeptPlan(&get_plan, GET_SQL, 2, types), values, true, SPI_OK_SELECT);
	return ResultJsonb();
}

/* Which customers hold the given externalIds */
List *
FetchExternalIdOwners(const char *tenant, char **external_ids, int n)
{
	static Oid	types[2] = {TEXTOID, TEXTARRAYOID};
	Datum		values[2];
	List	   *result = NIL;

	values[0] = CStringGetTextDatum(tenant);
	values[1] = TextArray(external_ids, n);
	ExecutePlan(KeptPlan(&owners_plan, OWNERS_SQL, 2, types), values, false, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		ExternalIdOwner *owner = palloc(sizeof(ExternalIdOwner));

		owner->external_id = TextColumn(SPI_tuptable->vals[r], 1);
		owner->id = TextColumn(SPI_tuptable->vals[r], 2);
		result = lappend(result, owner);
	}
	SPI_freetuptable(SPI_tuptable);
	return result;
}

/* The arguments $1..$13 of the insert and update statements */
static void
RowArguments(const char *tenant, TimestampTz now, CustomerRow *rows, int n, Datum *values)
{
	char	  **ids = palloc(sizeof(char *) * n);
	char	  **external_ids = palloc(sizeof(char *) * n);
	char	  **names = palloc(sizeof(char *) * n);
	char	  **emails = palloc(sizeof(char *) * n);
	char	  **business_names = palloc(sizeof(char *) * n);
	char	  **statuses = palloc(sizeof(char *) * n);
	char	  **before = palloc(sizeof(char *) * n);
	Datum	   *archived = palloc(sizeof(Datum) * n);
	Datum	   *archived_at = palloc(sizeof(Datum) * n);
	bool	   *archived_at_null = palloc(sizeof(bool) * n);
	Datum	   *versions = palloc(sizeof(Datum) * n);
	Datum	   *docs = palloc(sizeof(Datum) * n);

	for (int i = 0; i < n; i++)
	{
		ids[i] = rows[i].id;
		external_ids[i] = rows[i].external_id;
		names[i] = rows[i].name;
		emails[i] = rows[i].email;
		business_names[i] = rows[i].business_name;
		statuses[i] = (char *) rows[i].status;
		before[i] = rows[i].status_before_archive;
		archived[i] = BoolGetDatum(rows[i].archived);
		archived_at[i] = TimestampTzGetDatum(rows[i].archived_at);
		archived_at_null[i] = !rows[i].archived;
		versions[i] = Int64GetDatum(rows[i].version);
		docs[i] = JsonbPGetDatum(rows[i].doc);
	}
	values[0] = CStringGetTextDatum(tenant);
	values[1] = TimestampTzGetDatum(now);
	values[2] = TextArray(ids, n);
	values[3] = TextArray(external_ids, n);
	values[4] = TextArray(names, n);
	values[5] = TextArray(emails, n);
	values[6] = TextArray(business_names, n);
	values[7] = TextArray(statuses, n);
	values[8] = TextArray(before, n);
	values[9] = MakeArray(archived, NULL, n, BOOLOID);
	values[10] = MakeArray(archived_at, archived_at_null, n, TIMESTAMPTZOID);
	values[11] = MakeArray(versions, NULL, n, INT8OID);
	values[12] = MakeArray(docs, NULL, n, JSONBOID);
}

/*
 * Insert new customers in one statement. A row whose id or externalId was
 * taken meanwhile by a concurrent transaction is skipped; the ids inserted
 * are returned.
 */
List *
InsertCustomers(const char *tenant, TimestampTz now, CustomerRow *rows, int nrows)
{
	Datum		values[NUM_ROW_ARGS];
	List	   *inserted = NIL;

	if (nrows == 0)
		return NIL;
	RowArguments(tenant, now, rows, nrows, values);
	ExecutePlan(KeptPlan(&insert_plan, INSERT_SQL, NUM_ROW_ARGS, row_arg_types),
			values, false, SPI_OK_INSERT_RETURNING);
	for (uint64 r = 0; r < SPI_processed; r++)
		inserted = lappend(inserted, TextColumn(SPI_tuptable->vals[r], 1));
	SPI_freetuptable(SPI_tuptable);
	return inserted;
}

/* Update existing (locked) customers in one statement */
void
UpdateCustomers(const char *tenant, TimestampTz now, CustomerRow *rows, int nrows)
{
	Datum		values[NUM_ROW_ARGS];

	if (nrows == 0)
		return;
	RowArguments(tenant, now, rows, nrows, values);
	ExecutePlan(KeptPlan(&update_plan, UPDATE_SQL, NUM_ROW_ARGS, row_arg_types),
			values, false, SPI_OK_UPDATE);
	if (SPI_processed != (uint64) nrows)
		elog(ERROR, "updated " UINT64_FORMAT " customers instead of %d",
			 SPI_processed, nrows);
}

/* The stored customer of this tenant with id (locked when for_update), or P0002 */
StoredCustomer *
RequireCustomer(const char *tenant, const char *id, bool for_update)
{
	StoredCustomer *customer = FetchCustomer(tenant, id, for_update);

	if (customer == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("customer \"%s\" does not exist", Echo(id)),
				 errhint("Check the id, and that customers.tenant_id names the customer's tenant.")));
	return customer;
}

/* Refuse to add to an archived customer: it is deleted as far as clients know */
void
RequireNotArchived(StoredCustomer *customer)
{
	if (customer->archived)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("customer \"%s\" is archived", customer->id),
				 errhint("Restore the customer first with customers.restore('%s').",
						 customer->id)));
}
