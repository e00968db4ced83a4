/*
 * request.c
 *		Checks of what a call is given. Every function is called with SQL
 *		NULLs and any jsonb, and answers them with a 22023 error that says
 *		what to pass.
 *
 * The fields of an item (a customer, a payment method, a class label...)
 * are read through a table of rules, name -> parser (DispatchFields), so
 * that each object's fields are listed in one place and any other member
 * is reported the same way, as an item error that the call collects.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "item_errors.h"
#include "jsonb_build.h"
#include "request.h"
#include "text_rules.h"

/* A text argument, which must not be null */
char *
TextArgument(FunctionCallInfo fcinfo, int argno, const char *name, const char *hint)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument \"%s\" must not be null", name),
				 errhint("%s", hint)));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/* A jsonb argument, which must be a JSON object */
Jsonb *
ObjectArgument(FunctionCallInfo fcinfo, int argno, const char *name, const char *hint)
{
	Jsonb	   *value;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument \"%s\" must not be null", name),
				 errhint("%s", hint)));
	value = PG_GETARG_JSONB_P(argno);
	if (!JB_ROOT_IS_OBJECT(value) || JB_ROOT_IS_SCALAR(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument \"%s\" must be a JSON object", name),
				 errhint("%s", hint)));
	return value;
}

/* "a", "b" or "c" */
static char *
QuotedList(const char *const *names, int n)
{
	StringInfoData list;

	initStringInfo(&list);
	for (int i = 0; i < n; i++)
		appendStringInfo(&list, "%s\"%s\"", i == 0 ? "" : (i == n - 1 ? " or " : ", "), names[i]);
	return list.data;
}

/*
 * The "data" array of a batch request ({"data": [item, ...]}, 1 to 1000
 * items), checked as a whole; request may be NULL. hint shows the request.
 */
JsonbContainer *
BatchRequestData(Jsonb *request, const char *hint)
{
	return BatchRequestDataWith(request, hint, NULL, 0);
}

/* The same, for a request that may also carry the option keys listed */
JsonbContainer *
BatchRequestDataWith(Jsonb *request, const char *hint, const char *const *options, int noptions)
{
	JsonbValue *data;
	int			count;
	int			nkeys;

	if (request == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument \"request\" must not be null"),
				 errhint("%s", hint)));
	if (!JB_ROOT_IS_OBJECT(request) || JB_ROOT_IS_SCALAR(request))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument \"request\" must be a JSON object"),
				 errhint("%s", hint)));
	nkeys = JB_ROOT_COUNT(request);
	for (int i = 0; i < noptions; i++)
		if (FindKey(&request->root, options[i]) != NULL)
			nkeys--;
	if (nkeys != 1 || (data = FindKey(&request->root, "data")) == NULL)
	{
		if (noptions == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("request must have exactly one key, \"data\""),
					 errhint("%s", hint)));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("request must have the key \"data\", and no other key but %s",
						QuotedList(options, noptions)),
				 errhint("%s", hint)));
	}
	if (!IsJsonbArray(data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"data\" must be an array, not %s", JsonbValueTypeName(data)),
				 errhint("%s", hint)));
	count = JsonContainerSize(data->val.binary.data);
	if (count < 1 || count > MAX_BATCH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"data\" must hold 1 to %d items, not %d", MAX_BATCH, count),
				 errhint("Split larger batches into several calls.")));
	return data->val.binary.data;
}

/*
 * Run work for each of n batch items in a memory context reset after each
 * item, calling keep in between to copy what the item produced into the
 * caller's context: a batch of 1000 keeps each item's results, not its
 * intermediate copies.
 */
void
ForEachBatchItem(int n, BatchItemWork work, BatchItemKeep keep, void *state)
{
	MemoryContext item_context = AllocSetContextCreate(CurrentMemoryContext,
													   "customers batch item",
													   ALLOCSET_DEFAULT_SIZES);

	for (int i = 0; i < n; i++)
	{
		MemoryContext call_context;
		bool		worked;

		CHECK_FOR_INTERRUPTS();
		call_context = MemoryContextSwitchTo(item_context);
		worked = work(i, state);
		MemoryContextSwitchTo(call_context);
		if (worked)
			keep(i, state);
		MemoryContextReset(item_context);
	}
	MemoryContextDelete(item_context);
}

/* A string copied into the current memory context, or NULL */
char *
KeepString(const char *s)
{
	return s == NULL ? NULL : pstrdup(s);
}

/* Reject keys of object other than the allowed ones */
void
CheckRequestKeys(JsonbContainer *object, const char *const *allowed, int nallowed,
				 const char *where, const char *hint)
{
	char	   *unknown = FirstUnknownKey(object, allowed, nallowed);

	if (unknown != NULL)
		RequestError(hint, "unrecognized key \"%s%s\"", where, Echo(unknown));
}

/* The value of a key that must be a string, or NULL when absent or null */
char *
RequestString(JsonbContainer *object, const char *key, const char *path,
			  const char *hint)
{
	JsonbValue *v = FindKey(object, key);

	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type != jbvString)
		RequestError(hint, "\"%s\" must be a string, not %s", path, JsonbValueTypeName(v));
	return JsonbStringCopy(v);
}

