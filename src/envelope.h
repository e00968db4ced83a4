/*
 * envelope.h
 *		The response envelopes: a batch save's, a whole list's and a page's.
 */
#ifndef ENVELOPE_H
#define ENVELOPE_H

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* What one item of a batch came to: a document or errors */
typedef struct ItemResult
{
	List	   *errors;			/* of ItemError */
	Jsonb	   *data;
} ItemResult;

extern Jsonb *BuildSaveEnvelope(ItemResult *items, int nitems);
extern Jsonb *BuildList(Jsonb **docs, int ndocs);
extern Jsonb *BuildPage(Jsonb **docs, int ndocs, const char *after, const char *before);
extern Jsonb *BuildCountedPage(Jsonb **docs, int ndocs, const char *after, const char *before,
							   Jsonb *count);

#endif
