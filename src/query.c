/*
 * query.c
 *		customers.query(request jsonb): Tight's query with filter, sort and
 *		keyset cursors in both directions.
 *
 * A sort order is walked in segments. Keys that are never NULL have one
 * segment; email, business name, currency and country code also have the
 * NULL segment, last for ASC and first for DESC as PostgreSQL sorts them.
 * Under a code field's own sort, a condition on that field cuts the keys
 * into one segment per code or per range between codes (PlanWalk). Each
 * segment is one index range scan, "(key, id) > (cursor key, cursor id)"
 * ordered by "key, id" (or by id alone among NULLs and within one code),
 * so a page costs the same at any depth. A
 * page fetches limit + 1 rows through as many segments as it needs; the
 * extra row tells whether a next page exists. A cursor.before token walks
 * the same segments backwards and the rows are then put back in order.
 *
 * Each distinct statement (filter shape, sort, segment, direction) is
 * prepared once per backend and kept. Without a filter (or with only the
 * code condition its segments apply) its generic plan serves every call;
 * with one, it is planned for each call's values, since
 * which index serves a filter depends on how many rows they select
 * (docs/design.md, Indexes and plans). query only reads, so it works on a
 * hot standby.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
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

/*
 * How a value-blind condition served by a GIN index walks (see
 * WalkBlindSegment): a first window of the sort order; then, when it held
 * at least RATE_HITS matches, more of the walk at their rate, at most
 * WALK_BUDGET rows; else the matches collected through the index and
 * sorted, when there are fewer than MATCH_CAP.
 */
#define FIRST_WINDOW 400
#define RATE_HITS 2
#define WALK_BUDGET 10000
#define MATCH_CAP (MAX_PAGE_LIMIT + 1)


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
	Datum		stored;			/* the document as its statement returned it */
	Jsonb	   *doc;			/* it read, once the page is known to fit */
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

/*
 * One segment of a walk: the NULL keys, or the keys between two bounds
 * (none: all of them)
 */
typedef struct Segment
{
	bool		null;
	const char *low;			/* NULL: unbounded */
	const char *high;
	bool		one_code;		/* low = high, and the segment is that code */
} Segment;

/* The segments of a walk, in the order it visits them */
typedef struct Walk
{
	bool		backward;		/* walking against the sort direction */
	bool		ascending;		/* the effective scan direction */
	int			nsegments;
	Segment    *segments;
	const char *conditions;		/* the filter's, less the one the segments apply */
} Walk;

/*
 * The segments of a sort, in the order a walk visits them. Keys that are
 * never NULL have one segment; a nullable key also the NULL segment, last
 * for an ascending scan and first for a descending one, as PostgreSQL
 * sorts them. Under a code field's own sort, a condition on that field at
 * the top of the filter (FilterCodeCondition) becomes the segments: one
 * per code of equal and in, or the ranges between the codes of notEqual
 * and notIn and the NULL keys. A B-tree walks an OR of ranges or an "=
 * ANY" on the column after tenant_id only by filtering it: at 1,000,000
 * customers notIn ["USA", "FRA"] under COUNTRY_CODE DESC read 590,000 rows
 * for a page; each segment is one ordered range scan of the sort index.
 */
static void
PlanWalk(const QueryRequest *request, bool backward, Walk *walk)
{
	const SortColumn *sort = &sort_columns[request->sort_key];
	const QueryFilter *filter = &request->filter;
	const CodeCondition *code = FilterCodeCondition(filter, sort->column);
	Segment    *segments;
	int			n = 0;

	walk->backward = backward;
	walk->ascending = (request->descending == backward);
	walk->conditions = filter->conditions.data;
	if (code != NULL)
	{
		int			ncodes;
		char	  **codes = FilterCodes(filter, code, &ncodes);
		StringInfoData rest;

		initStringInfo(&rest);
		appendBinaryStringInfo(&rest, filter->conditions.data, code->start);
		appendStringInfoString(&rest, filter->conditions.data + code->end);
		walk->conditions = rest.data;
		segments = palloc0(sizeof(Segment) * (ncodes + 2));
		for (int c = 0; c < ncodes; c++)
		{
			if (code->ranges)
			{
				segments[n].low = c > 0 ? codes[c - 1] : NULL;
				segments[n++].high = codes[c];
			}
			else
			{
				segments[n].low = segments[n].high = codes[c];
				segments[n++].one_code = true;
			}
		}
		if (code->ranges)
			segments[n++].low = codes[ncodes - 1];
	}
	else
	{
		segments = palloc0(sizeof(Segment) * 2);
		n = 1;
	}
	if (sort->nullable && (code == NULL || code->ranges))
		segments[n++].null = true;
	/* in ascending order so far */
	if (!walk->ascending)
		ReverseRows(segments, n, sizeof(Segment));
	walk->nsegments = n;
	walk->segments = segments;
}

