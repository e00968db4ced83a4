/*
 * custom_data_index.c
 *		The expressions over customData paths that indexes cover, and the
 *		indexes an owner declares for a path (docs/api.md §4.1,
 *		docs/design.md "Indexes and plans").
 *
 * A path filter's operators other than the containments read the value at
 * the path, which no index over the whole of customData serves. So:
 *
 * - exists: customers.custom_data_keys(customData) is every key path of
 *   the document (objects only, never through an array, at most 8 keys
 *   deep), each as the JSON text of its keys, ["plan","tier"]; one GIN index
 *   covers it for every path, and "exists" is also "custom_data_keys(…) @>
 *   ARRAY[path]". ANALYZE gathers the frequency of each key path from that
 *   index's expression, so the planner sees how many customers have one.
 * - ranges and contain: no index can serve every path, so the owner
 *   declares one for a hot path and kind (number, time, text) with
 *   customers.custom_data_index(), which gives the statements to run. The
 *   index is on the expression the filter writes,
 *   customers.custom_data_number(customData -> 'k1' -> 'k2') and the like;
 *   the filter's statement is planned for each call with the keys as
 *   constants, so the planner matches it. Its name is made from the kind and
 *   a hash of the path, so a filter finds out by name whether one exists, and
 *   so which strategy to take (query_custom_data.c).
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "custom_data_index.h"
#include "item_errors.h"
#include "jsonb_build.h"
#include "request.h"
#include "timestamps.h"

static const char *const kind_names[NUM_PATH_KINDS] = {"number", "time", "text"};

/* the function each kind's index covers */
static const char *const kind_functions[NUM_PATH_KINDS] = {
	"customers.custom_data_number", "customers.custom_data_time", "customers.custom_data_text",
};

#define KIND_HINT "Give the path as an array of 1 to 8 keys and the kind as \"number\", \"time\" or \"text\"."

/*
 * The JSON text of a path's keys, ["plan","tier"]; NULL when it is longer
 * than a GIN entry may be, and no index holds it.
 */
char *
CustomDataPathText(char *const *keys, int nkeys)
{
	StringInfoData text;

	initStringInfo(&text);
	appendStringInfoChar(&text, '[');
	for (int i = 0; i < nkeys; i++)
	{
		if (i > 0)
			appendStringInfoChar(&text, ',');
		escape_json(&text, keys[i]);
	}
	appendStringInfoChar(&text, ']');
	return text.len <= MAX_KEY_PATH_BYTES ? text.data : NULL;
}

/* The name of the declared index of kind at a path: the kind, a hash */
static char *
PathIndexName(char *const *keys, int nkeys, CustomDataPathKind kind)
{
	uint64		hash = UINT64CONST(0xcbf29ce484222325);
	StringInfoData text;

	/* FNV-1a over the keys, each with its terminating zero */
	for (int i = 0; i < nkeys; i++)
		for (const char *c = keys[i];; c++)
		{
			hash = (hash ^ (unsigned char) *c) * UINT64CONST(0x100000001b3);
			if (*c == '\0')
				break;
		}
	initStringInfo(&text);
	appendStringInfo(&text, "customer_data_%s_%016llx_idx", kind_names[kind], (unsigned long long) hash);
	return text.data;
}

/* Whether a valid declared index of kind serves the path */
bool
CustomDataPathIndexed(char *const *keys, int nkeys, CustomDataPathKind kind)
{
	Oid			namespace = get_namespace_oid("customers", true);
	Oid			index;
	HeapTuple	tuple;
	bool		valid;

	if (!OidIsValid(namespace))
		return false;
	index = get_relname_relid(PathIndexName(keys, nkeys, kind), namespace);
	if (!OidIsValid(index))
		return false;
	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
	if (!HeapTupleIsValid(tuple))
		return false;
	valid = ((Form_pg_index) GETSTRUCT(tuple))->indisvalid;
	ReleaseSysCache(tuple);
	return valid;
}

/* Append the key paths below an object container, prefix[0..depth) first */
static void
AppendKeyPaths(JsonbContainer *object, char **prefix, int depth, ArrayBuildState *paths)
{
	JsonbIterator *it = JsonbIteratorInit(object);
	JsonbValue	key;
	JsonbValue	value;

	while (NextPair(&it, &key, &value))
	{
		char	   *text;

		CHECK_FOR_INTERRUPTS();
		prefix[depth] = JsonbStringCopy(&key);
		text = CustomDataPathText(prefix, depth + 1);
		if (text != NULL)
			accumArrayResult(paths, CStringGetTextDatum(text), false, TEXTOID, CurrentMemoryContext);
		if (IsJsonbObject(&value) && depth + 1 < MAX_PATH_KEYS)
			AppendKeyPaths(value.val.binary.data, prefix, depth + 1, paths);
	}
}

PG_FUNCTION_INFO_V1(customers_custom_data_keys);

/*
 * SQL: customers.custom_data_keys(custom_data jsonb): every key path of an
 * object, objects only and at most 8 keys deep, as CustomDataPathText
 * writes it; empty for anything but an object. Immutable: a GIN index
 * covers it.
 */
