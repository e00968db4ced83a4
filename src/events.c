/*
 * events.c
 *		customers.events(request): a tenant's change feed, page by page.
 *
 * The hard part is a consumer that keeps its last cursor and asks again:
 * it must get every later event exactly once, in order, even though
 * transactions commit in any order of their ids and of their events' ids.
 * The feed is ordered by (xid, id): the writing transaction's id, then the
 * event's time-ordered id within it. A page hands out only events of
 * transactions older than the xmin of the statement's snapshot: every
 * transaction below xmin has ended, so no event can ever appear below that
 * horizon again, and one whose transaction is still running (or began
 * before it and commits later) waits above it until it commits or rolls
 * back. A cursor is the (xid, id) of the last event handed out; the next
 * page starts strictly after it. So a page never holds an event that a
 * later commit could precede, and nothing is skipped. The price is delay,
 * not loss: any transaction holding an xid (in any database of the
 * cluster) holds back the events of transactions that took theirs later,
 * until it ends (docs/design.md#the-event-feed).
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"

#include "call_context.h"
#include "citus.h"
#include "cursor.h"
#include "envelope.h"
#include "event_store.h"
#include "events.h"
#include "jsonb_assemble.h"
#include "jsonb_build.h"
#include "request.h"
#include "spi_plans.h"
#include "timestamps.h"

/* a code no other list uses, so only events() takes these cursors */
#define EVENTS_CURSOR_CODE 102

/*
 * The page after (xid, id): of the whole feed through the primary key, or
 * of one object's events through event_object_idx. Two statements, since a
 * kept plan of one with "$6 = '' OR object_id = $6" cannot use the object's
 * index and read the feed from the cursor on (100 ms to 1 s at 100,000
 * customers for an old cursor).
 */
#define EVENTS_COLUMNS \
	"SELECT xid, id, type, object_id, customer_id, version, actor, created_at," \
	" pg_catalog.to_jsonb(changed_fields), data" \
	" FROM customers.event" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1"
#define EVENTS_AFTER \
	" AND ROW(xid, id) OPERATOR(pg_catalog.>) ROW($2, $3)" \
	" AND xid OPERATOR(pg_catalog.<) pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())" \
	" AND (pg_catalog.cardinality($5) OPERATOR(pg_catalog.=) 0" \
	" OR type OPERATOR(pg_catalog.=) ANY ($5))" \
	" ORDER BY xid, id LIMIT $4"
#define EVENTS_SQL EVENTS_COLUMNS EVENTS_AFTER
#define OBJECT_EVENTS_SQL \
	EVENTS_COLUMNS " AND object_id OPERATOR(pg_catalog.=) $6" EVENTS_AFTER

#define EVENTS_HINT \
	"An events request is {\"limit\", \"cursor\", \"types\", \"objectId\"}, each optional."

#define OBJECT_ID_HINT \
	"Give \"objectId\" as the id of a customer, payment method, user, class label or segment."

static SPIPlanPtr events_plan = NULL;
static SPIPlanPtr object_events_plan = NULL;

/* What a request asks for */
typedef struct EventsRequest
{
	int			limit;
	char	   *token;
	char	  **types;
	int			ntypes;
	char	   *object_id;
} EventsRequest;

/* "types": a non-empty array of event type names */
static void
ParseTypes(JsonbContainer *request, EventsRequest *r)
{
	JsonbValue *v = FindKey(request, "types");
	const char *hint = "Give \"types\" as an array of event types, such as [\"customer.created\"].";
	int			n;

	if (v == NULL || v->type == jbvNull)
		return;
	if (!IsJsonbArray(v))
		RequestError(hint, "\"types\" must be an array, not %s", JsonbValueTypeName(v));
	n = JsonContainerSize(v->val.binary.data);
	if (n == 0 || n > 100)
		RequestError(hint, "\"types\" must hold 1 to 100 event types");
	r->types = palloc(sizeof(char *) * n);
	for (int i = 0; i < n; i++)
	{
		JsonbValue *t = getIthJsonbValueFromContainer(v->val.binary.data, i);

		if (t->type != jbvString)
			RequestError(hint, "\"types[%d]\" must be a string, not %s", i, JsonbValueTypeName(t));
		if (!IsEventType(t->val.string.val, t->val.string.len))
			RequestError("The event types are listed in docs/api.md §3.10.",
						 "\"types[%d]\" names an unrecognized event type, \"%s\"", i, JsonbStringCopy(t));
		r->types[r->ntypes++] = JsonbStringCopy(t);
	}
}

