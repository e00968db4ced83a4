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
 *
 * The check counts the documents, as the setting says, and also makes sure
 * the whole envelope fits in one jsonb value: at the top setting (262,143
 * kB, 1 kB under jsonb's 256 MB) the envelope's own bytes (a batch's item
 * objects and errors, a page's cursor, one entry and padding per document)
 * would reach jsonb's limit first, and PostgreSQL's message there names no
 * setting. The class segment listing (a tree, not documents) and a replay of
 * an idempotency key's stored result are held to the same setting.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/jsonb.h"

#include "envelope.h"
#include "item_errors.h"
#include "jsonb_assemble.h"
#include "jsonb_build.h"

int			customers_max_response_size = DEFAULT_MAX_RESPONSE_KB;

/*
 * What an envelope adds to its documents, at most: per document an entry
 * (4 bytes) and up to 3 of padding, less the varlena header its size
 * counts (4), which the envelope does not copy; a batch's item object
 * besides, whose errors its caller counts; and the keys, cursor and count
 * around them. Exact for a list: 16,383 payment methods of 16,381 bytes fit
 * in a jsonb value, 16,384 do not (bench/memory.sh, "top").
 */
#define ENVELOPE_BYTES_PER_DOC 3
#define ENVELOPE_BYTES_PER_ITEM 160
#define ENVELOPE_FIXED_BYTES 8192
/* an error object beside its message and param: keys, type, entries */
#define ERROR_OVERHEAD_BYTES 64

/*
 * The most the expanded chains of one page may add to its response: 100
 * labels of 32-level chains on a page of 200 took 83 MB, and building them
 * 1.4 GB of memory.
 */
#define MAX_EXPANDED_MB 16

/* The most one jsonb value holds: what its offsets can address */
#define JSONB_MAX_BYTES ((Size) JENTRY_OFFLENMASK)

/* A size in MB, or in kB under 10 MB, rounded up */
static char *
SizeText(Size bytes)
{
	if (bytes >= (Size) 10 * 1024 * 1024)
		return psprintf("%zu MB", (bytes + 1024 * 1024 - 1) / (1024 * 1024));
	return psprintf("%zu kB", (bytes + 1023) / 1024);
}

/* customers.max_response_size as it is set, in MB when whole */
static char *
LimitText(void)
{
	if (customers_max_response_size % 1024 == 0)
		return psprintf("%d MB", customers_max_response_size / 1024);
	return psprintf("%d kB", customers_max_response_size);
}

/* Whether a response of this kind lists class segments, not documents */
static bool
ListsSegments(ResponseKind kind)
{
	return kind == RESPONSE_CLASS_SEGMENTS || kind == RESPONSE_CLASS_SEGMENTS_OF_LABEL;
}

/* What a response of this kind is made of, in its messages */
static const char *
UnitName(ResponseKind kind)
{
	return ListsSegments(kind) ? "class segments" : "documents";
}

/*
 * Whether documents of docs bytes, and envelope bytes around them, are
 * within customers.max_response_size and what a jsonb value holds
 */
static bool
ResponseFits(Size docs, Size envelope)
{
	return docs <= (Size) customers_max_response_size * 1024 && docs + envelope <= JSONB_MAX_BYTES;
}

/* The hint: what the caller lowers, and about how many fit */
static int
SizeHint(ResponseKind kind, int fit)
{
	switch (kind)
	{
		case RESPONSE_PAGE:
			return errhint("Lower \"limit\": about %d of these documents fit in a response.", fit);
		case RESPONSE_BATCH:
			return errhint("Send fewer items at a time: about %d of these documents fit in a response.", fit);
		case RESPONSE_PAYMENT_METHODS:
			return errhint("Detach the payment methods that the customer no longer uses.");
		case RESPONSE_CLASS_SEGMENTS:
			return errhint("List one class label at a time: pass {\"label\": id}.");
		case RESPONSE_CLASS_SEGMENTS_OF_LABEL:
			return errhint("Delete the class segments that customers no longer hold, or ask a superuser to raise customers.max_response_size.");
	}
	return 0;
}

/*
 * Refuse a response of ndocs documents of docs bytes (or class segments),
 * whose envelope adds envelope bytes besides, when the documents take more
 * than customers.max_response_size or the whole response more than a jsonb
 * value holds (54000), with what to lower and about how much
 */
static void
CheckEnvelopeSize(ResponseKind kind, int ndocs, Size docs, Size envelope)
{
	const Size	max = (Size) customers_max_response_size * 1024;
	Size		room = Min(max, JSONB_MAX_BYTES - Min(envelope, JSONB_MAX_BYTES));

	if (ResponseFits(docs, envelope))
		return;
	/* the hints say how many documents of this average size fit */
	if (docs > max)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 ListsSegments(kind) ?
				 errmsg_plural("response of %d class segment exceeds the maximum of %s",
							   "response of %d class segments exceeds the maximum of %s",
							   ndocs, ndocs, LimitText()) :
				 errmsg_plural("response of %d document exceeds the maximum of %s",
							   "response of %d documents exceeds the maximum of %s",
							   ndocs, ndocs, LimitText()),
				 errdetail("The %s take %s; the maximum is set by customers.max_response_size.",
						   UnitName(kind), SizeText(docs)),
				 SizeHint(kind, (int) Max((double) ndocs * max / docs, 1))));
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 ListsSegments(kind) ?
			 errmsg_plural("response of %d class segment exceeds the maximum size of a jsonb value",
						   "response of %d class segments exceeds the maximum size of a jsonb value",
						   ndocs, ndocs) :
			 errmsg_plural("response of %d document exceeds the maximum size of a jsonb value",
						   "response of %d documents exceeds the maximum size of a jsonb value",
						   ndocs, ndocs),
			 errdetail("The %s take %s and the response around them %s; a jsonb value holds at most %zu bytes.",
					   UnitName(kind), SizeText(docs), SizeText(envelope), JSONB_MAX_BYTES),
			 SizeHint(kind, (int) Max((double) ndocs * room / Max(docs, 1), 1))));
}

