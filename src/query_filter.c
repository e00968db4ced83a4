/*
 * query_filter.c
 *		filter → SQL, from an allow-list of fields and operators.
 *
 * Field names and operators only select fixed SQL fragments; every value
 * reaches SQL as a parameter. Fields and operators are read in jsonb key
 * order, so one filter shape always gives the same SQL text and so the same
 * kept plan. Operators are schema-qualified: no search_path can redirect
 * them.
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/timestamp.h"
#include "utils/jsonb.h"
#include "utils/varlena.h"

#include "call_context.h"
#include "contain_grams.h"
#include "country_codes.h"
#include "currency.h"
#include "document.h"
#include "email.h"
#include "item_errors.h"
#include "jsonb_build.h"
#include "query_custom_data.h"
#include "query_filter.h"
#include "query_search.h"
#include "request.h"
#include "spi_plans.h"
#include "timestamps.h"

typedef enum FilterOp
{
	OP_EQUAL,
	OP_NOT_EQUAL,
	OP_GREATER,
	OP_GREATER_EQUAL,
	OP_LESS,
	OP_LESS_EQUAL,
	OP_CONTAIN,
	OP_IN,
	OP_NOT_IN,
	OP_CONTAINS,
	NUM_FILTER_OPS
} FilterOp;

static const char *const op_names[NUM_FILTER_OPS] = {
	"equal", "notEqual", "greaterThan", "greaterThanEqual", "lessThan",
	"lessThanEqual", "contain", "in", "notIn", "contains",
};

#define BIT(op) (1 << (op))
#define COMPARE_OPS (BIT(OP_GREATER) | BIT(OP_GREATER_EQUAL) | BIT(OP_LESS) | BIT(OP_LESS_EQUAL))
#define TEXT_OPS (BIT(OP_EQUAL) | BIT(OP_NOT_EQUAL) | COMPARE_OPS | BIT(OP_CONTAIN) | \
				  BIT(OP_IN) | BIT(OP_NOT_IN))
/* codes from a list: their order means nothing, nor do parts of them */
#define CODE_OPS (BIT(OP_EQUAL) | BIT(OP_NOT_EQUAL) | BIT(OP_IN) | BIT(OP_NOT_IN))

/*
 * A customer holds several tax ids: taxIds.value is the containment of
 * [{"value": v}] in the stored array, served by a GIN index (as customData).
 */
#define TAX_IDS_SQL "(doc OPERATOR(pg_catalog.->) 'taxIds')"
#define TAX_ID_EQUAL_SQL " AND %1$s OPERATOR(pg_catalog.@>) $%2$d"
#define TAX_ID_IN_SQL " AND %1$s OPERATOR(pg_catalog.@>) ANY ($%2$d)"

typedef enum ValueKind
{
	VALUE_TEXT,
	VALUE_EMAIL,				/* compared lower-cased */
	VALUE_STATUS,
	VALUE_TIME,
	VALUE_JSON,
	VALUE_CURRENCY,				/* an ISO 4217 code, compared upper case */
	VALUE_COUNTRY,				/* an ISO 3166-1 code, compared as alpha-3 */
	VALUE_TAX_ID				/* a stored value of one of taxIds */
} ValueKind;

typedef struct FilterField
{
	const char *name;
	const char *column;
	ValueKind	kind;
	int			ops;
	bool		trigram;		/* contain is served by a trigram index */
	char		gram_tag;		/* the tag of its short grams (contain_grams.c), or 0 */
} FilterField;

static const FilterField filter_fields[] = {
	{"name", "name", VALUE_TEXT, TEXT_OPS, true, GRAM_NAME},
	{"email", "email", VALUE_EMAIL, TEXT_OPS, true, GRAM_EMAIL},
	{"businessName", "business_name", VALUE_TEXT, TEXT_OPS, true, GRAM_BUSINESS_NAME},
	{"externalId", "external_id", VALUE_TEXT, TEXT_OPS, false, GRAM_EXTERNAL_ID},
	{"status", "status", VALUE_STATUS, TEXT_OPS & ~BIT(OP_CONTAIN), false, 0},
	{"id", "id", VALUE_TEXT, BIT(OP_IN) | BIT(OP_NOT_IN), false, 0},
	{"createdDateTime", "created_at", VALUE_TIME, COMPARE_OPS, false, 0},
	{"updatedDateTime", "updated_at", VALUE_TIME, COMPARE_OPS, false, 0},
	{"customData", "(doc OPERATOR(pg_catalog.->) 'customData')", VALUE_JSON, BIT(OP_CONTAINS), false, 0},
	{"currency", CURRENCY_SQL, VALUE_CURRENCY, CODE_OPS, false, 0},
	{"address.countryCode", COUNTRY_CODE_SQL, VALUE_COUNTRY, CODE_OPS, false, 0},
	{"taxIds.value", TAX_IDS_SQL, VALUE_TAX_ID, BIT(OP_EQUAL) | BIT(OP_IN), false, 0},
};

