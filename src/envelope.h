/*
 * envelope.h
 *		The response envelopes: a batch save's, a whole list's and a page's.
 */
#ifndef ENVELOPE_H
#define ENVELOPE_H

#include "executor/spi.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* What one item of a batch came to: a document or errors */
typedef struct ItemResult
{
	List	   *errors;			/* of ItemError */
	Jsonb	   *data;
} ItemResult;

/*
 * customers.max_response_size: the most the documents of one response may
 * take, in kB (docs/api.md §3.3)
 */
#define DEFAULT_MAX_RESPONSE_KB (64 * 1024)
#define MAX_MAX_RESPONSE_KB (256 * 1024 - 1)	/* jsonb's limit of a value */
extern int	customers_max_response_size;

/* What the caller lowers to stay under it */
typedef enum ResponseKind
{
	RESPONSE_PAGE,				/* a page: "limit" */
	RESPONSE_BATCH,				/* a batch's envelope: its items */
	RESPONSE_PAYMENT_METHODS,	/* every payment method of a customer */
	RESPONSE_CLASS_SEGMENTS,	/* every label's tree: one label at a time */
	RESPONSE_CLASS_SEGMENTS_OF_LABEL	/* one label's tree */
} ResponseKind;

extern void CheckResponseSize(ResponseKind kind, int ndocs, Size bytes);
extern Size RowsSize(SPITupleTable *rows, int nrows, const int *columns, int ncolumns,
					 Size per_row);
extern void CheckRowsResponseSize(ResponseKind kind, SPITupleTable *rows, int nrows);
extern bool TreeResponseFits(Size bytes);
extern void CheckTreeResponseSize(ResponseKind kind, int nsegments, Size bytes);
extern void CheckExpandedSize(int ndocs, Size bytes);
extern void CheckReplaySize(const char *key, Size bytes);
extern Jsonb *BuildSaveEnvelope(ItemResult *items, int nitems);
extern Jsonb *BuildList(Jsonb **docs, int ndocs);
extern Jsonb *BuildPage(Jsonb **docs, int ndocs, const char *after, const char *before);
extern Jsonb *BuildCountedPage(Jsonb **docs, int ndocs, const char *after, const char *before,
							   Jsonb *count);

#endif
