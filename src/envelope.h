/*
 * envelope.h
 *		Per-item errors and the Tight response envelope.
 */
#ifndef ENVELOPE_H
#define ENVELOPE_H

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* the most items one batch call takes */
#define MAX_BATCH 1000

#define ITEM_STATUS_OK 200
#define ITEM_STATUS_VALIDATION 400
#define ITEM_STATUS_CONFLICT 409

typedef struct ItemError
{
	int			status;			/* HTTP-style status for the envelope */
	int			sqlstate;		/* what a single-item call raises */
	char	   *param;			/* JSON path of the offending field, "" for the item */
	char	   *message;
} ItemError;

/* What one item of a batch came to: a document or errors */
typedef struct ItemResult
{
	List	   *errors;			/* of ItemError */
	Jsonb	   *data;
} ItemResult;

extern void AddItemError(List **errors, int status, int sqlstate, const char *param,
						 const char *fmt,...) pg_attribute_printf(5, 6);
extern void AddValidationError(List **errors, const char *param,
							   const char *fmt,...) pg_attribute_printf(3, 4);
extern JsonbContainer *BatchRequestData(Jsonb *request, const char *what, const char *item);
extern Jsonb *BuildSaveEnvelope(ItemResult *items, int nitems);
extern void RaiseItemErrors(List *errors) pg_attribute_noreturn();
extern void RaiseItemErrorsWithHint(List *errors, const char *hint) pg_attribute_noreturn();

#endif