/* the SQL of each operator: %1$s is the column, %2$d the parameter */
static const char *const op_sql[NUM_FILTER_OPS] = {
	" AND %1$s OPERATOR(pg_catalog.=) $%2$d",
	" AND (%1$s IS NULL OR %1$s OPERATOR(pg_catalog.<>) $%2$d)",
	" AND %1$s OPERATOR(pg_catalog.>) $%2$d",
	" AND %1$s OPERATOR(pg_catalog.>=) $%2$d",
	" AND %1$s OPERATOR(pg_catalog.<) $%2$d",
	" AND %1$s OPERATOR(pg_catalog.<=) $%2$d",
	" AND %1$s OPERATOR(pg_catalog.~~*) $%2$d",
	" AND %1$s OPERATOR(pg_catalog.=) ANY ($%2$d)",
	" AND (%1$s IS NULL OR NOT %1$s OPERATOR(pg_catalog.=) ANY ($%2$d))",
	" AND %1$s OPERATOR(pg_catalog.@>) $%2$d",
};

#define MAX_IN_VALUES 1000

/*
 * The condition, beside a contain's ILIKE of the parameter at param, that
 * the short grams index serves (contain_grams.c): the keys are computed
 * from the pattern itself, folded into a constant by the plan made for the
 * call. Written after the ILIKE, which a walk evaluates first.
 */
#define CONTAIN_GRAMS_COND " AND " CONTAIN_GRAMS_SQL " OPERATOR(pg_catalog.@>)" \
	" customers.contain_keys($1, '%c', $%d)"

/*
 * Such a contain's ILIKE, as the function of the operator ~~*, which no
 * index takes: pg_trgm reads no trigram from 1 or 2 characters, and the
 * planner ANDed a scan of the whole trigram index to the short grams' (at
 * 1,000,000 customers, 785 ms for "ab")
 */
#define GRAMS_ILIKE_SQL " AND pg_catalog.texticlike(%1$s, $%2$d)"

/* LIKE pattern matching value anywhere: % and _ in value are literal */
static char *
ContainPattern(const char *value)
{
	StringInfoData pattern;

	initStringInfo(&pattern);
	appendStringInfoChar(&pattern, '%');
	for (const char *p = value; *p; p++)
	{
		if (*p == '%' || *p == '_' || *p == '\\')
			appendStringInfoChar(&pattern, '\\');
		appendStringInfoChar(&pattern, *p);
	}
	appendStringInfoChar(&pattern, '%');
	return pattern.data;
}

/* One scalar filter value as text (checked for its field) */
static char *
ScalarValue(const FilterField *field, JsonbValue *v, const char *path)
{
	char	   *text;

	if (v->type != jbvString)
		RequestError(field->kind == VALUE_TIME ?
					 "Give an RFC 3339 date-time such as \"2023-11-07T05:31:56Z\"." :
					 "Give the value as a JSON string.",
					 "\"%s\" must be a string, not %s", path, JsonbValueTypeName(v));
	text = JsonbStringCopy(v);
	if (field->kind == VALUE_EMAIL)
		text = asc_tolower(text, strlen(text));
	if (field->kind == VALUE_STATUS &&
		strcmp(text, STATUS_ACTIVE) != 0 && strcmp(text, STATUS_INACTIVE) != 0 &&
		strcmp(text, STATUS_ARCHIVED) != 0)
		RequestError("A status is ACTIVE, INACTIVE or ARCHIVED.",
					 "\"%s\" must be a customer status, not \"%s\"", path, Echo(text));
	if (field->kind == VALUE_CURRENCY)
	{
		const char *code = CurrencyCode(text, strlen(text));

		if (code == NULL)
			RequestError("Give an ISO 4217 currency code, such as \"EUR\" (any case).",
						 "\"%s\" must be an ISO 4217 currency code, not \"%s\"", path, Echo(text));
		text = pnstrdup(code, 3);
	}
	if (field->kind == VALUE_COUNTRY)
	{
		const char *code = country_alpha3(text, strlen(text));

		if (code == NULL)
			RequestError("Give an ISO 3166-1 country code, such as \"FRA\" or \"FR\" (any case).",
						 "\"%s\" must be an ISO 3166-1 country code, not \"%s\"", path, Echo(text));
		text = pnstrdup(code, 3);
	}
	return text;
}