/*
 * Refuse a response whose ndocs documents take more than
 * customers.max_response_size (54000), or that would not fit in a jsonb
 * value with its envelope, with the request parameter to lower and about
 * how much
 */
void
CheckResponseSize(ResponseKind kind, int ndocs, Size bytes)
{
	CheckEnvelopeSize(kind, ndocs, bytes,
					  ENVELOPE_FIXED_BYTES + (Size) ndocs * ENVELOPE_BYTES_PER_DOC);
}

/*
 * The bytes of the values of the given columns (1-based; every variable
 * length column when columns is NULL) of the first nrows rows of a result,
 * as they are (compressed or out of line) before they are read, and
 * per_row more for each row
 */
Size
RowsSize(SPITupleTable *rows, int nrows, const int *columns, int ncolumns, Size per_row)
{
	TupleDesc	desc = rows->tupdesc;
	Size		bytes = 0;

	if (columns == NULL)
		ncolumns = desc->natts;
	for (int r = 0; r < nrows; r++)
	{
		CHECK_FOR_INTERRUPTS();
		bytes += per_row;
		for (int i = 0; i < ncolumns; i++)
		{
			int			c = columns == NULL ? i : columns[i] - 1;
			Form_pg_attribute att = TupleDescAttr(desc, c);
			bool		isnull;
			Datum		value;

			if (att->attlen != -1)
				continue;
			value = heap_getattr(rows->vals[r], c + 1, desc, &isnull);
			if (!isnull)
				bytes += toast_raw_datum_size(value);
		}
	}
	return bytes;
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
	CheckResponseSize(kind, nrows, RowsSize(rows, nrows, NULL, 0, 0));
}

/* Whether a class segment listing of bytes is under the limits CheckTreeResponseSize checks */
bool
TreeResponseFits(Size bytes)
{
	return ResponseFits(bytes, ENVELOPE_FIXED_BYTES);
}

/*
 * Refuse the class segment listing of nsegments segments whose response
 * would take bytes (their trees and their labels)
 */
void
CheckTreeResponseSize(ResponseKind kind, int nsegments, Size bytes)
{
	CheckEnvelopeSize(kind, nsegments, bytes, ENVELOPE_FIXED_BYTES);
}

/*
 * Refuse classSegments.expand of a page of ndocs customers whose chains
 * would add bytes to its response past MAX_EXPANDED_MB (54000), before
 * they are built; the expanded documents are then held to
 * customers.max_response_size as any page's
 */
