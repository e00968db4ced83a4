/*
 * query_custom_data.c
 *		customData path filters: {"customData": {"path": ["plan", "tier"],
 *		"equal": "gold"}} (docs/api.md §4.1).
 *
 * A path names object keys from customData down; a missing key or an array
 * on the way means that the customer has no value there. The operators that
 * compare for equality (equal, notEqual, in, notIn, contains) become
 * containment of the object the path and the value make, customData @>
 * {"plan": {"tier": "gold"}}, which the jsonb_path_ops GIN index on
 * customData serves: for a JSON scalar, containment at a path is equality
 * there, and an array on the way never contains an object. The others
 * read the value key by key with ->, which yields NULL past an array or a
 * missing key, through expressions that indexes cover
 * (custom_data_index.c): exists also as a key path of
 * custom_data_keys(customData), which one GIN index covers; the ranges and
 * contain as custom_data_number, custom_data_time or custom_data_text of
 * the value, which an index the owner declares for the path covers.
 * The keys reach SQL as one text[] parameter, the values as parameters.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "custom_data_index.h"
#include "item_errors.h"
#include "jsonb_build.h"
#include "query_custom_data.h"
#include "request.h"
#include "spi_plans.h"
#include "timestamps.h"

/* values of one in or notIn */
#define MAX_PATH_IN_VALUES 1000

#define PATH_HINT "Write {\"path\": [\"plan\", \"tier\"], \"equal\": \"gold\"}: the keys from customData down to the value."

typedef enum PathOp
{
	PATH_EXISTS,
	PATH_EQUAL,
	PATH_NOT_EQUAL,
	PATH_IN,
	PATH_NOT_IN,
	PATH_GREATER,
	PATH_GREATER_EQUAL,
	PATH_LESS,
	PATH_LESS_EQUAL,
	PATH_CONTAIN,
	PATH_CONTAINS,
	NUM_PATH_OPS
} PathOp;

static const char *const path_op_names[NUM_PATH_OPS] = {
	"exists", "equal", "notEqual", "in", "notIn", "greaterThan", "greaterThanEqual",
	"lessThan", "lessThanEqual", "contain", "contains",
};

/* the SQL operator of each range */
static const char *const range_sql[NUM_PATH_OPS] = {
	[PATH_GREATER] = ">",[PATH_GREATER_EQUAL] = ">=",
	[PATH_LESS] = "<",[PATH_LESS_EQUAL] = "<=",
};

#define PATH_OPS_HINT "Operators for a customData path: exists, equal, notEqual, in, notIn, " \
	"greaterThan, greaterThanEqual, lessThan, lessThanEqual, contain, contains."

#define CUSTOM_DATA_SQL "(doc OPERATOR(pg_catalog.->) 'customData')"

/* The path's keys, checked */
static char **
PathKeys(JsonbValue *v, const char *path, int *nkeys)
{
	char	  **keys;
	int			n;

	if (!IsJsonbArray(v))
		RequestError(PATH_HINT, "\"%s\" must be an array of keys, not %s", path, JsonbValueTypeName(v));
	n = JsonContainerSize(v->val.binary.data);
	if (n < 1 || n > MAX_PATH_KEYS)
		RequestError(PATH_HINT, "\"%s\" must hold 1 to %d keys, not %d", path, MAX_PATH_KEYS, n);
	keys = palloc(sizeof(char *) * n);
	for (int i = 0; i < n; i++)
	{
		JsonbValue *key = getIthJsonbValueFromContainer(v->val.binary.data, i);

		if (key->type != jbvString)
			RequestError(PATH_HINT, "\"%s[%d]\" must be a string, not %s", path, i, JsonbValueTypeName(key));
		if (pg_mbstrlen_with_len(key->val.string.val, key->val.string.len) > MAX_PATH_KEY_CHARS)
			RequestError(PATH_HINT, "\"%s[%d]\" must be at most %d characters", path, i, MAX_PATH_KEY_CHARS);
		keys[i] = JsonbStringCopy(key);
	}
	*nkeys = n;
	return keys;
}

/* {"k1": {"k2": … value}}: what customData contains when value is at the path */
static Jsonb *
NestedValue(char **keys, int nkeys, JsonbValue *value)
{
	JsonbParseState *state = NULL;
	JsonbValue *result;

	for (int i = 0; i < nkeys; i++)
	{
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		PushKey(&state, keys[i]);
	}
	result = pushJsonbValue(&state, WJB_VALUE, value);
	for (int i = 0; i < nkeys; i++)
		result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(result);
}

/* A value equal and in compare: a JSON scalar */
static void
CheckScalar(JsonbValue *v, const char *path)
{
	if (IsJsonbObject(v) || IsJsonbArray(v))
		RequestError("Compare with a string, number, boolean or null; contains takes objects and arrays.",
					 "\"%s\" must be a string, number, boolean or null, not %s", path, JsonbValueTypeName(v));
}