/*
 * Where a walk from position starts in a segment: false when the segment
 * lies wholly before the position; else *from is the position when it lies
 * within the segment (NULL when the segment lies wholly after it), and
 * *bounds the segment with the position in place of the bound it
 * replaces. Codes compare as the database's collation does (CodeOrder),
 * as the bounds do in SQL. A scan gets one condition to start from: given
 * a bound and the position's row comparison, the B-tree cannot tell which
 * is tighter, starts from the bound and reads the index up to the
 * position (at 1,000,000 customers a deep page in the range after FRA
 * took 50 ms for 51 rows). Within one code the position is by id alone.
 */
static bool
SegmentStart(const Walk *walk, const Segment *segment, const CursorPosition *position,
			 Segment *bounds, const CursorPosition **from)
{
	const char *key;

	*bounds = *segment;
	*from = NULL;
	if (position == NULL)
		return true;
	if (segment->null || position->key_null)
	{
		if (segment->null == position->key_null)
		{
			*from = position;
			return true;
		}
		/* the NULL keys come last in an ascending walk, first otherwise */
		return segment->null == walk->ascending;
	}
	if (segment->low == NULL && segment->high == NULL)
	{
		*from = position;
		return true;
	}
	key = position->key_text;
	if (segment->one_code)
	{
		int			cmp = CodeOrder(key, segment->low);

		if (walk->ascending ? cmp > 0 : cmp < 0)
			return false;
		if (cmp == 0)
			*from = position;
		return true;
	}
	if (walk->ascending)
	{
		if (segment->high != NULL && CodeOrder(key, segment->high) >= 0)
			return false;
		if (segment->low == NULL || CodeOrder(key, segment->low) > 0)
		{
			bounds->low = NULL;
			*from = position;
		}
	}
	else
	{
		if (segment->low != NULL && CodeOrder(key, segment->low) <= 0)
			return false;
		if (segment->high == NULL || CodeOrder(key, segment->high) < 0)
		{
			bounds->high = NULL;
			*from = position;
		}
	}
	return true;
}

/* How a segment's statement finds its rows (see WalkRows) */
typedef enum SegmentForm
{
	FORM_ORDERED,				/* walk the sort index, filter, stop at $limit */
	FORM_WINDOW,				/* the same over the next $extent rows only */
	FORM_MATCH_FIRST			/* at most $extent matches in any order, the first $limit of them */
} SegmentForm;

/*
 * The statement for one segment, from a position (or from its row, when
 * inclusive) or from its start. Columns: key, id, doc, then others. The
 * segment's bounds are parameters from low_param on (its code, or its
 * lower then its upper bound), conditions of the sort index's scan.
 *
 * A value-blind condition (a trigram contain, a customData contains) makes
 * the best plan depend on a share of rows that no plan can see, so each
 * form's shape leaves the planner the one strategy it is for. The window
 * form evaluates the filter as column "hit" over the next $extent rows of
 * the sort index and returns the hits, in order, and the window's last row
 * (columns hit and position in window). It has no ORDER BY of its own,
 * which would read the whole window before the first row: no node of its
 * plan reorders rows, and WalkRows checks the positions. The match-first
 * form collects at most $extent matches by any plan (the GIN index's),
 * keeps the keys and ids only, sorts them, and fetches the documents of the
 * first $limit by primary key; its column total counts the matches
 * collected (all of them when fewer than $extent), computed over keys and
 * ids, so that the documents of thousands of matches are neither kept nor
 * spilled. With such a condition, the ordered form evaluates the filter
 * above an OFFSET 0 fence, out of the GIN index's reach, so it walks the
 * sort index (see WalkRows).
 */
