/*
 * query.c
 *		customers.query(request jsonb): Tight's query with filter, sort and
 *		keyset cursors in both directions.
 *
 * A sort order is walked in segments. Keys that are never NULL have one
 * segment; email, business name, currency and country code also have the
 * NULL segment, last for ASC and first for DESC as PostgreSQL sorts them. Each segment is one index
 * range scan, "(key, id) > (cursor key, cursor id)" ordered by "key, id"
 * (or by id alone among NULLs), so a page costs the same at any depth. A
 * page fetches limit + 1 rows through as many segments as it needs; the
 * extra row tells whether a next page exists. A cursor.before token walks
 * the same segments backwards and the rows are then put back in order.
 *
 * Each distinct statement (filter shape, sort, segment, direction) is
 * prepared once per backend and kept. Without a filter its generic plan
 * serves every call; with one, it is planned for each call's values, since
 * which index serves a filter depends on how many rows they select
 * (docs/design.md, Indexes and plans). query only reads, so it works on a
 * hot standby.
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
#include "cursor.h"
#include "customer_segments.h"
#include "envelope.h"
#include "item_errors.h"
#include "jsonb_build.h"
#include "page_edges.h"
#include "query_count.h"
#include "query_filter.h"
#include "request.h"
#include "spi_plans.h"

/* a pattern with this many matches or more is walked in sort order */
#define MATCH_FIRST_CAP (MAX_PAGE_LIMIT + 1)

/*
 * rows of the sort index a trigram contain walks before it looks by bitmap:
 * a first window, then, when that one held some matches but too few, a
 * larger one
 */
#define FIRST_WINDOW 200
#define WALK_WINDOW 2000


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
	{"CURRENCY", CURRENCY_SQL, true, false, false},
	{"COUNTRY_CODE", COUNTRY_CODE_SQL, true, false, false},
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
	int			count_cap;		/* count up to this many matches; 0: no count */
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
		"\"CREATED_DATE_TIME\"|\"UPDATED_DATE_TIME\"|\"ID\"|\"CURRENCY\"|\"COUNTRY_CODE\", \"direction\": \"ASC\"|\"DESC\"}.";
	char	   *order_by;
	char	   *direction;

	request->sort_key = 0;
	request->descending = false;
	if (v == NULL || v->type == jbvNull)
		return;
	if (!IsJsonbObject(v))
		RequestError(hint, "\"sort\" must be an object, not %s", JsonbValueTypeName(v));
	CheckRequestKeys(v->val.binary.data, keys, lengthof(keys), "sort.", hint);

	order_by = RequestString(v->val.binary.data, "orderBy", "sort.orderBy", hint);
	if (order_by != NULL)
	{
		request->sort_key = -1;
		for (int i = 0; i < (int) lengthof(sort_columns); i++)
			if (strcmp(order_by, sort_columns[i].name) == 0)
				request->sort_key = i;
		if (request->sort_key < 0)
			RequestError(hint, "\"sort.orderBy\" must be a sort key, not \"%s\"", Echo(order_by));
	}
	direction = RequestString(v->val.binary.data, "direction", "sort.direction", hint);
	if (direction != NULL && strcmp(direction, "DESC") == 0)
		request->descending = true;
	else if (direction != NULL && strcmp(direction, "ASC") != 0)
		RequestError(hint, "\"sort.direction\" must be ASC or DESC, not \"%s\"", Echo(direction));
}

