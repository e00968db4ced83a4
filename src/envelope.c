/*
 * envelope.c
 *		Per-item errors and the Tight envelope:
 *		{"result","data":[{"result","statusCode","data","error":[…]}],"error":[…]}
 *
 * A batch reports each item's errors in the item and repeats them at the top
 * level with the param prefixed "data[i].". Single-item calls raise the first
 * error instead, with the rest in the detail.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "envelope.h"
#include "jsonb_build.h"

static void AddItemErrorV(List **errors, int status, int sqlstate, const char *param,
						  const char *fmt, va_list args) pg_attribute_printf(5, 0);

/* Record an error for the current item */
static void
AddItemErrorV(List **errors, int status, int sqlstate, const char *param,
			  const char *fmt, va_list args)
{
	ItemError  *error = palloc(sizeof(ItemError));
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		copy;
		int			needed;

		va_copy(copy, args);
		needed = appendStringInfoVA(&buf, fmt, copy);
		va_end(copy);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}

	error->status = status;
	error->sqlstate = sqlstate;
	error->param = pstrdup(param);
	error->message = buf.data;
	*errors = lappend(*errors, error);
}

/* Record an error with its status and the SQLSTATE a single-item call raises */
void
AddItemError(List **errors, int status, int sqlstate, const char *param,
			 const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	AddItemErrorV(errors, status, sqlstate, param, fmt, args);
	va_end(args);
}

/* Record a validation error (400, SQLSTATE 22023) */
void
AddValidationError(List **errors, const char *param, const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	AddItemErrorV(errors, ITEM_STATUS_VALIDATION, ERRCODE_INVALID_PARAMETER_VALUE,
				  param, fmt, args);
	va_end(args);
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

/* The envelope's error type for a status code */
static const char *
ErrorType(int status)
{
	switch (status)
	{
		case ITEM_STATUS_VALIDATION:
			return "VALIDATION_ERROR";
		case ITEM_STATUS_CONFLICT:
			return "CONFLICT";
		default:
			return "UNKNOWN_ERROR";
	}
}

/* Push one error object; prefix (may be NULL) goes before the param */
static void
PushError(JsonbParseState **state, ItemError *error, const char *prefix)
{
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(state, "type", ErrorType(error->status));
	PushKeyString(state, "message", error->message);
	if (prefix == NULL)
		PushKeyString(state, "param", error->param);
	else if (error->param[0] == '\0')
		PushKeyString(state, "param", prefix);
	else if (error->param[0] == '[')
		PushKeyString(state, "param", psprintf("%s%s", prefix, error->param));
	else
		PushKeyString(state, "param", psprintf("%s.%s", prefix, error->param));
	pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/* The envelope of a batch save */
Jsonb *
BuildSaveEnvelope(ItemResult *items, int nitems)
{
	JsonbParseState *state = NULL;
	bool		failed = false;
	ListCell   *lc;

	for (int i = 0; i < nitems; i++)
		failed |= (items[i].errors != NIL);

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(&state, "result", failed ? "FAILURE" : "SUCCESS");

	PushKey(&state, "data");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < nitems; i++)
	{
		ItemResult *item = &items[i];

		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		if (item->errors == NIL)
		{
			JsonbValue	data;

			PushKeyString(&state, "result", "SUCCESS");
			PushKeyInt64(&state, "statusCode", ITEM_STATUS_OK);
			data.type = jbvBinary;
			data.val.binary.data = &item->data->root;
			data.val.binary.len = VARSIZE(item->data) - VARHDRSZ;
			PushKeyValue(&state, "data", &data);
		}
		else
		{
			PushKeyString(&state, "result", "FAILURE");
			PushKeyInt64(&state, "statusCode",
						 ((ItemError *) linitial(item->errors))->status);
			PushKeyNull(&state, "data");
		}
		PushKey(&state, "error");
		pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
		foreach(lc, item->errors)
			PushError(&state, lfirst(lc), NULL);
		pushJsonbValue(&state, WJB_END_ARRAY, NULL);
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);

	PushKey(&state, "error");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < nitems; i++)
	{
		char	   *prefix = psprintf("data[%d]", i);

		foreach(lc, items[i].errors)
			PushError(&state, lfirst(lc), prefix);
	}
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);

	return EndObject(&state);
}

/*
 * Raise the first of a single item's errors; the detail lists the others.
 * hint says how to fix them, or NULL for the usual one.
 */
void
RaiseItemErrorsWithHint(List *errors, const char *hint)
{
	ItemError  *first = linitial(errors);
	StringInfoData detail;
	ListCell   *lc;

	initStringInfo(&detail);
	for_each_from(lc, errors, 1)
	{
		ItemError  *error = lfirst(lc);

		appendStringInfo(&detail, "%s%s.", detail.len > 0 ? " " : "Also: ", error->message);
	}

	if (hint == NULL)
		hint = first->status == ITEM_STATUS_CONFLICT ?
			"Fetch the customer again and retry against its current state." :
			"Correct the named field and retry.";
	ereport(ERROR,
			(errcode(first->sqlstate),
			 errmsg("%s", first->message),
			 detail.len > 0 ? errdetail("%s", detail.data) : 0,
			 errhint("%s", hint)));
	pg_unreachable();
}

/* Raise the first of a single item's errors with the usual hint */
void
RaiseItemErrors(List *errors)
{
	RaiseItemErrorsWithHint(errors, NULL);
}
