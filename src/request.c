/*
 * request.c
 *		Checks of what a call is given. Every function is called with SQL
 *		NULLs and any jsonb, and answers them with a 22023 error that says
 *		what to pass.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "jsonb_build.h"
#include "request.h"

/* A text argument, which must not be null */
char *
TextArgument(FunctionCallInfo fcinfo, int argno, const char *name, const char *hint)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be null", name),
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
				 errmsg("%s must not be null", name),
				 errhint("%s", hint)));
	value = PG_GETARG_JSONB_P(argno);
	if (!JB_ROOT_IS_OBJECT(value) || JB_ROOT_IS_SCALAR(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object", name),
				 errhint("%s", hint)));
	return value;
}

/*
 * The "data" array of a batch request ({"data": [item, …]}, 1 to 1000
 * items), checked as a whole; request may be NULL. what names the call in
 * messages, item the kind of item in hints.
 */
JsonbContainer *
BatchRequestData(Jsonb *request, const char *what, const char *item)
{
	JsonbValue *data;
	int			count;
	char	   *hint = psprintf("Pass {\"data\": [%s, ...]}.", item);

	if (request == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s request must not be null", what),
				 errhint("%s", hint)));
	if (!JB_ROOT_IS_OBJECT(request) || JB_ROOT_IS_SCALAR(request))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s request must be a JSON object", what),
				 errhint("%s", hint)));
	if (JB_ROOT_COUNT(request) != 1 || (data = FindKey(&request->root, "data")) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s request must have exactly one key, \"data\"", what),
				 errhint("%s", hint)));
	if (!IsJsonbArray(data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"data\" must be an array of %ss, not %s", item,
						JsonbValueTypeName(data)),
				 errhint("%s", hint)));
	count = JsonContainerSize(data->val.binary.data);
	if (count < 1 || count > MAX_BATCH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"data\" must hold 1 to %d %ss, not %d", MAX_BATCH, item, count),
				 errhint("Split larger batches into several calls.")));
	return data->val.binary.data;
}

/* Raise the error for an invalid part of a request to the function what */
void
InvalidRequest(const char *what, const char *message, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s request: %s", what, message),
			 errhint("%s", hint)));
	pg_unreachable();
}

/* Reject keys of object other than the allowed ones */
void
CheckRequestKeys(JsonbContainer *object, const char *const *allowed, int nallowed,
				 const char *where, const char *what, const char *hint)
{
	JsonbIterator *it = JsonbIteratorInit(object);
	JsonbValue	key;
	JsonbValue	value;

	while (NextPair(&it, &key, &value))
	{
		bool		known = false;

		for (int i = 0; i < nallowed; i++)
			known |= (key.val.string.len == (int) strlen(allowed[i]) &&
					  memcmp(key.val.string.val, allowed[i], key.val.string.len) == 0);
		if (!known)
			InvalidRequest(what, psprintf("unrecognized key \"%s%s\"", where,
										  pnstrdup(key.val.string.val, key.val.string.len)),
						   hint);
	}
}

/* The value of a key that must be a string, or NULL when absent or null */
char *
RequestString(JsonbContainer *object, const char *key, const char *path,
			  const char *what, const char *hint)
{
	JsonbValue *v = FindKey(object, key);

	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type != jbvString)
		InvalidRequest(what, psprintf("\"%s\" must be a string, not %s", path,
									  JsonbValueTypeName(v)), hint);
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* limit: an integer from 1 to 1000, 50 when absent */
int
ParsePageLimit(JsonbValue *v, const char *what)
{
	const char *hint = "Give \"limit\" as an integer from 1 to 1000.";
	char	   *text;

	if (v == NULL || v->type == jbvNull)
		return DEFAULT_PAGE_LIMIT;
	if (v->type != jbvNumeric)
		InvalidRequest(what, psprintf("\"limit\" must be a number, not %s",
									  JsonbValueTypeName(v)), hint);
	text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	if (strspn(text, "0123456789") != strlen(text) || strlen(text) > 4 ||
		atoi(text) < 1 || atoi(text) > MAX_PAGE_LIMIT)
		InvalidRequest(what, psprintf("\"limit\" must be an integer from 1 to %d, not %s",
									  MAX_PAGE_LIMIT, text), hint);
	return atoi(text);
}