/*
 * The one rule for integers in requests (docs/api.md §3.3): a JSON number
 * whose value is a whole number from min to max, however it is written (50,
 * 5e1, 50.0); false for anything else.
 */
bool
IntegerValue(JsonbValue *v, int64 min, int64 max, int64 *result)
{
	char	   *text;
	char	   *dot;
	const char *digits;
	int64		value;

	if (v->type != jbvNumeric)
		return false;
	/* numeric_out writes plain digits, with the scale the number was given */
	text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	if ((dot = strchr(text, '.')) != NULL)
	{
		if (strspn(dot + 1, "0") != strlen(dot + 1))
			return false;
		*dot = '\0';
	}
	digits = text[0] == '-' ? text + 1 : text;
	if (digits[0] == '\0' || strlen(digits) > 18 || strspn(digits, "0123456789") != strlen(digits))
		return false;
	value = strtoi64(text, NULL, 10);
	if (value < min || value > max)
		return false;
	*result = value;
	return true;
}

/* limit: an integer from 1 to 1000, 50 when absent */
int
ParsePageLimit(JsonbValue *v)
{
	const char *hint = "Give \"limit\" as an integer from 1 to 1000.";
	int64		limit;

	if (v == NULL || v->type == jbvNull)
		return DEFAULT_PAGE_LIMIT;
	if (v->type != jbvNumeric)
		RequestError(hint, "\"limit\" must be a number, not %s", JsonbValueTypeName(v));
	if (!IntegerValue(v, 1, MAX_PAGE_LIMIT, &limit))
		RequestError(hint, "\"limit\" must be an integer from 1 to %d, not %s", MAX_PAGE_LIMIT,
					 Echo(DatumGetCString(DirectFunctionCall1(numeric_out,
															  NumericGetDatum(v->val.numeric)))));
	return (int) limit;
}

/*
 * Read every member of object with the parser its rule names; a member
 * without a rule is an "unrecognized field" error. Params are "parent.key",
 * or the key alone when parent is NULL.
 */
void
DispatchFields(JsonbContainer *object, const char *parent, const FieldRule *rules, int nrules,
			   void *target, List **errors)
{
	JsonbIterator *it = JsonbIteratorInit(object);
	JsonbValue	key;
	JsonbValue	value;

	while (NextPair(&it, &key, &value))
	{
		char	   *name = JsonbStringCopy(&key);
		const char *param = parent == NULL ? Echo(name) : psprintf("%s.%s", parent, Echo(name));
		const FieldRule *rule = NULL;

		for (int i = 0; i < nrules && rule == NULL; i++)
			if (strcmp(rules[i].name, name) == 0)
				rule = &rules[i];
		if (rule == NULL)
			AddValidationError(errors, param, "unrecognized field \"%s\"", param);
		else if (rule->parse != NULL)
			rule->parse(&value, param, (char *) target + rule->offset, errors);
	}
}

/*
 * A string field of at most max_chars characters. When trim is set the text
 * rules apply first (text_rules.c: Unicode white space trimmed, control
 * characters refused, NFC) and min_chars counts after them. JSON null gives
 * NULL with no error; *ok tells errors apart.
 */
char *
TextField(JsonbValue *v, const char *param, bool trim, int min_chars,
		  int max_chars, List **errors, bool *ok)
{
	const char *s;
	int			len;
	int			chars;

	*ok = true;
	if (v->type == jbvNull)
		return NULL;
	if (v->type != jbvString)
	{
		AddValidationError(errors, param, "\"%s\" must be a string, not %s",
						   param, JsonbValueTypeName(v));
		*ok = false;
		return NULL;
	}
	s = v->val.string.val;
	len = v->val.string.len;
	if (trim)
	{
		pg_wchar	control;

		s = ApplyTextRules(s, len, &len, &control);
		if (s == NULL)
		{
			AddValidationError(errors, param,
							   "\"%s\" must not contain control characters, such as U+%04X",
							   param, (unsigned int) control);
			*ok = false;
			return NULL;
		}
	}
	chars = pg_mbstrlen_with_len(s, len);
	if (chars < min_chars || chars > max_chars)
	{
		if (min_chars > 0)
			AddValidationError(errors, param,
							   "\"%s\" must have %d to %d characters%s, not %d",
							   param, min_chars, max_chars,
							   trim ? " after trimming" : "", chars);
		else
			AddValidationError(errors, param,
							   "\"%s\" must have at most %d characters, not %d",
							   param, max_chars, chars);
		*ok = false;
		return NULL;
	}
	return pnstrdup(s, len);
}

/*
 * Whether a field is an object to read the members of: false for JSON null,
 * and false after recording an error for anything else.
 */
bool
IsObjectField(JsonbValue *v, const char *param, List **errors)
{
	if (v->type == jbvNull)
		return false;
	if (!IsJsonbObject(v))
	{
		AddValidationError(errors, param, "\"%s\" must be an object, not %s",
						   param, JsonbValueTypeName(v));
		return false;
	}
	return true;
}
