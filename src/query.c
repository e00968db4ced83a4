/*
 * query.c
 *		customers.query(request jsonb): Tight's query with filter, sort and
 *		keyset cursors in both directions.
 *
 * A sort order is walked in segments. Keys that are never NULL have one
 * segment; email and business name also have the NULL segment, last for ASC
 * and first for DESC as PostgreSQL sorts them. Each segment is one index
 * range scan, "(key, id) > (cursor key, cursor id)" ordered by "key, id"
 * (or by id alone among NULLs), so a page costs the same at any depth. A
 * page fetches limit + 1 rows through as many segments as it needs; the
 * extra row tells whether a next page exists. A cursor.before token walks
 * the same segments backwards and the rows are then put back in order.
 *
 * Each distinct statement (filter shape, sort, segment, direction) is
 * prepared once per backend and kept, so repeated shapes cost no planning.
 * query only reads, so it works on a hot standby.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "call_context.h"
#include "class_segments.h"
#include "cursor.h"
#include "jsonb_build.h"
#include "page.h"
#include "query_filter.h"
#include "store.h"

typedef struct SortColumn
{
	const char *name;			/* sort.orderBy */
	const char *column;
	bool		nullable;
	bool		is_time;
	bool		is_id;
} SortColumn;

static const SortColumn sort_columns[] = {
	{"NAME", "name", false, false, false},
	{"EMAIL", "email", true, false, false},
	{"BUSINESS_NAME", "business_name", true, false, false},
	{"STATUS", "status", false, false, false},
	{"CREATED_DATE_TIME", "created_at", false, true, false},
	{"UPDATED_DATE_TIME", "updated_at", false, true, false},
	{"ID", "id", false, false, true},
};

/* A parsed query request */
typedef struct QueryRequest
{
	int			limit;
	int			sort_key;		/* index into sort_columns */
	bool		descending;
	QueryFilter filter;
	bool		has_cursor;
	CursorPosition cursor;
	CursorBinding binding;
} QueryRequest;

/* One row of a page */
typedef struct PageRow
{
	CursorPosition position;
	Jsonb	   *doc;
} PageRow;

/* sort: {"orderBy", "direction"} */
static void
ParseSort(JsonbValue *v, QueryRequest *request)
{
	static const char *const keys[] = {"orderBy", "direction"};
	const char *hint = "Sort with {\"orderBy\": \"NAME\"|\"EMAIL\"|\"BUSINESS_NAME\"|\"STATUS\"|"
		"\"CREATED_DATE_TIME\"|\"UPDATED_DATE_TIME\"|\"ID\", \"direction\": \"ASC\"|\"DESC\"}.";
	char	   *order_by;
	char	   *direction;

	request->sort_key = 0;
	request->descending = false;
	if (v == NULL || v->type == jbvNull)
		return;
	if (!IsJsonbObject(v))
		InvalidRequest("query", psprintf("\"sort\" must be an object, not %s", JsonbValueTypeName(v)), hint);
	CheckRequestKeys(v->val.binary.data, keys, lengthof(keys), "sort.", "query", hint);

	order_by = RequestString(v->val.binary.data, "orderBy", "sort.orderBy", "query", hint);
	if (order_by != NULL)
	{
		request->sort_key = -1;
		for (int i = 0; i < (int) lengthof(sort_columns); i++)
			if (strcmp(order_by, sort_columns[i].name) == 0)
				request->sort_key = i;
		if (request->sort_key < 0)
			InvalidRequest("query", psprintf("unrecognized sort.orderBy \"%s\"", order_by), hint);
	}
	direction = RequestString(v->val.binary.data, "direction", "sort.direction", "query", hint);
	if (direction != NULL && strcmp(direction, "DESC") == 0)
		request->descending = true;
	else if (direction != NULL && strcmp(direction, "ASC") != 0)
		InvalidRequest("query", psprintf("unrecognized sort.direction \"%s\"", direction), hint);
}

/* The whole request, checked; the cursor is verified against the rest */
static void
ParseRequest(Jsonb *json, const char *tenant_id, QueryRequest *request)
{
	static const char *const keys[] = {"cursor", "limit", "sort", "filter"};
	const char *hint = "A query request is {\"cursor\", \"limit\", \"sort\", \"filter\"}, each optional.";
	JsonbContainer *root = &json->root;
	char	   *token;
	const SortColumn *sort;

	if (!JB_ROOT_IS_OBJECT(json) || JB_ROOT_IS_SCALAR(json))
		InvalidRequest("query", "the request must be a JSON object", hint);
	CheckRequestKeys(root, keys, lengthof(keys), "", "query", hint);

	memset(request, 0, sizeof(QueryRequest));
	request->limit = ParsePageLimit(FindKey(root, "limit"), "query");
	ParseSort(FindKey(root, "sort"), request);
	ParseFilter(FindKey(root, "filter"), 2, &request->filter);

	sort = &sort_columns[request->sort_key];
	request->binding.tenant_id = tenant_id;
	request->binding.sort_key = request->sort_key;
	request->binding.descending = request->descending;
	request->binding.filter_text = request->filter.text;
	request->binding.key_is_time = sort->is_time;
	request->binding.key_is_id = sort->is_id;

	token = RequestString(root, "cursor", "cursor", "query",
						  "Send back cursor.after or cursor.before as a query returned it.");
	if (token != NULL)
	{
		request->has_cursor = true;
		DecodeCursor(&request->binding, token, strlen(token), &request->cursor);
	}
}