/* [{"value": value}]: the stored taxIds that hold a tax id of this value */
static Datum
TaxIdContainment(const char *value)
{
	JsonbParseState *state = NULL;
	JsonbValue	v;

	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	v.type = jbvString;
	v.val.string.val = "value";
	v.val.string.len = 5;
	pushJsonbValue(&state, WJB_KEY, &v);
	v.val.string.val = (char *) value;
	v.val.string.len = strlen(value);
	pushJsonbValue(&state, WJB_VALUE, &v);
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbPGetDatum(JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_ARRAY, NULL)));
}

/* Add a parameter and return its number */
static int
AddParam(QueryFilter *out, Oid type, Datum value)
{
	if (out->nparams >= MAX_FILTER_PARAMS)
		RequestError("Use in or notIn for lists of values, or split the query.",
					 "\"filter\" must hold at most %d values", MAX_FILTER_PARAMS);
	out->types[out->nparams] = type;
	out->values[out->nparams] = value;
	return out->first_param + out->nparams++;
}

/*
 * Documents show times to the second, so a time filter compares a time as
 * shown, floor(t), while the stored microseconds keep ordering rows. Over
 * the stored t: floor(t) > b is t >= floor(b) + 1 s, floor(t) <= b is
 * t < floor(b) + 1 s, floor(t) >= b is t >= ceil(b), floor(t) < b is
 * t < ceil(b). So a customer's own createdDateTime, sent back as a bound,
 * finds it.
 */
static TimestampTz
ShownTimeBound(FilterOp op, TimestampTz bound)
{
	TimestampTz whole = bound - ((bound % USECS_PER_SEC) + USECS_PER_SEC) % USECS_PER_SEC;

	if (op == OP_GREATER || op == OP_LESS_EQUAL || whole != bound)
		return whole + USECS_PER_SEC;
	return bound;
}

/* The operator that compares a stored time with its ShownTimeBound */
static FilterOp
ShownTimeOp(FilterOp op)
{
	if (op == OP_GREATER)
		return OP_GREATER_EQUAL;
	if (op == OP_LESS_EQUAL)
		return OP_LESS;
	return op;
}

/*
 * Whether an equal or contain value is longer than any stored value of its
 * field can be (docs/api.md §3.3), so that it matches nothing and the
 * statement need not read a row: scanning with a 10 MB contain pattern took
 * minutes. contain compares case-folded text, and folding can turn one
 * character into two (U+0130), so its bound is twice the stored limit.
 */
static bool
CannotMatch(const FilterField *field, FilterOp op, JsonbValue *v)
{
	int			limit = field->kind == VALUE_EMAIL ? MAX_EMAIL_LEN : MAX_TEXT_CHARS;

	if ((field->kind != VALUE_TEXT && field->kind != VALUE_EMAIL) ||
		(op != OP_EQUAL && op != OP_CONTAIN) || v->type != jbvString)
		return false;
	if (op == OP_CONTAIN)
		limit *= 2;
	/* a character takes at least one byte: most values are decided here */
	if (v->val.string.len <= limit)
		return false;
	return pg_mbstrlen_with_len(v->val.string.val, v->val.string.len) > limit;
}

