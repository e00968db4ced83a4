/*
 * envelope.c
 *		The response envelopes: a batch save's
 *		{"result", "data": [{"result", "statusCode", "data", "error"}], "error"},
 *		a whole list's {"result", "data"}, and a page's
 *		{"result", "data", "cursor": {"after", "before"}}.
 *
 * A batch reports each item's errors in the item and repeats them at the top
 * level with the param prefixed "data[i].".
 */
#include "postgres.h"

#include "utils/jsonb.h"

#include "envelope.h"
#include "item_errors.h"
#include "jsonb_assemble.h"
#include "jsonb_build.h"

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
 * The documents as the "data" array of an envelope: their containers are
 * copied into it as they are (jsonb_assemble.c), not decoded and encoded
 * again, which would cost more than reading them.
 */
static void
DataValue(JsonbValue *data, Jsonb **docs, int ndocs)
{
	JsonbValue *elems = palloc(sizeof(JsonbValue) * Max(ndocs, 1));

	for (int i = 0; i < ndocs; i++)
	{
		elems[i].type = jbvBinary;
		elems[i].val.binary.data = &docs[i]->root;
		elems[i].val.binary.len = VARSIZE(docs[i]) - VARHDRSZ;
	}
	data->type = jbvArray;
	data->val.array.elems = elems;
	data->val.array.nElems = ndocs;
	data->val.array.rawScalar = false;
}

/* A string value */
static void
StringValue(JsonbValue *value, const char *string)
{
	value->type = jbvString;
	value->val.string.val = (char *) string;
	value->val.string.len = strlen(string);
}

/* The envelope of a whole list: {"result","data"} */
Jsonb *
BuildList(Jsonb **docs, int ndocs)
{
	static const char *const keys[] = {"data", "result"};	/* in jsonb order */
	JsonbValue	values[lengthof(keys)];

	DataValue(&values[0], docs, ndocs);
	StringValue(&values[1], "SUCCESS");
	return AssembleObject(keys, values, lengthof(keys));
}

/* The page envelope; after and before are the cursor tokens, or NULL */
Jsonb *
BuildPage(Jsonb **docs, int ndocs, const char *after, const char *before)
{
	return BuildCountedPage(docs, ndocs, after, before, NULL);
}

/* The page of BuildPage with the query's "count" object, when count is not NULL */
Jsonb *
BuildCountedPage(Jsonb **docs, int ndocs, const char *after, const char *before, Jsonb *count)
{
	static const char *const counted_keys[] = {"data", "count", "cursor", "result"};	/* in jsonb order */
	static const char *const keys[] = {"data", "cursor", "result"};
	JsonbValue	values[lengthof(counted_keys)];
	JsonbParseState *state = NULL;
	Jsonb	   *cursor;
	int			n = 0;

	DataValue(&values[n++], docs, ndocs);
	if (count != NULL)
	{
		values[n].type = jbvBinary;
		values[n].val.binary.data = &count->root;
		values[n++].val.binary.len = VARSIZE(count) - VARHDRSZ;
	}
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(&state, "after", after);
	PushKeyString(&state, "before", before);
	cursor = EndObject(&state);
	values[n].type = jbvBinary;
	values[n].val.binary.data = &cursor->root;
	values[n++].val.binary.len = VARSIZE(cursor) - VARHDRSZ;
	StringValue(&values[n++], "SUCCESS");
	return AssembleObject(count != NULL ? counted_keys : keys, values, n);
}