static char *
SegmentSql(const QueryRequest *request, const Walk *walk, const Segment *segment, bool from_position,
		   bool inclusive, int key_param, int id_param, int limit_param, int extent_param,
		   int low_param, SegmentForm form)
{
	const SortColumn *sort = &sort_columns[request->sort_key];
	bool		null_segment = segment->null;
	bool		by_id = sort->is_id || segment->null || segment->one_code;
	const char *cmp = walk->ascending ? (inclusive ? ">=" : ">") : (inclusive ? "<=" : "<");
	const char *dir = walk->ascending ? "" : " DESC";
	bool		fenced = (form == FORM_ORDERED && request->filter.value_blind);
	bool		hit_column = (form == FORM_WINDOW || fenced);
	StringInfoData sql;

	initStringInfo(&sql);
	if (form == FORM_MATCH_FIRST)
		appendStringInfoString(&sql, "SELECT m.k, m.i, d.doc, m.total FROM ("
							   "SELECT f.*, pg_catalog.count(*) OVER () AS total FROM (SELECT g.* FROM (");
	else if (fenced)
		appendStringInfoString(&sql, "SELECT * FROM (");
	else if (form == FORM_WINDOW)
		appendStringInfoString(&sql, "SELECT * FROM (SELECT w.*, pg_catalog.row_number() OVER () AS n FROM (");
	if (form == FORM_MATCH_FIRST)
		appendStringInfo(&sql, "SELECT %s AS k, id AS i", sort->column);
	else
		appendStringInfo(&sql, "SELECT %s, id, doc", sort->column);
	if (hit_column)
		appendStringInfo(&sql, ", (true%s) AS hit", walk->conditions);
	appendStringInfo(&sql, " FROM customers.customer AS c WHERE tenant_id OPERATOR(pg_catalog.=) $1%s",
					 hit_column ? "" : walk->conditions);
	if (sort->nullable)
		appendStringInfo(&sql, " AND %s IS %sNULL", sort->column, null_segment ? "" : "NOT ");
	/* the bounds: index conditions of the sort index, after tenant_id */
	if (segment->one_code)
		appendStringInfo(&sql, " AND %s OPERATOR(pg_catalog.=) $%d", sort->column, low_param);
	else
	{
		if (segment->low != NULL)
			appendStringInfo(&sql, " AND %s OPERATOR(pg_catalog.>) $%d", sort->column, low_param);
		if (segment->high != NULL)
			appendStringInfo(&sql, " AND %s OPERATOR(pg_catalog.<) $%d", sort->column,
							 low_param + (segment->low != NULL ? 1 : 0));
	}
	if (form == FORM_MATCH_FIRST)
	{
		/*
		 * The position applies above a fence: as a condition of the scan it
		 * made the planner walk the sort index from it (a status or a country
		 * code range over most of the tenant) instead of reading the GIN index.
		 */
		appendStringInfoString(&sql, " OFFSET 0) AS g");
		if (from_position && by_id)
			appendStringInfo(&sql, " WHERE g.i OPERATOR(pg_catalog.%s) $%d", cmp, id_param);
		else if (from_position)
			appendStringInfo(&sql, " WHERE ROW(g.k, g.i) OPERATOR(pg_catalog.%s) ROW($%d, $%d)",
							 cmp, key_param, id_param);
	}
	else if (from_position && by_id)
		appendStringInfo(&sql, " AND id OPERATOR(pg_catalog.%s) $%d", cmp, id_param);
	else if (from_position)
		appendStringInfo(&sql, " AND ROW(%s, id) OPERATOR(pg_catalog.%s) ROW($%d, $%d)",
						 sort->column, cmp, key_param, id_param);
	if (form == FORM_MATCH_FIRST)
	{
		/* the NULL keys are in the order of their ids */
		if (sort->is_id || null_segment)
			appendStringInfo(&sql, " LIMIT $%d) AS f ORDER BY i%s LIMIT $%d) AS m"
							 " JOIN customers.customer AS d ON d.tenant_id OPERATOR(pg_catalog.=) $1"
							 " AND d.id OPERATOR(pg_catalog.=) m.i ORDER BY m.i%s",
							 extent_param, dir, limit_param, dir);
		else
			appendStringInfo(&sql, " LIMIT $%d) AS f ORDER BY k%s, i%s LIMIT $%d) AS m"
							 " JOIN customers.customer AS d ON d.tenant_id OPERATOR(pg_catalog.=) $1"
							 " AND d.id OPERATOR(pg_catalog.=) m.i ORDER BY m.k%s, m.i%s",
							 extent_param, dir, dir, limit_param, dir, dir);
		return sql.data;
	}

	/*
	 * Among NULL keys the order is by id, but written as by key and id, so
	 * the sort key's index serves it (ordered by id alone, the NULL keys
	 * were found by walking the primary key over the whole tenant).
	 */
	if (sort->is_id)
		appendStringInfo(&sql, " ORDER BY id%s", dir);
	else
		appendStringInfo(&sql, " ORDER BY %s%s, id%s", sort->column, dir, dir);
	if (fenced)
		appendStringInfo(&sql, " OFFSET 0) AS w WHERE hit LIMIT $%d", limit_param);
	else if (form == FORM_ORDERED)
		appendStringInfo(&sql, " LIMIT $%d", limit_param);
	else
		appendStringInfo(&sql, " LIMIT $%d) AS w) AS m WHERE hit OR n OPERATOR(pg_catalog.=) $%d"
						 " LIMIT $%d", extent_param, extent_param, limit_param);
	return sql.data;
}