/* Whether a segment of NULL keys exists and comes first in the walk */
typedef struct Walk
{
	bool		backward;		/* walking against the sort direction */
	bool		ascending;		/* the effective scan direction */
	int			nsegments;
	bool		segment_null[2];	/* each segment: the NULL keys or the others */
} Walk;

/* The segments of a sort, in the order a walk visits them */
static void
PlanWalk(const QueryRequest *request, bool backward, Walk *walk)
{
	const SortColumn *sort = &sort_columns[request->sort_key];
	bool		nulls_first = request->descending;	/* as PostgreSQL sorts */

	walk->backward = backward;
	walk->ascending = (request->descending == backward);
	if (!sort->nullable)
	{
		walk->nsegments = 1;
		walk->segment_null[0] = false;
		return;
	}
	walk->nsegments = 2;
	walk->segment_null[0] = (nulls_first != backward);
	walk->segment_null[1] = !walk->segment_null[0];
}

/* The statement for one segment, from a position or from its start */
static char *
SegmentSql(const QueryRequest *request, const Walk *walk, bool null_segment, bool from_position,
		   int key_param, int id_param, int limit_param)
{
	const SortColumn *sort = &sort_columns[request->sort_key];
	const char *cmp = walk->ascending ? ">" : "<";
	const char *dir = walk->ascending ? "" : " DESC";
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s, id, doc FROM customers.customer AS c"
					 " WHERE tenant_id OPERATOR(pg_catalog.=) $1%s",
					 sort->column, request->filter.conditions.data);
	if (sort->nullable)
		appendStringInfo(&sql, " AND %s IS %sNULL", sort->column, null_segment ? "" : "NOT ");
	if (from_position && (sort->is_id || null_segment))
		appendStringInfo(&sql, " AND id OPERATOR(pg_catalog.%s) $%d", cmp, id_param);
	else if (from_position)
		appendStringInfo(&sql, " AND ROW(%s, id) OPERATOR(pg_catalog.%s) ROW($%d, $%d)",
						 sort->column, cmp, key_param, id_param);
	if (sort->is_id || null_segment)
		appendStringInfo(&sql, " ORDER BY id%s", dir);
	else
		appendStringInfo(&sql, " ORDER BY %s%s, id%s", sort->column, dir, dir);
	appendStringInfo(&sql, " LIMIT $%d", limit_param);
	return sql.data;
}