/* Read and check a request */
static void
ParseEventsRequest(Jsonb *request, EventsRequest *r)
{
	static const char *const keys[] = {"limit", "cursor", "types", "objectId"};

	memset(r, 0, sizeof(EventsRequest));
	if (request == NULL)
		RequestError("Pass '{}' for the first page.", "argument \"request\" must not be null");
	if (!JB_ROOT_IS_OBJECT(request) || JB_ROOT_IS_SCALAR(request))
		RequestError(EVENTS_HINT, "argument \"request\" must be a JSON object");
	CheckRequestKeys(&request->root, keys, lengthof(keys), "", EVENTS_HINT);
	r->limit = ParsePageLimit(FindKey(&request->root, "limit"));
	r->token = RequestString(&request->root, "cursor", "cursor",
							 "Send back cursor.after as it was returned.");
	ParseTypes(&request->root, r);
	r->object_id = RequestString(&request->root, "objectId", "objectId", OBJECT_ID_HINT);
	if (r->object_id != NULL && r->object_id[0] == '\0')
		RequestError(OBJECT_ID_HINT, "\"objectId\" must not be empty");
}

/* A text column's value as a jsonb string, or null */
static void
TextValue(HeapTuple tuple, TupleDesc desc, int column, JsonbValue *v)
{
	char	   *text = SPI_getvalue(tuple, desc, column);

	v->type = text == NULL ? jbvNull : jbvString;
	if (text != NULL)
	{
		v->val.string.val = text;
		v->val.string.len = strlen(text);
	}
}

/* A jsonb column's value as its container, copied byte for byte, or null */
static void
ContainerValue(HeapTuple tuple, TupleDesc desc, int column, JsonbValue *v)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tuple, desc, column, &isnull);
	Jsonb	   *value;

	v->type = isnull ? jbvNull : jbvBinary;
	if (isnull)
		return;
	value = DatumGetJsonbP(d);
	v->val.binary.data = &value->root;
	v->val.binary.len = VARSIZE(value) - VARHDRSZ;
}

/*
 * One event of the feed, from a row of EVENTS_SQL: assembled around the
 * stored object's container, which is copied, not decoded (jsonb_assemble.c)
 */
static Jsonb *
EventDocument(HeapTuple tuple, TupleDesc desc)
{
	/* in jsonb key order: shorter first, then bytes */
	static const char *const keys[] = {"id", "data", "type", "actor", "objectId", "customerId",
	"changedFields", "objectVersion", "createdDateTime"};
	JsonbValue	values[lengthof(keys)];
	bool		isnull;
	Datum		version;
	char	   *created;

	TextValue(tuple, desc, 2, &values[0]);
	ContainerValue(tuple, desc, 10, &values[1]);
	TextValue(tuple, desc, 3, &values[2]);
	TextValue(tuple, desc, 7, &values[3]);
	TextValue(tuple, desc, 4, &values[4]);
	TextValue(tuple, desc, 5, &values[5]);
	ContainerValue(tuple, desc, 9, &values[6]);
	version = SPI_getbinval(tuple, desc, 6, &isnull);
	values[7].type = isnull ? jbvNull : jbvNumeric;
	if (!isnull)
		values[7].val.numeric = DatumGetNumeric(DirectFunctionCall1(int8_numeric, version));
	created = FormatTimestamp(DatumGetTimestampTz(SPI_getbinval(tuple, desc, 8, &isnull)));
	values[8].type = jbvString;
	values[8].val.string.val = created;
	values[8].val.string.len = strlen(created);
	return AssembleObject(keys, values, lengthof(keys));
}