/* The whole request, checked; the cursor is verified against the rest */
static void
ParseRequest(Jsonb *json, const char *tenant_id, QueryRequest *request)
{
	static const char *const keys[] = {"cursor", "limit", "sort", "filter", "count"};
	const char *hint = "A query request is {\"cursor\", \"limit\", \"sort\", \"filter\", \"count\"}, each optional.";
	JsonbContainer *root = &json->root;
	char	   *token;
	const SortColumn *sort;

	if (!JB_ROOT_IS_OBJECT(json) || JB_ROOT_IS_SCALAR(json))
		RequestError(hint, "argument \"request\" must be a JSON object");
	CheckRequestKeys(root, keys, lengthof(keys), "", hint);

	memset(request, 0, sizeof(QueryRequest));
	request->limit = ParsePageLimit(FindKey(root, "limit"));
	ParseSort(FindKey(root, "sort"), request);
	ParseFilter(FindKey(root, "filter"), 2, &request->filter);
	request->count_cap = ParseCountRequest(FindKey(root, "count"));

	sort = &sort_columns[request->sort_key];
	request->binding.tenant_id = tenant_id;
	request->binding.sort_key = request->sort_key;
	request->binding.descending = request->descending;
	request->binding.filter_text = request->filter.text;
	request->binding.key_is_time = sort->is_time;
	request->binding.key_is_id = sort->is_id;

	token = RequestString(root, "cursor", "cursor",
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

/* How a segment's statement finds its rows (see WalkRows) */
typedef enum SegmentForm
{
	FORM_ORDERED,				/* walk the sort index, filter, stop at $limit */
	FORM_WINDOW,				/* the same over the next rows of a window only */
	FORM_MATCH_FIRST			/* at most $limit matches in any order, sorted */
} SegmentForm;

/*
 * The statement for one segment, from a position (or from its row, when
 * inclusive) or from its start. Columns: key, id, doc, then others.
 *
 * A value-blind condition (a trigram contain, a customData contains) makes
 * the best plan depend on a share of rows that no plan can see, so each
 * form's shape leaves the planner the one strategy it is for. The window form evaluates the
 * filter as column "hit" over the next window rows of the sort index
 * and returns the hits, in order, and the window's last row (columns hit
 * and position in window). It has no ORDER BY of its own, which would read
 * the whole window before the first row: no node of its plan reorders
 * rows, and WalkRows checks the positions. With such a condition, the ordered form
 * evaluates the filter above an OFFSET 0 fence, out of the GIN index's
 * reach, so it walks the sort index (see WalkRows).
 */
static char *
SegmentSql(const QueryRequest *request, const Walk *walk, bool null_segment, bool from_position,
		   bool inclusive, int key_param, int id_param, int limit_param, SegmentForm form, int window)
{
	const SortColumn *sort = &sort_columns[request->sort_key];
	const char *cmp = walk->ascending ? (inclusive ? ">=" : ">") : (inclusive ? "<=" : "<");
	const char *dir = walk->ascending ? "" : " DESC";
	bool		fenced = (form == FORM_ORDERED && request->filter.value_blind);
	bool		hit_column = (form == FORM_WINDOW || fenced);
	StringInfoData sql;

	initStringInfo(&sql);
	if (form == FORM_MATCH_FIRST || fenced)
		appendStringInfoString(&sql, "SELECT * FROM (");
	else if (form == FORM_WINDOW)
		appendStringInfoString(&sql, "SELECT * FROM (SELECT w.*, pg_catalog.row_number() OVER () AS n FROM (");
	appendStringInfo(&sql, "SELECT %s, id, doc", sort->column);
	if (hit_column)
		appendStringInfo(&sql, ", (true%s) AS hit", request->filter.conditions.data);
	appendStringInfo(&sql, " FROM customers.customer AS c WHERE tenant_id OPERATOR(pg_catalog.=) $1%s",
					 hit_column ? "" : request->filter.conditions.data);
	if (sort->nullable)
		appendStringInfo(&sql, " AND %s IS %sNULL", sort->column, null_segment ? "" : "NOT ");
	if (from_position && (sort->is_id || null_segment))
		appendStringInfo(&sql, " AND id OPERATOR(pg_catalog.%s) $%d", cmp, id_param);
	else if (from_position)
		appendStringInfo(&sql, " AND ROW(%s, id) OPERATOR(pg_catalog.%s) ROW($%d, $%d)",
						 sort->column, cmp, key_param, id_param);
	if (form == FORM_MATCH_FIRST)
		appendStringInfo(&sql, " LIMIT $%d) AS m", limit_param);
	/*
	 * m's columns are named by position: the key may be id itself. Among
	 * NULL keys the order is by id, but written as by key and id, so the
	 * sort key's index serves it (ordered by id alone, the NULL keys were
	 * found by walking the primary key over the whole tenant).
	 */
	if (sort->is_id || (null_segment && form == FORM_MATCH_FIRST))
		appendStringInfo(&sql, " ORDER BY %s%s", form == FORM_MATCH_FIRST ? "2" : "id", dir);
	else
		appendStringInfo(&sql, " ORDER BY %s%s, %s%s", form == FORM_MATCH_FIRST ? "1" : sort->column, dir,
						 form == FORM_MATCH_FIRST ? "2" : "id", dir);
	if (fenced)
		appendStringInfo(&sql, " OFFSET 0) AS w WHERE hit LIMIT $%d", limit_param);
	else if (form == FORM_ORDERED)
		appendStringInfo(&sql, " LIMIT $%d", limit_param);
	else if (form == FORM_WINDOW)
		appendStringInfo(&sql, " LIMIT %d) AS w) AS m WHERE hit OR n OPERATOR(pg_catalog.=) %d"
						 " LIMIT $%d", window, window, limit_param);
	return sql.data;
}

/*
 * The kept plan of a segment's statement: planned per call for a filter
 * (see the file's header), and for match-first, whose strategy (a bitmap
 * scan of a GIN index) only the value's statistics choose.
 */
static SPIPlanPtr
SegmentPlan(const QueryFilter *filter, SegmentForm form, const char *sql, int nargs, Oid *types)
{
	if (filter->custom_plan || form == FORM_MATCH_FIRST)
		return CustomShapePlan(sql, nargs, types);
	return ShapePlan(sql, nargs, types);
}

/* Run a segment's statement */
static void
RunSegment(const QueryFilter *filter, SegmentForm form, const char *sql, int nargs, Oid *types,
		   Datum *values)
{
	ExecutePlan(SegmentPlan(filter, form, sql, nargs, types), values, true, SPI_OK_SELECT);
}

/* The position in the window of row r of a window statement's result */
static int64
WindowRowNumber(uint64 r)
{
	bool		isnull;

	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 5, &isnull));
}