/* The parameter of one field and operator; sets *names_archived */
static int
OperatorParam(const FilterField *field, FilterOp op, JsonbValue *v, const char *path,
			  QueryFilter *out, bool *names_archived)
{
	if (op == OP_CONTAINS)
	{
		if (!IsJsonbObject(v))
			RequestError("Give the JSON object that customData must contain.",
						 "\"%s\" must be an object, not %s", path, JsonbValueTypeName(v));
		return AddParam(out, JSONBOID,
						JsonbPGetDatum(JsonbValueToJsonb(v)));
	}
	if (op == OP_IN || op == OP_NOT_IN)
	{
		JsonbContainer *array;
		int			n;
		char	  **values;

		if (!IsJsonbArray(v))
			RequestError("Give a JSON array of strings.",
						 "\"%s\" must be an array, not %s", path, JsonbValueTypeName(v));
		array = v->val.binary.data;
		n = JsonContainerSize(array);
		if (n > MAX_IN_VALUES)
			RequestError("Split the query, or filter on fewer values.",
						 "\"%s\" must have at most %d values, not %d", path, MAX_IN_VALUES, n);
		values = palloc(sizeof(char *) * Max(n, 1));
		for (int i = 0; i < n; i++)
		{
			values[i] = ScalarValue(field, getIthJsonbValueFromContainer(array, i),
									psprintf("%s[%d]", path, i));
			*names_archived |= (field->kind == VALUE_STATUS &&
								strcmp(values[i], STATUS_ARCHIVED) == 0);
		}
		if (field->kind == VALUE_TAX_ID)
		{
			Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));

			for (int i = 0; i < n; i++)
				elems[i] = TaxIdContainment(values[i]);
			return AddParam(out, JSONBARRAYOID,
							PointerGetDatum(construct_array(elems, n, JSONBOID, -1, false,
															TYPALIGN_INT)));
		}
		return AddParam(out, TEXTARRAYOID, TextArray(values, n));
	}
	if (field->kind == VALUE_TIME)
	{
		TimestampTz ts;
		char	   *text = ScalarValue(field, v, path);

		if (!ParseRfc3339(text, strlen(text), &ts))
			RequestError("Give a date-time such as \"2023-11-07T05:31:56Z\" or \"2023-11-07T00:31:56.5-05:00\".",
						 "\"%s\" must be an RFC 3339 date-time, not \"%s\"", path, Echo(text));
		return AddParam(out, TIMESTAMPTZOID, TimestampTzGetDatum(ShownTimeBound(op, ts)));
	}
	else
	{
		char	   *text = ScalarValue(field, v, path);

		*names_archived |= (field->kind == VALUE_STATUS &&
							strcmp(text, STATUS_ARCHIVED) == 0);
		if (op == OP_CONTAIN)
			text = ContainPattern(text);
		if (field->kind == VALUE_TAX_ID)
			return AddParam(out, JSONBOID, TaxIdContainment(text));
		return AddParam(out, TEXTOID, CStringGetTextDatum(text));
	}
}

/*
 * The value of the parameter at param, a text or a text[] (equal or in),
 * as strings
 */
static char **
ParamStrings(const QueryFilter *out, int param, int *n)
{
	int			i = param - out->first_param;
	Datum	   *given;
	char	  **strings;

	if (out->types[i] == TEXTARRAYOID)
		deconstruct_array(DatumGetArrayTypeP(out->values[i]), TEXTOID, -1, false, TYPALIGN_INT,
						  &given, NULL, n);
	else
	{
		given = (Datum *) &out->values[i];
		*n = 1;
	}
	strings = palloc(sizeof(char *) * Max(*n, 1));
	for (int g = 0; g < *n; g++)
		strings[g] = TextDatumGetCString(given[g]);
	return strings;
}

/*
 * A status condition with the statuses named as constants in a fixed
 * order, never as a parameter: equal and in name the given ones; notEqual
 * and notIn (left) the ones left, for equal to any of them (a status is
 * never NULL), which the status index serves, where a <> of the common
 * status walked the sort index to find the rare ones (bench/README.md).
 * Three statuses make at most eight texts of a shape, and a statement with
 * no value but these keeps a generic plan for each (query.c, RunSegment)
 * that the planner made for their shares, where a parameter had it
 * planned for every call (a quarter of a page of 50). Only the known
 * statuses are written, never the strings given.
 */
static void
StatusCondition(QueryFilter *out, const char *column, int param, bool left)
{
	static const char *const statuses[] = {STATUS_ACTIVE, STATUS_INACTIVE, STATUS_ARCHIVED};
	int			ngiven;
	char	  **given = ParamStrings(out, param, &ngiven);
	const char *separator = "";

	appendStringInfo(&out->conditions, " AND %s OPERATOR(pg_catalog.=) ANY ('{", column);
	for (int s = 0; s < (int) lengthof(statuses); s++)
	{
		bool		named = false;

		for (int g = 0; g < ngiven && !named; g++)
			named = strcmp(given[g], statuses[s]) == 0;
		if (named != left)
		{
			appendStringInfo(&out->conditions, "%s%s", separator, statuses[s]);
			separator = ",";
		}
	}
	appendStringInfoString(&out->conditions, "}'::pg_catalog.text[])");
}

/* Codes in the order of the ranges' < and >: the database's, not the bytes' */
int
CodeOrder(const char *x, const char *y)
{
	return varstr_cmp(x, strlen(x), y, strlen(y), DEFAULT_COLLATION_OID);
}

static int
CompareCodes(const void *a, const void *b)
{
	return CodeOrder(*(char *const *) a, *(char *const *) b);
}