/*
 * Run a segment's statement from a position (NULL: the segment's start),
 * returning at most limit rows; extent is the window's rows or the most
 * matches collected. Its kept plan is planned per call for a filter (see
 * the file's header) and for match-first, whose strategy (a bitmap scan of
 * a GIN index) only the value's statistics choose. A segment whose bounds
 * are all of the filter (a code condition under its own sort) keeps its
 * generic plan, the sort index's range scan: planning each of the segments
 * of many codes cost 0.12 ms a segment.
 */
static void
RunSegment(const QueryRequest *request, const Walk *walk, const Segment *segment,
		   const CursorPosition *from, bool inclusive, SegmentForm form, int64 limit, int64 extent)
{
	const SortColumn *sort = &sort_columns[request->sort_key];
	const QueryFilter *filter = &request->filter;
	bool		null_segment = segment->null;
	/* the tenant, the filter's, two bounds, key, id, limit and extent */
	Oid			types[1 + MAX_FILTER_PARAMS + 6];
	Datum		values[1 + MAX_FILTER_PARAMS + 6];
	int			nargs = 1 + filter->nparams;
	int			key_param = 0;
	int			id_param = 0;
	int			limit_param;
	int			extent_param = 0;
	int			low_param = nargs + 1;
	char	   *sql;
	SPIPlanPtr	plan;

	types[0] = TEXTOID;
	values[0] = CStringGetTextDatum(request->binding.tenant_id);
	memcpy(types + 1, filter->types, sizeof(Oid) * filter->nparams);
	memcpy(values + 1, filter->values, sizeof(Datum) * filter->nparams);

	/* the segment's bounds, then the rest */
	if (segment->low != NULL)
	{
		types[nargs] = TEXTOID;
		values[nargs++] = CStringGetTextDatum(segment->low);
	}
	if (segment->high != NULL && !segment->one_code)
	{
		types[nargs] = TEXTOID;
		values[nargs++] = CStringGetTextDatum(segment->high);
	}
	if (from != NULL && !sort->is_id && !null_segment && !segment->one_code)
	{
		key_param = ++nargs;
		types[nargs - 1] = sort->is_time ? TIMESTAMPTZOID : TEXTOID;
		values[nargs - 1] = sort->is_time ? TimestampTzGetDatum(from->key_time) :
			CStringGetTextDatum(from->key_text);
	}
	if (from != NULL)
	{
		id_param = ++nargs;
		types[nargs - 1] = TEXTOID;
		values[nargs - 1] = CStringGetTextDatum(from->id);
	}
	limit_param = ++nargs;
	types[nargs - 1] = INT8OID;
	values[nargs - 1] = Int64GetDatum(limit);
	if (form != FORM_ORDERED)
	{
		extent_param = ++nargs;
		types[nargs - 1] = INT8OID;
		values[nargs - 1] = Int64GetDatum(extent);
	}
	sql = SegmentSql(request, walk, segment, from != NULL, from != NULL && inclusive,
					 key_param, id_param, limit_param, extent_param, low_param, form);
	if ((filter->custom_plan && strchr(walk->conditions, '$') != NULL) || form == FORM_MATCH_FIRST)
		plan = CustomShapePlan(sql, nargs, types);
	else
		plan = ShapePlan(sql, nargs, types);
	ExecutePlan(plan, values, true, SPI_OK_SELECT);
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

/* How many matches a match-first statement collected: its column total */
static int64
MatchesCollected(void)
{
	bool		isnull;

	if (SPI_processed == 0)
		return 0;
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
}

/* The position of row r of the current SPI result (key, id) */
static void
RowPosition(const QueryRequest *request, uint64 r, bool before, CursorPosition *position)
{
	const SortColumn *sort = &sort_columns[request->sort_key];
	HeapTuple	tuple = SPI_tuptable->vals[r];
	TupleDesc	desc = SPI_tuptable->tupdesc;
	bool		isnull;
	Datum		key = SPI_getbinval(tuple, desc, 1, &isnull);

	memset(position, 0, sizeof(CursorPosition));
	position->before = before;
	position->key_null = isnull;
	position->key_is_time = sort->is_time;
	if (!isnull && sort->is_time)
		position->key_time = DatumGetTimestampTz(key);
	else if (!isnull)
		position->key_text = TextDatumGetCString(key);
	position->id = SPI_getvalue(tuple, desc, 2);
}

/*
 * Append the first rows (at most max) of the current SPI result to rows.
 * Their documents stay as stored (compressed or out of line), in the
 * result, which is kept until the call ends: ReadPageDocuments reads them
 * once the page is known to fit the response.
 */
static void
CollectRows(const QueryRequest *request, PageRow *rows, int *nrows, int max, bool before)
{
	for (uint64 r = 0; r < SPI_processed && r < (uint64) max; r++)
	{
		PageRow    *row = &rows[(*nrows)++];
		bool		isnull;

		RowPosition(request, r, before, &row->position);
		row->stored = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 3, &isnull);
		row->doc = NULL;
	}
}