/* Whether row r of a window statement's result matches the filter */
static bool
WindowRowIsHit(uint64 r)
{
	bool		isnull;
	Datum		hit = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 4, &isnull);

	return !isnull && DatumGetBool(hit);
}

/* Append the first rows (at most max) of the current SPI result to rows */
static void
CollectRows(const QueryRequest *request, PageRow *rows, int *nrows, int max, bool before)
{
	const SortColumn *sort = &sort_columns[request->sort_key];
	TupleDesc	desc = SPI_tuptable->tupdesc;

	for (uint64 r = 0; r < SPI_processed && r < (uint64) max; r++)
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
 * walk order; inclusive starts at the position's own row.
 *
 * A value-blind condition (a contain served by a trigram index, a
 * customData contains) makes the best plan depend on how many rows its
 * value selects, which the planner cannot estimate even for the value.
 * Walking the sort index finds a page of a common value at once but walks
 * the whole index for a rare one; a bitmap scan of the GIN index finds the
 * rare value's few rows at once but every row of a common one. So such a
 * segment first walks a window of FIRST_WINDOW rows of the sort index,
 * then, if that held enough hits that the larger window would fill the
 * page at the same rate, one of WALK_WINDOW rows: enough hits there, or
 * the end of the segment, and that is the page. Otherwise (and at once
 * after the first window when it held too few: a rare or absent value no
 * longer costs the large window, whose rows each evaluate the filter, a
 * search folding six fields) the value is rare here and its
 * matches are collected by bitmap, at most
 * MATCH_FIRST_CAP of them; fewer means that they were all, and their first
 * rows are the page. That statement is planned for its value: the planner
 * then takes the GIN index. Only a value both sparse and frequent is left
 * to the plain walk. (Guessing the walk's length from the window's hits
 * failed where matches cluster in the sort order: a deep page read 84,000
 * rows.) A contain shorter than a trigram has no index to serve it: it
 * walks at once. A segment of NULL keys is skipped when a condition on
 * the sort key cannot hold there.
 */
static int
WalkRows(const QueryRequest *request, bool backward, const CursorPosition *position,
		 bool inclusive, int want, PageRow *rows)
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

		if (walk.segment_null[s] && FilterNeedsColumn(filter, sort->column))
			continue;
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
		nargs++;

		if (filter->value_blind && filter->gin_served)
		{
			static const int windows[] = {FIRST_WINDOW, WALK_WINDOW};
			bool		page_found = false;

			values[nargs - 1] = Int64GetDatum(want - nrows);
			for (int w = 0; w < (int) lengthof(windows); w++)
			{
				int			hits;
				bool		window_full;

				sql = SegmentSql(request, &walk, walk.segment_null[s], from_position,
								 from_position && inclusive, key_param, id_param, nargs, FORM_WINDOW,
								 windows[w]);
				RunSegment(filter, FORM_WINDOW, sql, nargs, types, values);
				hits = SPI_processed;
				for (int r = 1; r < hits; r++)
					if (WindowRowNumber(r) <= WindowRowNumber(r - 1))
						elog(ERROR, "window rows out of order");
				window_full = hits > 0 && WindowRowNumber(hits - 1) == windows[w];
				if (window_full && !WindowRowIsHit(hits - 1))
					hits--;
				if (!window_full || hits == want - nrows)
				{
					CollectRows(request, rows, &nrows, hits, backward);
					page_found = true;
					break;
				}
				SPI_freetuptable(SPI_tuptable);
				/* too few for the larger window to fill the page: look by bitmap */
				if ((int64) hits * WALK_WINDOW < (int64) (want - nrows) * windows[w])
					break;
			}
			if (page_found)
				continue;

			values[nargs - 1] = Int64GetDatum(MATCH_FIRST_CAP);
			sql = SegmentSql(request, &walk, walk.segment_null[s], from_position,
							 from_position && inclusive, key_param, id_param, nargs, FORM_MATCH_FIRST, 0);
			RunSegment(filter, FORM_MATCH_FIRST, sql, nargs, types, values);
			if (SPI_processed < MATCH_FIRST_CAP)
			{
				CollectRows(request, rows, &nrows, want - nrows, backward);
				continue;
			}
			SPI_freetuptable(SPI_tuptable);
		}

		values[nargs - 1] = Int64GetDatum(want - nrows);
		sql = SegmentSql(request, &walk, walk.segment_null[s], from_position,
						 from_position && inclusive, key_param, id_param, nargs, FORM_ORDERED, 0);
		RunSegment(filter, FORM_ORDERED, sql, nargs, types, values);
		CollectRows(request, rows, &nrows, want - nrows, backward);
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
	return BuildCountedPage(docs, nrows,
							after ? PositionToken(request, after, false) : NULL,
							before ? PositionToken(request, before, true) : NULL,
							request->count_cap > 0 ?
							CountMatches(&request->filter, request->binding.tenant_id, request->count_cap) :
							NULL);
}