/* The value read at the path: customData -> $n[1] -> $n[2] … */
static char *
PathValueSql(int keys_param, int nkeys)
{
	StringInfoData sql;

	initStringInfo(&sql);
	for (int i = 0; i < nkeys; i++)
		appendStringInfoChar(&sql, '(');
	appendStringInfoString(&sql, CUSTOM_DATA_SQL);
	for (int i = 0; i < nkeys; i++)
		appendStringInfo(&sql, " OPERATOR(pg_catalog.->) ($%d[%d]))", keys_param, i + 1);
	return sql.data;
}

/* One operator at the path, as a condition " AND …" */
static void
PathCondition(PathOp op, JsonbValue *v, const char *op_path, char **keys, int nkeys,
			  int *keys_param, QueryFilter *out)
{
	StringInfo	sql = &out->conditions;
	int			param;

	switch (op)
	{
		case PATH_EQUAL:
		case PATH_NOT_EQUAL:
		case PATH_CONTAINS:
			if (op != PATH_CONTAINS)
				CheckScalar(v, op_path);
			param = FilterParam(out, JSONBOID, JsonbPGetDatum(NestedValue(keys, nkeys, v)));
			appendStringInfo(sql, op == PATH_NOT_EQUAL ?
							 " AND (" CUSTOM_DATA_SQL " OPERATOR(pg_catalog.@>) $%d) IS NOT TRUE" :
							 " AND " CUSTOM_DATA_SQL " OPERATOR(pg_catalog.@>) $%d", param);
			out->value_blind |= op != PATH_NOT_EQUAL;
			out->gin_served |= op != PATH_NOT_EQUAL;
			return;
		case PATH_IN:
		case PATH_NOT_IN:
			{
				JsonbContainer *array;
				int			n;
				Datum	   *values;

				if (!IsJsonbArray(v))
					RequestError("Give a JSON array of strings, numbers, booleans or nulls.",
								 "\"%s\" must be an array, not %s", op_path, JsonbValueTypeName(v));
				array = v->val.binary.data;
				n = JsonContainerSize(array);
				if (n > MAX_PATH_IN_VALUES)
					RequestError("Split the query, or filter on fewer values.",
								 "\"%s\" must have at most %d values, not %d", op_path, MAX_PATH_IN_VALUES, n);
				values = palloc(sizeof(Datum) * Max(n, 1));
				for (int i = 0; i < n; i++)
				{
					JsonbValue *item = getIthJsonbValueFromContainer(array, i);

					CheckScalar(item, psprintf("%s[%d]", op_path, i));
					values[i] = JsonbPGetDatum(NestedValue(keys, nkeys, item));
				}
				param = FilterParam(out, JSONBARRAYOID,
									PointerGetDatum(construct_array(values, n, JSONBOID, -1, false, TYPALIGN_INT)));
				appendStringInfo(sql, op == PATH_NOT_IN ?
								 " AND (" CUSTOM_DATA_SQL " OPERATOR(pg_catalog.@>) ANY ($%d)) IS NOT TRUE" :
								 " AND " CUSTOM_DATA_SQL " OPERATOR(pg_catalog.@>) ANY ($%d)", param);
				out->value_blind |= op == PATH_IN;
				out->gin_served |= op == PATH_IN;
				return;
			}
		default:
			break;
	}

	/*
	 * The rest read the value at the path, through an expression that an
	 * index can cover (custom_data_index.c). Where none does, no plan sees
	 * how many rows they select (a 30 % range was taken as rare, and the
	 * tenant read and sorted for a page) and nothing collects their matches:
	 * the page walks the sort index (query.c), 50 / share rows for a page of
	 * 50. (Collecting the matches by a scan of the tenant first read the
	 * whole tenant for a 1 % range.) Where one does, ANALYZE has the
	 * expression's statistics, and the plan made for the call's values reads
	 * the few matches of a rare value through the index and walks the sort
	 * index for a common one.
	 */
	if (*keys_param == 0)
	{
		Datum	   *datums = palloc(sizeof(Datum) * nkeys);

		for (int i = 0; i < nkeys; i++)
			datums[i] = CStringGetTextDatum(keys[i]);
		*keys_param = FilterParam(out, TEXTARRAYOID,
								  PointerGetDatum(construct_array(datums, nkeys, TEXTOID, -1, false, TYPALIGN_INT)));
	}
	if (op == PATH_EXISTS)
	{
		char	   *key_path = CustomDataPathText(keys, nkeys);

		if (v->type != jbvBool)
			RequestError("Write \"exists\": true for customers that have a value there, false for those that do not.",
						 "\"%s\" must be a boolean, not %s", op_path, JsonbValueTypeName(v));
		appendStringInfo(sql, " AND %s IS %sNULL", PathValueSql(*keys_param, nkeys),
						 v->val.boolean ? "NOT " : "");
		/*
		 * The key paths' index finds those that have it (none serves false).
		 * Its statistics cannot tell an absent key from a rare one (the most
		 * common elements are the keys every customer has; any other gets
		 * the default 0.5 %, and at 1,000,000 customers the plan walked the
		 * sort index over the tenant for a key nobody has), so exists takes
		 * the window strategy like equal (query.c).
		 */
		out->value_blind = true;
		if (v->val.boolean && key_path != NULL)
		{
			Datum		path_datum = CStringGetTextDatum(key_path);

			param = FilterParam(out, TEXTARRAYOID,
								PointerGetDatum(construct_array(&path_datum, 1, TEXTOID, -1, false, TYPALIGN_INT)));
			appendStringInfo(sql, " AND customers.custom_data_keys(" CUSTOM_DATA_SQL ")"
							 " OPERATOR(pg_catalog.@>) $%d", param);
			out->gin_served = true;
		}
	}
	else if (op == PATH_CONTAIN)
	{
		char	   *pattern;

		if (v->type != jbvString)
			RequestError("Give the text to look for as a JSON string.",
						 "\"%s\" must be a string, not %s", op_path, JsonbValueTypeName(v));
		pattern = JsonbStringCopy(v);
		param = FilterParam(out, TEXTOID, CStringGetTextDatum(FilterContainPattern(pattern)));
		appendStringInfo(sql, " AND customers.custom_data_text(%s) OPERATOR(pg_catalog.~~*) $%d",
						 PathValueSql(*keys_param, nkeys), param);
		/* as a trigram contain on a field (query.c) */
		out->value_blind = true;
		out->gin_served |= pg_mbstrlen(pattern) >= 3 && CustomDataPathIndexed(keys, nkeys, PATH_KIND_TEXT);
	}
	else if (v->type == jbvNumeric)
	{
		param = FilterParam(out, NUMERICOID, NumericGetDatum(v->val.numeric));
		appendStringInfo(sql, " AND customers.custom_data_number(%s) OPERATOR(pg_catalog.%s) $%d",
						 PathValueSql(*keys_param, nkeys), range_sql[op], param);
		out->value_blind |= !CustomDataPathIndexed(keys, nkeys, PATH_KIND_NUMBER);
	}
	else if (v->type == jbvString)
	{
		TimestampTz ts;
		char	   *text = JsonbStringCopy(v);

		if (!ParseRfc3339(text, strlen(text), &ts))
			RequestError("Compare with a number, or with an RFC 3339 date-time such as \"2023-11-07T05:31:56Z\".",
						 "\"%s\" must be a number or an RFC 3339 date-time, not \"%s\"", op_path, Echo(text));
		param = FilterParam(out, TIMESTAMPTZOID, TimestampTzGetDatum(ts));
		appendStringInfo(sql, " AND customers.custom_data_time(%s) OPERATOR(pg_catalog.%s) $%d",
						 PathValueSql(*keys_param, nkeys), range_sql[op], param);
		out->value_blind |= !CustomDataPathIndexed(keys, nkeys, PATH_KIND_TIME);
	}
	else
		RequestError("Compare with a number, or with an RFC 3339 date-time such as \"2023-11-07T05:31:56Z\".",
					 "\"%s\" must be a number or an RFC 3339 date-time, not %s", op_path, JsonbValueTypeName(v));
}

