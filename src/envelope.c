/*
 * envelope.c
 *		The response envelopes: a batch save's
 *		{"result", "data": [{"result", "statusCode", "data", "error"}], "error"},
 *		a whole list's {"result", "data"}, and a page's
 *		{"result", "data", "cursor": {"after", "before"}}.
 *
 * A batch reports each item's errors in the item and repeats them at the top
 * level with the param prefixed "data[i].".
 *
 * Every envelope of many documents is held to one size of its documents,
 * customers.max_response_size (64 MB), checked before it is built
 * (CheckResponseSize): the limits of
 * a request (a page of 1000, a batch of 1000 documents of 256 kB) allow a
 * response of 256 MB, PostgreSQL's limit of a jsonb value, and a backend
 * needs about five times a response to read, build and send it (1.2 GB for
 * a page, bench/README.md "Memory per call"). A caller that can learn the
 * size sooner (from the stored sizes, before reading the documents; a save
 * before it writes) checks it there too.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "executor/spi.h"
#include "utils/jsonb.h"

#include "envelope.h"
#include "item_errors.h"
#include "jsonb_assemble.h"
#include "jsonb_build.h"

int			customers_max_response_size = DEFAULT_MAX_RESPONSE_KB;

/* A size in MB, or in kB under 10 MB, rounded up */
static char *
SizeText(Size bytes)
{
	if (bytes >= (Size) 10 * 1024 * 1024)
		return psprintf("%zu MB", (bytes + 1024 * 1024 - 1) / (1024 * 1024));
	return psprintf("%zu kB", (bytes + 1023) / 1024);
}

/*
 * Refuse a response whose ndocs documents take more than
 * customers.max_response_size (54000), with the request parameter to lower
 * and about how much
 */
void
CheckResponseSize(ResponseKind kind, int ndocs, Size bytes)
{
	const Size	max = (Size) customers_max_response_size * 1024;
	int			fit;

	if (bytes <= max)
		return;
	/* how many documents of this average size fit */
	fit = (int) Max((double) ndocs * max / bytes, 1);
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("response of %d documents exceeds the maximum of %s", ndocs,
					customers_max_response_size % 1024 == 0 ?
					psprintf("%d MB", customers_max_response_size / 1024) :
					psprintf("%d kB", customers_max_response_size)),
			 errdetail("The documents take %s; the maximum is set by customers.max_response_size.",
					   SizeText(bytes)),
			 kind == RESPONSE_PAGE ?
			 errhint("Lower \"limit\": about %d of these documents fit in a response.", fit) :
			 kind == RESPONSE_BATCH ?
			 errhint("Send fewer items at a time: about %d of these documents fit in a response.", fit) :
			 errhint("Detach the payment methods that the customer no longer uses.")));
}

/*
 * CheckResponseSize for the documents of the first nrows rows of a result,
 * from the sizes of their values as stored (compressed or out of line), so
 * before a page too large is decompressed. It counts each row's every
 * value, of which the document is made.
 */
void
CheckRowsResponseSize(ResponseKind kind, SPITupleTable *rows, int nrows)
{
	TupleDesc	desc = rows->tupdesc;
	Size		bytes = 0;

	for (int r = 0; r < nrows; r++)
		for (int c = 0; c < desc->natts; c++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, c);
			bool		isnull;
			Datum		value;

			if (att->attlen != -1)
				continue;
			value = heap_getattr(rows->vals[r], c + 1, desc, &isnull);
			if (!isnull)
				bytes += toast_raw_datum_size(value);
		}
	CheckResponseSize(kind, nrows, bytes);
}

/* The bytes of the documents */
static Size
DocumentsSize(Jsonb **docs, int ndocs)
{
	Size		bytes = 0;

	for (int i = 0; i < ndocs; i++)
		bytes += VARSIZE(docs[i]);
	return bytes;
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
	int			ndocs = 0;
	Size		bytes = 0;

	for (int i = 0; i < nitems; i++)
	{
		failed |= (items[i].errors != NIL);
		if (items[i].errors == NIL)
		{
			ndocs++;
			bytes += VARSIZE(items[i].data);
		}
	}
	CheckResponseSize(RESPONSE_BATCH, ndocs, bytes);

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
DataValue(JsonbValue *data, Jsonb **docs, int ndocs, ResponseKind kind)
{
	JsonbValue *elems;

	CheckResponseSize(kind, ndocs, DocumentsSize(docs, ndocs));
	elems = palloc(sizeof(JsonbValue) * Max(ndocs, 1));

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

/* The envelope of a whole list: {"result","data"} (of payment methods) */
Jsonb *
BuildList(Jsonb **docs, int ndocs)
{
	static const char *const keys[] = {"data", "result"};	/* in jsonb order */
	JsonbValue	values[lengthof(keys)];

	DataValue(&values[0], docs, ndocs, RESPONSE_PAYMENT_METHODS);
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

	DataValue(&values[n++], docs, ndocs, RESPONSE_PAGE);
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
