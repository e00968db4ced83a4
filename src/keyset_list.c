/*
 * keyset_list.c
 *		Keyset listings of one parent's rows (a customer's users, its
 *		history), page by page.
 *
 * A keyset listing walks one unique key, so each page is one index range
 * scan from the cursor's key: "key > $4 ORDER BY key LIMIT n" forward and
 * "key < $4 ORDER BY key DESC LIMIT n" backward (mirrored for lists in
 * descending order). It fetches limit + 1 rows to learn whether the next
 * page exists and probes one row past the page's near edge for the
 * previous one, as query does. Cursors are the signed tokens of cursor.c,
 * bound to the tenant, the list and the parent id, so a token of another
 * customer's users or of another tenant is refused.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "call_context.h"
#include "customer_reference.h"
#include "customer_store.h"
#include "cursor.h"
#include "envelope.h"
#include "jsonb_build.h"
#include "keyset_list.h"
#include "page_edges.h"
#include "request.h"
#include "spi_plans.h"

/* One listing call on its way through */
typedef struct ListWalk
{
	const CallScope *call;
	KeysetList *list;
	const char *parent_id;
	CursorBinding binding;
	char	  **keys;			/* of the rows fetched, as text */
	Jsonb	  **docs;
} ListWalk;

/* The value of a key for a statement parameter */
static Datum
KeyDatum(const KeysetList *list, const char *key)
{
	if (list->key_type == INT8OID)
	{
		/* keys come from signed cursors, but check them all the same */
		if (key[0] == '\0' || strspn(key, "0123456789") != strlen(key) || strlen(key) > 18)
			RequestError("Send back cursor.after or cursor.before exactly as it was returned.",
						 "invalid cursor");
		return Int64GetDatum(strtoi64(key, NULL, 10));
	}
	return CStringGetTextDatum(key);
}

/*
 * Run one of the list's statements (0 first rows, 1 after key, 2 before
 * key) for up to want rows, stored from walk->keys[at] on; the row count.
 */
static int
FetchRows(ListWalk *walk, int statement, const char *key, int want, int at)
{
	static const int nargs[3] = {3, 4, 4};
	KeysetList *list = walk->list;
	const char *sql[3] = {list->first_sql, list->after_sql, list->before_sql};
	Oid			types[4] = {TEXTOID, TEXTOID, INT8OID, list->key_type};
	Datum		values[4];
	int			n;

	values[0] = CStringGetTextDatum(walk->call->tenant_id);
	values[1] = CStringGetTextDatum(walk->parent_id);
	values[2] = Int64GetDatum(want);
	if (key != NULL)
		values[3] = KeyDatum(list, key);
	ExecutePlan(KeptPlan(&list->plans[statement], sql[statement], nargs[statement], types),
				values, true, SPI_OK_SELECT);
	n = (int) SPI_processed;
	/* a page's rows, before they are read (not the one that probes past it) */
	if (want > 1)
		CheckRowsResponseSize(RESPONSE_PAGE, SPI_tuptable, Min(n, want - 1));
	for (int r = 0; r < n; r++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[r];

		CHECK_FOR_INTERRUPTS();	/* each document decompressed: up to 256 kB */
		walk->keys[at + r] = SPI_getvalue(tuple, SPI_tuptable->tupdesc, 1);
		walk->docs[at + r] = list->row_document(tuple, SPI_tuptable->tupdesc);
	}
	SPI_freetuptable(SPI_tuptable);
	return n;
}

/* The token of a row's key, for cursor.after or cursor.before */
static char *
KeyToken(ListWalk *walk, const char *key, bool before)
{
	CursorPosition position;

	memset(&position, 0, sizeof(position));
	position.before = before;
	position.id = (char *) key;
	return EncodeCursor(&walk->binding, &position);
}

/* The key a page edge points at (see page_edges.c) */
static const char *
EdgeKey(ListWalk *walk, int edge, const char *cursor_key)
{
	return edge == EDGE_CURSOR ? cursor_key : walk->keys[edge];
}

/*
 * One page of a parent's list for a request {"limit", "cursor"} (NULL is
 * an error, as for query): {"result","data","cursor"}.
 */
static Jsonb *
ListPage(const CallScope *call, KeysetList *list, const char *parent_id, Jsonb *request)
{
	static const char *const keys[] = {"limit", "cursor"};
	const char *hint = psprintf("A %s request is {\"limit\", \"cursor\"}, each optional.", list->what);
	ListWalk	walk;
	int			limit;
	char	   *token;
	CursorPosition from;
	bool		has_cursor = false;
	bool		backward = false;
	bool		more;
	bool		other_side = false;
	int			n;
	char	   *after = NULL;
	char	   *before = NULL;
	PageEdges	edges;

	if (request == NULL)
		RequestError("Pass '{}' for the first page.", "argument \"request\" must not be null");
	if (!JB_ROOT_IS_OBJECT(request) || JB_ROOT_IS_SCALAR(request))
		RequestError(hint, "argument \"request\" must be a JSON object");
	CheckRequestKeys(&request->root, keys, lengthof(keys), "", hint);
	limit = ParsePageLimit(FindKey(&request->root, "limit"));

	memset(&from, 0, sizeof(from));
	memset(&walk, 0, sizeof(walk));
	walk.call = call;
	walk.list = list;
	walk.parent_id = parent_id;
	walk.binding.tenant_id = call->tenant_id;
	walk.binding.sort_key = list->cursor_code;
	walk.binding.filter_text = psprintf("%s:%s", list->what, parent_id);
	walk.binding.key_is_id = true;
	walk.keys = palloc(sizeof(char *) * (limit + 2));
	walk.docs = palloc(sizeof(Jsonb *) * (limit + 2));

	token = RequestString(&request->root, "cursor", "cursor",
						  "Send back cursor.after or cursor.before as it was returned.");
	if (token != NULL)
	{
		DecodeCursor(&walk.binding, token, strlen(token), &from);
		has_cursor = true;
		backward = from.before;
	}

	n = FetchRows(&walk, !has_cursor ? 0 : backward ? 2 : 1,
				  has_cursor ? from.id : NULL, limit + 1, 0);
	more = (n > limit);
	if (more)
		n = limit;
	if (backward)
	{
		ReverseRows(walk.keys, n, sizeof(char *));
		ReverseRows(walk.docs, n, sizeof(Jsonb *));
	}
	if (has_cursor)
		other_side = FetchRows(&walk, backward ? 1 : 2,
							   EdgeKey(&walk, NearEdgeRow(n, backward), from.id),
							   1, limit + 1) > 0;

	FindPageEdges(n, backward, more, other_side, &edges);
	if (edges.after != EDGE_NONE)
		after = KeyToken(&walk, EdgeKey(&walk, edges.after, from.id), false);
	if (edges.before != EDGE_NONE)
		before = KeyToken(&walk, EdgeKey(&walk, edges.before, from.id), true);
	return BuildPage(walk.docs, n, after, before);
}

/*
 * A list call on one customer, f(customer_id text, request jsonb): the
 * customer must exist (P0002), archived or not.
 */
Jsonb *
CustomerListPage(FunctionCallInfo fcinfo, KeysetList *list)
{
	CustomerRef ref;
	char	   *customer_id;
	CallScope	call;
	Jsonb	   *page;

	CustomerRefArgument(fcinfo, 0, list->id_argument, &ref);
	BeginCall(&call);
	customer_id = RequireCustomerRef(call.tenant_id, &ref, false)->id;
	page = ListPage(&call, list, customer_id, PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1));
	EndCall(&call);
	return page;
}