/*
 * The codes of a code field's condition (a text or a text[]), sorted and
 * distinct in the database's collation (deterministic, so the ranges
 * between them hold exactly the other codes); the parameter at param
 * becomes them, a text[]. Returns how many.
 */
static int
SortCodes(QueryFilter *out, int param)
{
	int			i = param - out->first_param;
	int			ngiven;
	char	  **codes = ParamStrings(out, param, &ngiven);
	int			ncodes = 0;

	qsort(codes, ngiven, sizeof(char *), CompareCodes);
	for (int g = 0; g < ngiven; g++)
		if (ncodes == 0 || strcmp(codes[ncodes - 1], codes[g]) != 0)
			codes[ncodes++] = codes[g];
	out->types[i] = TEXTARRAYOID;
	out->values[i] = TextArray(codes, ncodes);
	return ncodes;
}

/* The condition at the top of the filter on a code column, or NULL */
const CodeCondition *
FilterCodeCondition(const QueryFilter *filter, const char *column)
{
	for (int i = 0; i < filter->ncode_conditions; i++)
		if (strcmp(filter->code_conditions[i].column, column) == 0)
			return &filter->code_conditions[i];
	return NULL;
}

/* The codes of a code condition, sorted (see SortCodes) */
char **
FilterCodes(const QueryFilter *filter, const CodeCondition *code, int *n)
{
	return ParamStrings(filter, code->param, n);
}

/*
 * currency and address.countryCode notEqual and notIn as the ranges
 * between the codes left out, or no code: (col IS NULL OR col < $p[1] OR
 * (col > $p[1] AND col < $p[2]) OR … OR col > $p[n]). A B-tree index
 * serves each range, and the statistics of the indexed expression price
 * each one for the call's values, so a notIn that keeps few customers
 * reads them (a <> walked the sort index to find them, up to the whole
 * tenant: bench/README.md); equal to any of the codes left was priced
 * from the share of codes the statistics do not list, once per code. The
 * codes are sorted in the database's collation, the order of the ranges'
 * < and > (in Czech, CHE sorts after DEU): see SortCodes. The parameter at
 * param becomes the codes, sorted and distinct; appends the condition.
 * Returns how many codes.
 */
static int
CodeRanges(QueryFilter *out, const char *column, int param)
{
	int			ncodes = SortCodes(out, param);

	if (ncodes == 0)
		return 0;				/* notIn []: every customer */
	appendStringInfo(&out->conditions, " AND (%1$s IS NULL OR %1$s OPERATOR(pg_catalog.<) ($%2$d)[1]",
					 column, param);
	for (int c = 1; c < ncodes; c++)
		appendStringInfo(&out->conditions,
						 " OR (%1$s OPERATOR(pg_catalog.>) ($%2$d)[%3$d] AND %1$s OPERATOR(pg_catalog.<) ($%2$d)[%4$d])",
						 column, param, c, c + 1);
	appendStringInfo(&out->conditions, " OR %1$s OPERATOR(pg_catalog.>) ($%2$d)[%3$d])",
					 column, param, ncodes);
	return ncodes;
}

/*
 * The conditions of one field: {operator: value, …}, in the node at
 * node_path; conjunctive when only ANDs lead to it from the top.
 */