/* The cursor's position: "<xid>:<event id>" and the event's time */
static void
CursorStart(const CursorPosition *from, FullTransactionId *xid, char **id)
{
	char	   *colon = strchr(from->id, ':');
	char	   *end;
	uint64		value;

	if (colon == NULL || colon == from->id || strspn(from->id, "0123456789") != (size_t) (colon - from->id))
		RequestError("Send back cursor.after exactly as it was returned.", "invalid cursor");
	value = strtou64(from->id, &end, 10);
	*xid = FullTransactionIdFromU64(value);
	*id = colon + 1;
}

PG_FUNCTION_INFO_V1(customers_events);

/*
 * SQL: customers.events(request jsonb) returns the tenant's events after
 * the cursor, oldest first: {"result", "data", "cursor": {"after"}}.
 */
Datum
customers_events(PG_FUNCTION_ARGS)
{
	static Oid	types[6] = {TEXTOID, XID8OID, TEXTOID, INT8OID, TEXTARRAYOID, TEXTOID};
	EventsRequest r;
	CallScope	call;
	CursorBinding binding;
	CursorPosition from;
	CursorPosition last;
	FullTransactionId start_xid = FullTransactionIdFromU64(0);
	char	   *start_id = "";
	Datum		values[6];
	Jsonb	  **docs;
	int			n;
	char	   *after = NULL;

	ParseEventsRequest(PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0), &r);
	RequireEventStore("events");
	if (CitusLoaded())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("customers.events is not supported on Citus yet"),
				 errdetail("The feed is ordered by transaction ids, and each Citus node numbers its transactions on its own."),
				 errhint("Read each customer's history instead, or follow the feed on a single-node database.")));

	BeginCall(&call);
	memset(&binding, 0, sizeof(binding));
	binding.tenant_id = call.tenant_id;
	binding.sort_key = EVENTS_CURSOR_CODE;
	binding.filter_text = "events";
	binding.key_is_time = true;
	if (r.token != NULL)
	{
		DecodeCursor(&binding, r.token, strlen(r.token), &from);
		if (from.before || from.key_null)
			RequestError("Send back cursor.after exactly as it was returned.", "invalid cursor");
		CursorStart(&from, &start_xid, &start_id);
		CheckEventRetention(from.key_time);
		/* a restore into a cluster whose ids are behind would skip new events */
		if (FullTransactionIdFollowsOrEquals(start_xid, ReadNextFullTransactionId()))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cursor is ahead of this cluster's transaction ids"),
					 errdetail("The events were restored from another cluster whose transaction ids were ahead of this one's."),
					 errhint("Advance this cluster's transaction ids past the old cluster's (docs/operations.md, Backups), or follow the feed from a request without \"cursor\".")));
	}

	values[0] = CStringGetTextDatum(call.tenant_id);
	values[1] = FullTransactionIdGetDatum(start_xid);
	values[2] = CStringGetTextDatum(start_id);
	values[3] = Int64GetDatum(r.limit);
	/* no types: every type */
	values[4] = TextArray(r.types, r.ntypes);
	if (r.object_id != NULL)
	{
		values[5] = CStringGetTextDatum(r.object_id);
		ExecutePlan(KeptPlan(&object_events_plan, OBJECT_EVENTS_SQL, 6, types), values, true,
					SPI_OK_SELECT);
	}
	else
		ExecutePlan(KeptPlan(&events_plan, EVENTS_SQL, 5, types), values, true, SPI_OK_SELECT);

	n = (int) SPI_processed;
	CheckRowsResponseSize(RESPONSE_PAGE, SPI_tuptable, n);
	docs = palloc(sizeof(Jsonb *) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();	/* each event's data decompressed: up to 256 kB */
		docs[i] = EventDocument(SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
	}
	memset(&last, 0, sizeof(last));
	last.key_is_time = true;
	if (n > 0)
	{
		HeapTuple	tuple = SPI_tuptable->vals[n - 1];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;

		last.id = psprintf("%s:%s", SPI_getvalue(tuple, desc, 1), SPI_getvalue(tuple, desc, 2));
		last.key_time = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 8, &isnull));
		after = EncodeCursor(&binding, &last);
	}
	else if (r.token != NULL)
		after = r.token;		/* nothing new yet: ask again from the same place */
	SPI_freetuptable(SPI_tuptable);
	EndCall(&call);
	PG_RETURN_JSONB_P(BuildPage(docs, n, after, NULL));
}
