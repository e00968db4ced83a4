/*
 * query_filter.h
 *		The query filter language, turned into parameterized SQL.
 */
#ifndef QUERY_FILTER_H
#define QUERY_FILTER_H

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

/* the most parameters a filter can produce: one per field and operator */
#define MAX_FILTER_PARAMS 64

/* and, or and not: how deep they nest, how many filters an array holds, in all */
#define MAX_FILTER_DEPTH 8
#define MAX_FILTER_BRANCHES 32
#define MAX_FILTER_NODES 256

/*
 * Filter fields and sort keys read from the document, each served by an
 * index on the same expression (sql/customers.sql): the text must match.
 */
#define CURRENCY_SQL "(doc OPERATOR(pg_catalog.->>) 'currency')"
#define COUNTRY_CODE_SQL "((doc OPERATOR(pg_catalog.->) 'address') OPERATOR(pg_catalog.->>) 'countryCode')"

/*
 * A condition at the top of the filter on a code field (currency,
 * address.countryCode): under that field's sort, query.c walks one segment
 * per code or per range between codes (see PlanWalk)
 */
typedef struct CodeCondition
{
	const char *column;
	int			param;			/* its codes: sorted, distinct (text[]) or one (text) */
	bool		ranges;			/* the ranges between them (notEqual, notIn) */
	int			start;			/* its text in conditions, from start */
	int			end;			/* to end */
} CodeCondition;

/* A filter as SQL conditions over customers.customer and their parameters */
typedef struct QueryFilter
{
	StringInfoData conditions;	/* " AND …" with $n from first_param on */
	int			first_param;
	int			nparams;
	Oid			types[MAX_FILTER_PARAMS];
	Datum		values[MAX_FILTER_PARAMS];
	char	   *text;			/* canonical text, to bind cursors to */
	bool		expand_segments;	/* classSegments.expand */
	bool		custom_plan;	/* plan each call for its values */
	bool		value_blind;	/* a condition whose share of rows no plan can see */
	bool		gin_served;		/* one of them a GIN index can serve */
	int			nnodes;			/* filter nodes, against MAX_FILTER_NODES */
	int			nnot_null;
	const char *not_null[MAX_FILTER_PARAMS];	/* columns a condition holds only where set */

	int			ncode_conditions;
	CodeCondition code_conditions[2];	/* the first of each code field */
} QueryFilter;

extern void ParseFilter(JsonbValue *filter, int first_param, QueryFilter *out);
extern bool FilterNeedsColumn(const QueryFilter *filter, const char *column);
extern int	FilterParam(QueryFilter *out, Oid type, Datum value);
extern char *FilterContainPattern(const char *value);
extern const CodeCondition *FilterCodeCondition(const QueryFilter *filter, const char *column);
extern char **FilterCodes(const QueryFilter *filter, const CodeCondition *code, int *n);
extern int	CodeOrder(const char *x, const char *y);

#endif