static void
ParseField(const FilterField *field, JsonbValue *ops, const char *node_path, bool conjunctive,
		   QueryFilter *out, bool *names_archived)
{
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;
	char	   *path = psprintf("%s.%s", node_path, field->name);

	if (ops->type == jbvNull)
		return;
	if (!IsJsonbObject(ops))
		RequestError("Write a field's conditions as {\"operator\": value}, e.g. {\"equal\": \"Acme\"}.",
					 "\"%s\" must be an object of operators, not %s", path, JsonbValueTypeName(ops));

	it = JsonbIteratorInit(ops->val.binary.data);
	while (NextPair(&it, &key, &value))
	{
		int			op;
		int			param;
		bool		keeps_null;
		bool		is_code;
		int			start;
		int			ncodes;
		bool		trigram;
		bool		grams;
		char	   *op_path;

		op_path = psprintf("%s.%s", path, Echo(JsonbStringCopy(&key)));
		op = JsonbStringIndex(&key, op_names, NUM_FILTER_OPS);
		if (op < 0 || (field->ops & BIT(op)) == 0)
		{
			StringInfoData allowed;
			char	   *hint;

			initStringInfo(&allowed);
			for (int o = 0; o < NUM_FILTER_OPS; o++)
				if (field->ops & BIT(o))
					appendStringInfo(&allowed, "%s%s", allowed.len ? ", " : "", op_names[o]);
			hint = psprintf("Operators for %s: %s.", field->name, allowed.data);
			if (op < 0)
				RequestError(hint, "unrecognized operator \"%s\"", op_path);
			RequestError(hint, "operator \"%s\" does not apply to field \"%s\"",
						 op_path, field->name);
		}
		if (CannotMatch(field, op, &value))
		{
			/* the planner stops such a statement before it reads a row */
			appendStringInfoString(&out->conditions, " AND false");
			continue;
		}
		param = OperatorParam(field, op, &value, op_path, out, names_archived);
		trigram = op == OP_CONTAIN && field->trigram && value.type == jbvString &&
			pg_mbstrlen_with_len(value.val.string.val, value.val.string.len) >= 3;
		grams = op == OP_CONTAIN && field->gram_tag != '\0' && value.type == jbvString &&
			ContainServedByGrams(CurrentTenant(), field->gram_tag, JsonbStringCopy(&value),
								 pg_mbstrlen_with_len(value.val.string.val, value.val.string.len),
								 TextDatumGetCString(out->values[param - out->first_param]));
		keeps_null = (op == OP_NOT_EQUAL || op == OP_NOT_IN);
		if (keeps_null && field->kind == VALUE_STATUS)
			op = OP_IN;			/* the statuses left: StatusCondition */
		/*
		 * How many rows a trigram or short gram contain or a customData
		 * contains selects is beyond the planner's statistics, even for a
		 * plan made for the value (a common value was taken as rare).
		 */
		out->value_blind |= (op == OP_CONTAIN && (field->trigram || grams)) || op == OP_CONTAINS;
		/*
		 * pg_trgm reads no trigram from a pattern of fewer than 3
		 * characters: the short grams serve those, and externalId's
		 */
		out->gin_served |= op == OP_CONTAINS || trigram || grams;
		/* how many rows a value selects decides the plan: see query.c */
		out->custom_plan = true;
		if (conjunctive && !keeps_null && out->nnot_null < MAX_FILTER_PARAMS)
			out->not_null[out->nnot_null++] = field->column;
		is_code = (field->kind == VALUE_CURRENCY || field->kind == VALUE_COUNTRY);
		start = out->conditions.len;
		ncodes = 1;
		if (is_code && op == OP_IN)
			ncodes = SortCodes(out, param);
		if (field->kind == VALUE_TAX_ID)
			appendStringInfo(&out->conditions, op == OP_IN ? TAX_ID_IN_SQL : TAX_ID_EQUAL_SQL,
							 field->column, param);
		else if (keeps_null && is_code)
			ncodes = CodeRanges(out, field->column, param);
		else if (field->kind == VALUE_STATUS && (op == OP_EQUAL || op == OP_IN))
			StatusCondition(out, field->column, param, keeps_null);
		else if (grams)
		{
			appendStringInfo(&out->conditions, GRAMS_ILIKE_SQL, field->column, param);
			appendStringInfo(&out->conditions, CONTAIN_GRAMS_COND, field->gram_tag, param);
		}
		else
			appendStringInfo(&out->conditions,
							 op_sql[field->kind == VALUE_TIME ? (int) ShownTimeOp(op) : op],
							 field->column, param);
		if (is_code && conjunctive && ncodes > 0 && FilterCodeCondition(out, field->column) == NULL)
		{
			CodeCondition *code = &out->code_conditions[out->ncode_conditions++];

			code->column = field->column;
			code->param = param;
			code->ranges = keeps_null;
			code->start = start;
			code->end = out->conditions.len;
		}
	}
}

/*
 * The customers holding a listed segment or one of its descendants: the
 * segments whose path meets the list (GIN index on path), their customers
 * (index on segment_id), as a semi-join the planner may drive from either
 * side. Such shapes are planned for each call's values (custom_plan): a
 * rare segment is best read from customer_segment and sorted, a common one
 * by walking the sort index and probing each customer's segments.
 */
#define SUBTREE_SQL \
	" AND c.id OPERATOR(pg_catalog.=) ANY (SELECT cs.customer_id" \
	" FROM customers.customer_segment cs JOIN customers.class_segment s" \
	" ON s.tenant_id OPERATOR(pg_catalog.=) cs.tenant_id AND s.id OPERATOR(pg_catalog.=) cs.segment_id" \
	" WHERE cs.tenant_id OPERATOR(pg_catalog.=) $1 AND s.tenant_id OPERATOR(pg_catalog.=) $1" \
	" AND s.path OPERATOR(pg_catalog.&&) $%d)"