/* The position a page edge points at (see page_edges.c), or NULL */
static const CursorPosition *
EdgePosition(int edge, PageRow *rows, const CursorPosition *from)
{
	if (edge == EDGE_NONE)
		return NULL;
	return edge == EDGE_CURSOR ? from : &rows[edge].position;
}

/* Whether a row's position is the cursor's: the same id and sort key */
static bool
SamePosition(const QueryRequest *request, const CursorPosition *row, const CursorPosition *cursor)
{
	const SortColumn *sort = &sort_columns[request->sort_key];

	if (strcmp(row->id, cursor->id) != 0 || row->key_null != cursor->key_null)
		return false;
	if (row->key_null || sort->is_id)
		return true;
	if (sort->is_time)
		return row->key_time == cursor->key_time;
	return strcmp(row->key_text, cursor->key_text) == 0;
}

/* Run a parsed query: the page and whether pages exist on either side */
static Jsonb *
RunQuery(const CallScope *call, const QueryRequest *request)
{
	bool		backward = request->has_cursor && request->cursor.before;
	const CursorPosition *from = request->has_cursor ? &request->cursor : NULL;
	PageRow    *rows = palloc(sizeof(PageRow) * (request->limit + 2));
	PageRow		probe;
	int			nrows;
	bool		more;
	bool		other_side = false;
	PageEdges	edges;

	/*
	 * From a cursor the walk starts at the cursor's own row. While that row
	 * is still there (and still matches) it is the row beyond the page's
	 * near edge that shows a page on the other side, so no probe is needed.
	 */
	nrows = WalkRows(request, backward, from, from != NULL,
					 request->limit + 1 + (from != NULL ? 1 : 0), rows);
	if (from != NULL && nrows > 0 && SamePosition(request, &rows[0].position, from))
	{
		other_side = true;
		nrows--;
		memmove(rows, rows + 1, sizeof(PageRow) * nrows);
	}
	else if (nrows > request->limit + 1)
		nrows = request->limit + 1;
	more = (nrows > request->limit);
	if (more)
		nrows = request->limit;

	if (backward)
		ReverseRows(rows, nrows, sizeof(PageRow));
	if (from != NULL && !other_side)
		other_side = WalkRows(request, !backward,
							  EdgePosition(NearEdgeRow(nrows, backward), rows, from),
							  false, 1, &probe) > 0;

	if (request->filter.expand_segments && nrows > 0)
	{
		Jsonb	  **docs = palloc(sizeof(Jsonb *) * nrows);

		for (int i = 0; i < nrows; i++)
			docs[i] = rows[i].doc;
		ExpandSegments(call, docs, nrows);
		for (int i = 0; i < nrows; i++)
			rows[i].doc = docs[i];
	}

	FindPageEdges(nrows, backward, more, other_side, &edges);
	return BuildResponse(request, rows, nrows, EdgePosition(edges.before, rows, from),
						 EdgePosition(edges.after, rows, from));
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
				 errmsg("argument \"request\" must not be null"),
				 errhint("Pass '{}' for the first page in the default order.")));

	BeginCall(&call);
	ParseRequest(PG_GETARG_JSONB_P(0), call.tenant_id, &request);
	response = RunQuery(&call, &request);

	EndCall(&call);
	PG_RETURN_JSONB_P(response);
}
