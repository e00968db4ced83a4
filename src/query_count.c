/*
 * query_count.c
 *		The count a query answers when asked: {"count": true} or {"count":
 *		{"upTo": n}} (docs/api.md §4.3).
 *
 * Counting every match costs as many rows as match, so a count is exact up
 * to a cap and says "more than cap" past it: the statement reads at most
 * cap + 1 matching rows, however it finds them (the filter's indexes, a
 * bitmap of the GIN indexes, or the table), in no order. With a cap of a
 * page's size it reads what the page does. It is planned for the call's
 * values, as the filtered pages are (query.c).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "item_errors.h"
#include "jsonb_build.h"
#include "query_count.h"
#include "request.h"
#include "spi_plans.h"

#define DEFAULT_COUNT_CAP 1000
#define MAX_COUNT_CAP 10000

#define COUNT_HINT "Ask for a count with \"count\": true (exact up to 1000) or \"count\": {\"upTo\": 10000}."

/* The cap a request's count asks for, 0 for none */
int
ParseCountRequest(JsonbValue *v)
{
	JsonbValue *up_to;
	int64		cap;
	static const char *const keys[] = {"upTo"};

	if (v == NULL || v->type == jbvNull)
		return 0;
	if (v->type == jbvBool)
		return v->val.boolean ? DEFAULT_COUNT_CAP : 0;
	if (!IsJsonbObject(v))
		RequestError(COUNT_HINT, "\"count\" must be a boolean or an object, not %s", JsonbValueTypeName(v));
	CheckRequestKeys(v->val.binary.data, keys, lengthof(keys), "count.", COUNT_HINT);
	up_to = FindKey(v->val.binary.data, "upTo");
	if (up_to == NULL || up_to->type == jbvNull)
		return DEFAULT_COUNT_CAP;
	if (up_to->type != jbvNumeric)
		RequestError(COUNT_HINT, "\"count.upTo\" must be a number, not %s", JsonbValueTypeName(up_to));
	if (!IntegerValue(up_to, 1, MAX_COUNT_CAP, &cap))
		RequestError(COUNT_HINT, "\"count.upTo\" must be an integer from 1 to %d, not %s", MAX_COUNT_CAP,
					 Echo(DatumGetCString(DirectFunctionCall1(numeric_out,
															  NumericGetDatum(up_to->val.numeric)))));
	return (int) cap;
}

/*
 * {"total": n} when the filter matches n <= cap customers of the tenant,
 * {"moreThan": cap} when it matches more.
 */
Jsonb *
CountMatches(const QueryFilter *filter, const char *tenant_id, int cap)
{
	int			nargs = filter->nparams + 2;
	Oid			types[MAX_FILTER_PARAMS + 2];
	Datum		values[MAX_FILTER_PARAMS + 2];
	char	   *sql;
	bool		isnull;
	int64		n;
	JsonbParseState *state = NULL;

	types[0] = TEXTOID;
	values[0] = CStringGetTextDatum(tenant_id);
	memcpy(types + 1, filter->types, sizeof(Oid) * filter->nparams);
	memcpy(values + 1, filter->values, sizeof(Datum) * filter->nparams);
	types[nargs - 1] = INT8OID;
	values[nargs - 1] = Int64GetDatum((int64) cap + 1);
	sql = psprintf("SELECT pg_catalog.count(*) FROM (SELECT FROM customers.customer AS c"
				   " WHERE tenant_id OPERATOR(pg_catalog.=) $1%s LIMIT $%d) AS m",
				   filter->conditions.data, nargs);
	ExecutePlan(CustomShapePlan(sql, nargs, types), values, true, SPI_OK_SELECT);
	n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyInt64(&state, n > cap ? "moreThan" : "total", Min(n, cap));
	return EndObject(&state);
}