/* classSegments: {"expand": boolean, "id": {"in": [segment ids]}} */
static void
ParseClassSegments(JsonbValue *v, QueryFilter *out)
{
	const char *hint = "Write {\"expand\": true, \"id\": {\"in\": [\"cls_01JD5XQ5X8V4ZK7C0H3M2Y6P9N\"]}}; both parts are optional.";
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;

	if (v->type == jbvNull)
		return;
	if (!IsJsonbObject(v))
		RequestError(hint, "\"filter.classSegments\" must be an object, not %s",
					 JsonbValueTypeName(v));
	it = JsonbIteratorInit(v->val.binary.data);
	while (NextPair(&it, &key, &value))
	{
		char	   *name = JsonbStringCopy(&key);

		if (strcmp(name, "expand") == 0)
		{
			if (value.type != jbvBool)
				RequestError(hint, "\"filter.classSegments.expand\" must be a boolean, not %s",
							 JsonbValueTypeName(&value));
			out->expand_segments = value.val.boolean;
		}
		else if (strcmp(name, "id") == 0 && IsJsonbObject(&value) &&
				 JsonContainerSize(value.val.binary.data) == 1 &&
				 FindKey(value.val.binary.data, "in") != NULL)
		{
			static const FilterField segment_field = {"classSegments.id", "", VALUE_TEXT, BIT(OP_IN), false, 0};
			bool		names_archived = false;
			int			param = OperatorParam(&segment_field, OP_IN,
											  FindKey(value.val.binary.data, "in"),
											  "filter.classSegments.id.in", out, &names_archived);

			appendStringInfo(&out->conditions, SUBTREE_SQL, param);
			out->custom_plan = true;
		}
		else if (strcmp(name, "id") == 0)
			RequestError(hint, "\"filter.classSegments.id\" must be an object with the one key \"in\"");
		else
			RequestError(hint, "unrecognized key \"filter.classSegments.%s\"", Echo(name));
	}
}

#define FIELDS_HINT "Filter fields: name, email, businessName, externalId, status, id, " \
	"createdDateTime, updatedDateTime, customData, currency, address.countryCode, taxIds.value, " \
	"classSegments, search; and, or, not."

static void ParseNode(JsonbValue *node, const char *path, int depth, bool conjunctive,
					  QueryFilter *out, bool *names_archived);

/*
 * The nodes of an "and" or an "or" (an array of nodes), each in
 * parentheses, joined by AND or OR, as one condition " AND (…)".
 */
static void
ParseBranches(JsonbValue *v, const char *path, int depth, bool is_or, QueryFilter *out,
			  bool *names_archived)
{
	const char *hint = is_or ?
		"Write {\"or\": [{\"name\": {\"contain\": \"acme\"}}, {\"email\": {\"contain\": \"acme\"}}]}." :
		"Write {\"and\": [{\"name\": {\"contain\": \"acme\"}}, {\"email\": {\"contain\": \"acme\"}}]}.";
	StringInfoData outer = out->conditions;
	StringInfoData group;
	int			n;

	if (!IsJsonbArray(v))
		RequestError(hint, "\"%s\" must be an array of filters, not %s", path, JsonbValueTypeName(v));
	n = JsonContainerSize(v->val.binary.data);
	if (n < 1 || n > MAX_FILTER_BRANCHES)
		RequestError(hint, "\"%s\" must hold 1 to %d filters, not %d", path, MAX_FILTER_BRANCHES, n);
	initStringInfo(&group);
	for (int i = 0; i < n; i++)
	{
		initStringInfo(&out->conditions);
		ParseNode(getIthJsonbValueFromContainer(v->val.binary.data, i), psprintf("%s[%d]", path, i),
				  depth + 1, false, out, names_archived);
		appendStringInfo(&group, "%s(true%s)", i > 0 ? (is_or ? " OR " : " AND ") : "",
						 out->conditions.data);
	}
	out->conditions = outer;
	appendStringInfo(&out->conditions, " AND (%s)", group.data);
}

/*
 * One node of the filter, at path: {"field": {"operator": value}, "and":
 * [nodes], "or": [nodes], "not": node, …}, all of which must hold. depth
 * counts the and/or/not above it; conjunctive is true at the top, where
 * conditions may skip the NULL keys of the sort (FilterNeedsColumn).
 */