/* Append the rows of the current SPI result to rows */
static void
CollectRows(const QueryRequest *request, PageRow *rows, int *nrows, bool before)
{
	const SortColumn *sort = &sort_columns[request->sort_key];
	TupleDesc	desc = SPI_tuptable->tupdesc;

	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[r];
		PageRow    *row = &rows[(*nrows)++];
		bool		isnull;
		Datum		key = SPI_getbinval(tuple, desc, 1, &isnull);

		memset(row, 0, sizeof(PageRow));
		row->position.before = before;
		row->position.key_null = isnull;
		row->position.key_is_time = sort->is_time;
		if (!isnull && sort->is_time)
			row->position.key_time = DatumGetTimestampTz(key);
		else if (!isnull)
			row->position.key_text = TextDatumGetCString(key);
		row->position.id = SPI_getvalue(tuple, desc, 2);
		row->doc = DatumGetJsonbPCopy(SPI_getbinval(tuple, desc, 3, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * Walk from position (or from the start) and collect up to want rows, in
 * walk order.
 */
static int
WalkRows(const QueryRequest *request, bool backward, const CursorPosition *position,
		 int want, PageRow *rows)
{
	const SortColumn *sort = &sort_columns[request->sort_key];
	const QueryFilter *filter = &request->filter;
	Walk		walk;
	int			nrows = 0;
	int			first_segment = 0;

	PlanWalk(request, backward, &walk);
	if (position != NULL && sort->nullable)
		first_segment = (walk.segment_null[0] == position->key_null) ? 0 : 1;

	for (int s = first_segment; s < walk.nsegments && nrows < want; s++)
	{
		bool		from_position = (position != NULL && s == first_segment);
		int			nargs = 1 + filter->nparams;
		Oid			types[MAX_FILTER_PARAMS + 4];
		Datum		values[MAX_FILTER_PARAMS + 4];
		int			key_param = 0;
		int			id_param = 0;
		char	   *sql;

		types[0] = TEXTOID;
		values[0] = CStringGetTextDatum(request->binding.tenant_id);
		memcpy(types + 1, filter->types, sizeof(Oid) * filter->nparams);
		memcpy(values + 1, filter->values, sizeof(Datum) * filter->nparams);
		if (from_position && !sort->is_id && !walk.segment_null[s])
		{
			key_param = ++nargs;
			types[nargs - 1] = sort->is_time ? TIMESTAMPTZOID : TEXTOID;
			values[nargs - 1] = sort->is_time ? TimestampTzGetDatum(position->key_time) :
				CStringGetTextDatum(position->key_text);
		}
		if (from_position)
		{
			id_param = ++nargs;
			types[nargs - 1] = TEXTOID;
			values[nargs - 1] = CStringGetTextDatum(position->id);
		}
		types[nargs] = INT8OID;
		values[nargs] = Int64GetDatum(want - nrows);
		nargs++;

		sql = SegmentSql(request, &walk, walk.segment_null[s], from_position,
						 key_param, id_param, nargs);
		ExecutePlan(filter->custom_plan ? CustomShapePlan(sql, nargs, types) :
					ShapePlan(sql, nargs, types), values, true, SPI_OK_SELECT);
		CollectRows(request, rows, &nrows, backward);
	}
	return nrows;
}

/* The token of a position, for cursor.before or cursor.after */
static char *
PositionToken(const QueryRequest *request, const CursorPosition *position, bool before)
{
	CursorPosition copy = *position;

	copy.before = before;
	return EncodeCursor(&request->binding, &copy);
}

/* The response: the page's documents and the cursors that exist */
static Jsonb *
BuildResponse(const QueryRequest *request, PageRow *rows, int nrows,
			  const CursorPosition *before, const CursorPosition *after)
{
	Jsonb	  **docs = palloc(sizeof(Jsonb *) * Max(nrows, 1));

	for (int i = 0; i < nrows; i++)
		docs[i] = rows[i].doc;
	return BuildPage(docs, nrows,
					 after ? PositionToken(request, after, false) : NULL,
					 before ? PositionToken(request, before, true) : NULL);
}

/* Run a parsed query: the page and whether pages exist on either side */
static Jsonb *
RunQuery(const CallScope *call, const QueryRequest *request)
{
	bool		backward = request->has_cursor && request->cursor.before;
	const CursorPosition *from = request->has_cursor ? &request->cursor : NULL;
	PageRow    *rows = palloc(sizeof(PageRow) * (request->limit + 1));
	PageRow		probe;
	int			nrows;
	bool		more;
	bool		other_side = false;

	nrows = WalkRows(request, backward, from, request->limit + 1, rows);
	more = (nrows > request->limit);
	if (more)
		nrows = request->limit;

	if (backward)
	{
		/* rows came last-first: put them in page order */
		for (int i = 0; i < nrows / 2; i++)
		{
			PageRow		tmp = rows[i];

			rows[i] = rows[nrows - 1 - i];
			rows[nrows - 1 - i] = tmp;
		}
	}

	/* a page exists on the other side if a row lies beyond the page's near edge */
	if (from != NULL)
	{
		const CursorPosition *edge = from;

		if (nrows > 0)
			edge = backward ? &rows[nrows - 1].position : &rows[0].position;
		other_side = WalkRows(request, !backward, edge, 1, &probe) > 0;
	}

	if (request->filter.expand_segments && nrows > 0)
	{
		Jsonb	  **docs = palloc(sizeof(Jsonb *) * nrows);

		for (int i = 0; i < nrows; i++)
			docs[i] = rows[i].doc;
		ExpandSegments(call, docs, nrows);
		for (int i = 0; i < nrows; i++)
			rows[i].doc = docs[i];
	}

	if (nrows == 0)
	{
		/* an empty page past one edge: the cursor itself leads back */
		if (!other_side)
			return BuildResponse(request, rows, 0, NULL, NULL);
		return BuildResponse(request, rows, 0, backward ? NULL : from, backward ? from : NULL);
	}
	return BuildResponse(request, rows, nrows,
						 (backward ? more : other_side) ? &rows[0].position : NULL,
						 (backward ? other_side : more) ? &rows[nrows - 1].position : NULL);
}

PG_FUNCTION_INFO_V1(customers_query);

/* SQL: customers.query(request jsonb) returns {"result","data","cursor"} */
Datum
customers_query(PG_FUNCTION_ARGS)
{
	CallScope	call;
	QueryRequest request;
	Jsonb	   *response;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("query request must not be null"),
				 errhint("Pass '{}' for the first page in the default order.")));

	BeginCall(&call);
	ParseRequest(PG_GETARG_JSONB_P(0), call.tenant_id, &request);
	response = RunQuery(&call, &request);

	EndCall(&call);
	PG_RETURN_JSONB_P(response);
}