void
CheckExpandedSize(int ndocs, Size bytes)
{
	if (bytes <= (Size) MAX_EXPANDED_MB * 1024 * 1024)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("expanded class segments of %d customers exceed %d MB", ndocs,
					MAX_EXPANDED_MB),
			 errdetail("They would take about %zu MB of the response.", bytes / (1024 * 1024)),
			 errhint("Lower \"limit\", or query without \"classSegments.expand\".")));
}

/*
 * Refuse to replay the stored result of idempotency key "key", of bytes,
 * when it takes more than customers.max_response_size now (it was built
 * under the setting of its first call)
 */
void
CheckReplaySize(const char *key, Size bytes)
{
	const Size	max = (Size) customers_max_response_size * 1024;

	/* the envelope of a batch of 1000 came on top of its documents */
	if (bytes <= max + ENVELOPE_FIXED_BYTES + 1000 * ENVELOPE_BYTES_PER_ITEM)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("stored result of idempotency key \"%s\" exceeds the maximum of %s", key,
					LimitText()),
			 errdetail("It takes %s; the maximum is set by customers.max_response_size, which was higher when the key was first used.",
					   SizeText(bytes)),
			 errhint("Ask a superuser to raise customers.max_response_size to at least %s for the retry.",
					 SizeText(bytes))));
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

/*
 * The most one item error adds to a batch's envelope: in its item and again
 * at the top level, its param prefixed "data[i]."
 */
static Size
ErrorSize(ItemError *error)
{
	return 2 * (ERROR_OVERHEAD_BYTES + strlen(error->message) + strlen(error->param)) +
		strlen("data[1000].");
}

/*
 * Refuse a batch's envelope too large to build: its documents (docs bytes)
 * and item errors (error_bytes) count together against
 * customers.max_response_size, as they take the response's room alike; an
 * item's errors grow with its input (one per unrecognized field).
 */
static void
CheckBatchSize(int nitems, int ndocs, Size docs, Size error_bytes)
{
	const Size	max = (Size) customers_max_response_size * 1024;
	Size		envelope = ENVELOPE_FIXED_BYTES + (Size) nitems * ENVELOPE_BYTES_PER_ITEM;

	if (error_bytes == 0 || docs + error_bytes <= max)
	{
		CheckEnvelopeSize(RESPONSE_BATCH, ndocs, docs, envelope + error_bytes);
		return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg_plural("response of %d item exceeds the maximum of %s",
						   "response of %d items exceeds the maximum of %s",
						   nitems, nitems, LimitText()),
			 errdetail("Their documents take %s and their errors %s; the maximum is set by customers.max_response_size.",
					   SizeText(docs), SizeText(error_bytes)),
			 errhint("Send fewer items at a time, or fix what the errors name first: about %d of these items fit in a response.",
					 (int) Max((double) nitems * max / (docs + error_bytes), 1))));
}

/* Push one error object; prefix (may be NULL) goes before the param */
static void
PushError(JsonbParseState **state, ItemError *error, const char *prefix)
{
	/* an item may have an error per field it was given: thousands */
	CHECK_FOR_INTERRUPTS();
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

	Size		error_bytes = 0;

	for (int i = 0; i < nitems; i++)
	{
		failed |= (items[i].errors != NIL);
		if (items[i].errors == NIL)
		{
			ndocs++;
			bytes += VARSIZE(items[i].data);
		}
		foreach(lc, items[i].errors)
			error_bytes += ErrorSize(lfirst(lc));
	}
	CheckBatchSize(nitems, ndocs, bytes, error_bytes);

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(&state, "result", failed ? "FAILURE" : "SUCCESS");

	PushKey(&state, "data");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < nitems; i++)
	{
		ItemResult *item = &items[i];

		CHECK_FOR_INTERRUPTS();
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
		AssembleBinary(&elems[i], docs[i]);
	AssembleArray(data, elems, ndocs);
}

/* The envelope of a whole list: {"result","data"} (of payment methods) */
Jsonb *
BuildList(Jsonb **docs, int ndocs)
{
	static const char *const keys[] = {"data", "result"};	/* in jsonb order */
	JsonbValue	values[lengthof(keys)];

	DataValue(&values[0], docs, ndocs, RESPONSE_PAYMENT_METHODS);
	AssembleString(&values[1], "SUCCESS");
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
	AssembleString(&values[n++], "SUCCESS");
	return AssembleObject(count != NULL ? counted_keys : keys, values, n);
}