static void
ParseNode(JsonbValue *node, const char *path, int depth, bool conjunctive, QueryFilter *out,
		  bool *names_archived)
{
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;

	if (!IsJsonbObject(node))
		RequestError("Give a filter as {\"field\": {\"operator\": value}}.",
					 "\"%s\" must be an object, not %s", path, JsonbValueTypeName(node));
	if (depth > MAX_FILTER_DEPTH)
		RequestError("Simplify the filter: an and inside an and, or an or inside an or, can be one.",
					 "\"%s\" is nested deeper than %d levels of and, or and not", path, MAX_FILTER_DEPTH);
	if (++out->nnodes > MAX_FILTER_NODES)
		RequestError("Write fewer and, or and not filters, or split the query.",
					 "\"%s\" is past the limit of %d filters in all", path, MAX_FILTER_NODES);

	it = JsonbIteratorInit(node->val.binary.data);
	while (NextPair(&it, &key, &value))
	{
		const FilterField *field = NULL;
		char	   *key_path = psprintf("%s.%s", path, Echo(JsonbStringCopy(&key)));

		if (JsonbStringIs(&key, "and") || JsonbStringIs(&key, "or"))
		{
			ParseBranches(&value, key_path, depth, JsonbStringIs(&key, "or"), out, names_archived);
			continue;
		}
		if (JsonbStringIs(&key, "not"))
		{
			StringInfoData outer = out->conditions;
			char	   *inner;

			initStringInfo(&out->conditions);
			ParseNode(&value, key_path, depth + 1, false, out, names_archived);
			inner = out->conditions.data;
			out->conditions = outer;
			/* not matching includes comparing a field the customer lacks (NULL) */
			appendStringInfo(&out->conditions, " AND ((true%s) IS NOT TRUE)", inner);
			continue;
		}
		if (JsonbStringIs(&key, "search"))
		{
			ParseSearch(&value, key_path, out);
			continue;
		}
		for (int i = 0; i < (int) lengthof(filter_fields); i++)
			if (JsonbStringIs(&key, filter_fields[i].name))
				field = &filter_fields[i];
		if (field == NULL && JsonbStringIs(&key, "classSegments"))
		{
			if (depth > 0)
				RequestError("Give classSegments at the top of the filter.",
							 "\"%s\" must be at the top of the filter, not inside and, or or not", key_path);
			ParseClassSegments(&value, out);
			continue;
		}
		if (field == NULL)
			RequestError(FIELDS_HINT, "unrecognized field \"%s\"", key_path);
		if (JsonbStringIs(&key, "customData") && IsCustomDataPathFilter(&value))
		{
			ParseCustomDataPath(&value, key_path, out);
			continue;
		}
		ParseField(field, &value, path, conjunctive, out, names_archived);
	}
}

/*
 * Turn a filter (an object, or NULL for none) into conditions whose
 * parameters are numbered from first_param. Archived customers are left out
 * unless a status condition anywhere in the filter names ARCHIVED.
 */
void
ParseFilter(JsonbValue *filter, int first_param, QueryFilter *out)
{
	bool		names_archived = false;

	memset(out, 0, sizeof(QueryFilter));
	initStringInfo(&out->conditions);
	out->first_param = first_param;
	out->text = "";

	if (filter != NULL && filter->type != jbvNull)
	{
		if (!IsJsonbObject(filter))
			RequestError("Give the filter as {\"field\": {\"operator\": value}}.",
						 "\"filter\" must be an object, not %s", JsonbValueTypeName(filter));
		out->text = JsonbToCString(NULL, filter->val.binary.data, filter->val.binary.len);
		ParseNode(filter, "filter", 0, true, out, &names_archived);
	}

	if (!names_archived)
		appendStringInfoString(&out->conditions,
							   " AND status OPERATOR(pg_catalog.<>) 'ARCHIVED'");
}

/*
 * Whether a condition of the filter holds only where column is set, so
 * that its NULL keys need not be walked: the planner does not see that
 * "email IS NULL AND email > $2" is empty, and read the whole tenant.
 */
bool
FilterNeedsColumn(const QueryFilter *filter, const char *column)
{
	for (int i = 0; i < filter->nnot_null; i++)
		if (strcmp(filter->not_null[i], column) == 0)
			return true;
	return false;
}

/* AddParam, for the filters of other files */
int
FilterParam(QueryFilter *out, Oid type, Datum value)
{
	return AddParam(out, type, value);
}

/* ContainPattern, for the filters of other files */
char *
FilterContainPattern(const char *value)
{
	return ContainPattern(value);
}