/*
 * Refuse a page whose documents take more than the response may
 * (CheckResponseSize), from their sizes as stored, before any is
 * decompressed: a refused page of 1,000 customers of 250 kB took 239 MB
 * when they were read first. Then read them.
 */
static void
ReadPageDocuments(PageRow *rows, int nrows)
{
	Size		bytes = 0;

	for (int i = 0; i < nrows; i++)
		bytes += toast_raw_datum_size(rows[i].stored);
	CheckResponseSize(RESPONSE_PAGE, nrows, bytes);
	for (int i = 0; i < nrows; i++)
	{
		/* up to max_response_size to decompress */
		CHECK_FOR_INTERRUPTS();
		rows[i].doc = DatumGetJsonbPCopy(rows[i].stored);
	}
}

/*
 * One segment of a walk with a value-blind condition that a GIN index
 * serves (see WalkRows): collects up to want rows into rows from from (the
 * segment's start when NULL).
 *
 * Walking the sort index finds a page of a common value at once but walks
 * the whole index for a rare one; a bitmap scan of the GIN index finds a
 * rare value's few rows at once, but costs several walked rows a match for
 * a common one (at 1,000,000 customers, 3 to 5: the scan also decodes the
 * postings of the index's tenant column, every row of the tenant, about
 * 15 ms for a value of 1 %). So it first walks a window of FIRST_WINDOW
 * rows of the sort index and keeps its matches. If they do not fill the
 * page and there are at least RATE_HITS of them, their rate tells how far
 * on the rest lies: when twice that is within WALK_BUDGET rows, and no more
 * than the matches the table would hold at that rate (pg_class's count of
 * all tenants' rows: a small tenant's few matches are cheaper collected),
 * the walk goes on from the window's last row in a window twice that long
 * (a value of 1 % at 1,000,000 customers reads about 5,000 rows for a page
 * of 50, where collecting its matches reads 10,000). Otherwise, or when that
 * window does not fill the page either, the matches from the last window's
 * end on are collected through the index, at most MATCH_CAP; fewer means
 * that they were all, and their first rows are the page. That statement is
 * planned for its value: the planner then takes the GIN index. Only a
 * value both sparse here and frequent overall is left to the plain walk,
 * from the last window's end. No row is read twice: each statement starts
 * where the last one stopped. (A first window of 2,000 rows cost a rare
 * search, folding six fields a row, 36 ms at 100,000 customers; one of 200
 * held 0 or 1 match of a 1 % value as often as 2 or more; collecting up to
 * 5,000 matches made a value of 1 % whose matches cluster in the sort
 * order collect 5,000 for nothing.)
 */