Datum
customers_custom_data_keys(PG_FUNCTION_ARGS)
{
	Jsonb	   *custom_data = PG_GETARG_JSONB_P(0);
	ArrayBuildState *paths = initArrayResult(TEXTOID, CurrentMemoryContext, false);
	char	   *prefix[MAX_PATH_KEYS];

	if (JB_ROOT_IS_OBJECT(custom_data))
		AppendKeyPaths(&custom_data->root, prefix, 0, paths);
	if (paths->nelems == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
	PG_RETURN_DATUM(makeArrayResult(paths, CurrentMemoryContext));
}

/* Whether value is a JSON scalar of type, read into scalar */
static bool
ScalarOfType(Jsonb *value, enum jbvType type, JsonbValue *scalar)
{
	return JsonbExtractScalar(&value->root, scalar) && scalar->type == type;
}

PG_FUNCTION_INFO_V1(customers_custom_data_number);

/*
 * SQL: customers.custom_data_number(value jsonb): a JSON number as numeric,
 * NULL for any other value. Immutable: declared indexes cover it.
 */
Datum
customers_custom_data_number(PG_FUNCTION_ARGS)
{
	JsonbValue	scalar;

	if (!ScalarOfType(PG_GETARG_JSONB_P(0), jbvNumeric, &scalar))
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(scalar.val.numeric);
}

PG_FUNCTION_INFO_V1(customers_custom_data_text);

/*
 * SQL: customers.custom_data_text(value jsonb): a JSON string as text, NULL
 * for any other value. Immutable: declared indexes cover it.
 */
Datum
customers_custom_data_text(PG_FUNCTION_ARGS)
{
	JsonbValue	scalar;

	if (!ScalarOfType(PG_GETARG_JSONB_P(0), jbvString, &scalar))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(scalar.val.string.val, scalar.val.string.len));
}

PG_FUNCTION_INFO_V1(customers_custom_data_time);

/*
 * SQL: customers.custom_data_time(value jsonb): the time an RFC 3339 string
 * names, NULL for any other value. Immutable: RFC 3339 has its offset.
 */
Datum
customers_custom_data_time(PG_FUNCTION_ARGS)
{
	JsonbValue	scalar;
	TimestampTz ts;

	if (!ScalarOfType(PG_GETARG_JSONB_P(0), jbvString, &scalar) ||
		!ParseRfc3339(scalar.val.string.val, scalar.val.string.len, &ts))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(ts);
}

/* The schema of pg_trgm's operator classes, quoted */
static char *
TrigramSchema(void)
{
	MemoryContext caller = CurrentMemoryContext;
	char	   *schema = NULL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT e.extnamespace::pg_catalog.regnamespace::pg_catalog.text"
					" FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'pg_trgm'",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the schema of pg_trgm");
	if (SPI_processed == 1)
		schema = MemoryContextStrdup(caller, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	SPI_finish();
	if (schema == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"pg_trgm\" is not installed"),
				 errhint("A text index on a customData path needs pg_trgm, which CREATE EXTENSION customers CASCADE installs.")));
	return schema;
}

PG_FUNCTION_INFO_V1(customers_custom_data_index);

/*
 * SQL: customers.custom_data_index(path text[], kind text): the statements
 * that declare the index serving number or time ranges, or contain, at a
 * customData path: CREATE INDEX CONCURRENTLY, then ANALYZE, for the owner
 * to run (psql's \gexec). It runs nothing itself.
 */
Datum
customers_custom_data_index(PG_FUNCTION_ARGS)
{
	ArrayType  *array;
	Datum	   *elems;
	bool	   *nulls;
	int			nkeys;
	char	  **keys;
	char	   *kind_text;
	int			kind = -1;
	StringInfoData value;
	StringInfoData create;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		row[1];
	bool		row_null[1] = {false};

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("arguments \"path\" and \"kind\" must not be null"),
				 errhint(KIND_HINT)));
	array = PG_GETARG_ARRAYTYPE_P(0);
	kind_text = text_to_cstring(PG_GETARG_TEXT_PP(1));
	for (int i = 0; i < NUM_PATH_KINDS; i++)
		if (strcmp(kind_text, kind_names[i]) == 0)
			kind = i;
	if (kind < 0)
		RequestError(KIND_HINT, "\"kind\" must be number, time or text, not \"%s\"", Echo(kind_text));
	if (ARR_NDIM(array) > 1)
		RequestError(KIND_HINT, "\"path\" must be a one-dimensional array of keys");
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &nkeys);
	if (nkeys < 1 || nkeys > MAX_PATH_KEYS)
		RequestError(KIND_HINT, "\"path\" must hold 1 to %d keys, not %d", MAX_PATH_KEYS, nkeys);
	keys = palloc(sizeof(char *) * nkeys);
	for (int i = 0; i < nkeys; i++)
	{
		if (nulls[i])
			RequestError(KIND_HINT, "\"path[%d]\" must be a key, not null", i);
		keys[i] = TextDatumGetCString(elems[i]);
		if (pg_mbstrlen(keys[i]) > MAX_PATH_KEY_CHARS)
			RequestError(KIND_HINT, "\"path[%d]\" must be at most %d characters", i, MAX_PATH_KEY_CHARS);
	}

	/* the expression the filters write (query_custom_data.c) */
	initStringInfo(&value);
	appendStringInfo(&value, "%s(doc OPERATOR(pg_catalog.->) 'customData'", kind_functions[kind]);
	for (int i = 0; i < nkeys; i++)
		appendStringInfo(&value, " OPERATOR(pg_catalog.->) %s", quote_literal_cstr(keys[i]));
	appendStringInfoChar(&value, ')');

	initStringInfo(&create);
	appendStringInfo(&create, "CREATE INDEX CONCURRENTLY IF NOT EXISTS %s ON customers.customer ",
					 quote_identifier(PathIndexName(keys, nkeys, kind)));
	if (kind == PATH_KIND_TEXT)
		appendStringInfo(&create, "USING gin (tenant_id, %s %s.gin_trgm_ops)", value.data, TrigramSchema());
	else
		appendStringInfo(&create, "(tenant_id, %s)", value.data);

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	row[0] = CStringGetTextDatum(create.data);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row, row_null);
	row[0] = CStringGetTextDatum("ANALYZE customers.customer");
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row, row_null);
	return (Datum) 0;
}