/*
 * Whether the conditions of customData (ops, an object) are path
 * conditions: a path, or an operator other than contains.
 */
bool
IsCustomDataPathFilter(JsonbValue *ops)
{
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;

	if (!IsJsonbObject(ops))
		return false;
	it = JsonbIteratorInit(ops->val.binary.data);
	while (NextPair(&it, &key, &value))
		if (!JsonbStringIs(&key, "contains"))
			return true;
	return false;
}

/*
 * The conditions of {"path": [keys], "operator": value, …} at path (the
 * customData key's own path, e.g. "filter.or[2].customData"); all hold.
 */
void
ParseCustomDataPath(JsonbValue *ops, const char *path, QueryFilter *out)
{
	JsonbValue *path_value = FindKey(ops->val.binary.data, "path");
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;
	char	  **keys;
	int			nkeys;
	int			keys_param = 0;

	if (path_value == NULL)
		RequestError(PATH_HINT, "\"%s.path\" is missing: operators other than contains need a path", path);
	keys = PathKeys(path_value, psprintf("%s.path", path), &nkeys);

	it = JsonbIteratorInit(ops->val.binary.data);
	while (NextPair(&it, &key, &value))
	{
		char	   *op_path = psprintf("%s.%s", path, Echo(JsonbStringCopy(&key)));
		int			op;

		if (JsonbStringIs(&key, "path"))
			continue;
		op = JsonbStringIndex(&key, path_op_names, NUM_PATH_OPS);
		if (op < 0)
			RequestError(PATH_OPS_HINT, "unrecognized operator \"%s\"", op_path);
		PathCondition((PathOp) op, &value, op_path, keys, nkeys, &keys_param, out);
		/* how many rows a value selects decides the plan: see query.c */
		out->custom_plan = true;
	}
}