static void
WalkBlindSegment(const QueryRequest *request, const Walk *walk, const Segment *whole,
				 const Segment *start, const CursorPosition *from, bool inclusive, int want,
				 PageRow *rows, int *nrows)
{
	Segment		bounds = *start;
	const Segment *segment = &bounds;
	CursorPosition window_end;
	int64		window = FIRST_WINDOW;
	int64		walked = 0;
	int64		found = 0;
	int64		ahead;
	double		counted;

	for (;;)
	{
		int64		hits;
		bool		window_full;

		RunSegment(request, walk, segment, from, inclusive, FORM_WINDOW, want - *nrows, window);
		hits = SPI_processed;
		for (int64 r = 1; r < hits; r++)
			if (WindowRowNumber(r) <= WindowRowNumber(r - 1))
				elog(ERROR, "window rows out of order");
		window_full = hits > 0 && WindowRowNumber(hits - 1) == window;
		if (window_full)
		{
			RowPosition(request, hits - 1, walk->backward, &window_end);
			if (!WindowRowIsHit(hits - 1))
				hits--;
		}
		CollectRows(request, rows, nrows, hits, walk->backward);
		/* the page is full, or the segment ended within the window */
		if (!window_full || *nrows == want)
			return;
		walked += window;
		found += hits;
		/* from the window's end, in place of the bound it passed */
		if (!SegmentStart(walk, whole, &window_end, &bounds, &from))
			elog(ERROR, "window ended outside its segment");
		inclusive = false;
		if (walked > FIRST_WINDOW || found < RATE_HITS)
			break;
		/*
		 * At the rate found so far, the rest of the page lies this far on,
		 * and the table holds this many matches
		 */
		ahead = (want - *nrows) * walked / found;
		counted = CustomerRowsCounted();
		if (2 * ahead > WALK_BUDGET || (counted >= 0 && ahead > counted * found / walked))
			break;
		window = Max(2 * ahead, FIRST_WINDOW);
	}

	RunSegment(request, walk, segment, from, false, FORM_MATCH_FIRST, want - *nrows, MATCH_CAP);
	if (MatchesCollected() < MATCH_CAP)
	{
		CollectRows(request, rows, nrows, want - *nrows, walk->backward);
		return;
	}
	SPI_freetuptable(SPI_tuptable);
	RunSegment(request, walk, segment, from, false, FORM_ORDERED, want - *nrows, 0);
	CollectRows(request, rows, nrows, want - *nrows, walk->backward);
}

/*
 * Walk from position (or from the start) and collect up to want rows, in
 * walk order; inclusive starts at the position's own row. Each segment is
 * one walk of the sort index, except with a value-blind condition (a
 * contain served by a trigram index or by the short grams index, search,
 * customData contains, equal, in, exists), which makes the best plan depend
 * on how many rows its value selects, which the planner cannot estimate
 * even for the value: those segments choose their strategy as they go
 * (WalkBlindSegment). A short contain that the grams' statistics show
 * common, or that the index cannot serve, walks at once
 * (ContainServedByGrams). A segment of NULL keys is skipped when a
 * condition on the sort key cannot hold there.
 */
static int
WalkRows(const QueryRequest *request, bool backward, const CursorPosition *position,
		 bool inclusive, int want, PageRow *rows)
{
	const SortColumn *sort = &sort_columns[request->sort_key];
	const QueryFilter *filter = &request->filter;
	Walk		walk;
	int			nrows = 0;

	PlanWalk(request, backward, &walk);
	for (int s = 0; s < walk.nsegments && nrows < want; s++)
	{
		Segment		segment;
		const CursorPosition *from;

		if (!SegmentStart(&walk, &walk.segments[s], position, &segment, &from))
			continue;
		if (segment.null && FilterNeedsColumn(filter, sort->column))
			continue;
		if (filter->value_blind && filter->gin_served)
		{
			WalkBlindSegment(request, &walk, &walk.segments[s], &segment, from, inclusive, want,
							 rows, &nrows);
			continue;
		}
		RunSegment(request, &walk, &segment, from, inclusive, FORM_ORDERED, want - nrows, 0);
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
	/* the page's rows only: not the cursor's, not the one past the page */
	ReadPageDocuments(rows, nrows);
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
