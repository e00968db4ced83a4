/*
 * item_errors.h
 *		Errors of one item of a call: collected per item, then reported in a
 *		batch envelope or raised by a single-item call.
 */
#ifndef ITEM_ERRORS_H
#define ITEM_ERRORS_H

#include "nodes/pg_list.h"

#include "pg_compat.h"

#define ITEM_STATUS_OK 200
#define ITEM_STATUS_VALIDATION 400
#define ITEM_STATUS_CONFLICT 409

/* the most characters of a caller's id, key or value that a message repeats */
#define ECHO_MAX_CHARS 64

typedef struct ItemError
{
	int			status;			/* HTTP-style status for the envelope */
	int			sqlstate;		/* what a single-item call raises */
	char	   *param;			/* JSON path of the offending field, "" for the item */
	char	   *message;
} ItemError;

extern void AddItemError(List **errors, int status, int sqlstate, const char *param,
						 const char *fmt,...) pg_attribute_printf(5, 6);
extern void AddValidationError(List **errors, const char *param,
							   const char *fmt,...) pg_attribute_printf(3, 4);
extern List *CopyItemErrors(List *errors);
extern const char *Echo(const char *value);
pg_noreturn extern void RaiseItemErrors(List *errors);
pg_noreturn extern void RaiseItemErrorsWithHint(List *errors, const char *hint);

#endif
