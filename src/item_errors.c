/*
 * item_errors.c
 *		Errors of one item: recorded with the status a batch envelope shows
 *		and the SQLSTATE a single-item call raises.
 *
 * A batch reports each item's errors in the item and repeats them at the top
 * level (envelope.c). Single-item calls raise the first error instead, with
 * the rest in the detail.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"

#include "item_errors.h"

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
	/* not the 1 kB buffer: an item may have an error per field it was given */
	error->message = pstrdup(buf.data);
	pfree(buf.data);
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

/* A copy of errors in the current memory context */
List *
CopyItemErrors(List *errors)
{
	List	   *copy = NIL;
	ListCell   *lc;

	foreach(lc, errors)
	{
		ItemError  *error = lfirst(lc);
		ItemError  *kept = palloc(sizeof(ItemError));

		*kept = *error;
		kept->param = pstrdup(error->param);
		kept->message = pstrdup(error->message);
		copy = lappend(copy, kept);
	}
	return copy;
}

/*
 * A caller's id, key or value as an error message may repeat it: its first
 * ECHO_MAX_CHARS characters and "..." when it is longer, so a 100,000
 * character id does not go whole into the client's error and the server log.
 */
const char *
Echo(const char *value)
{
	int			len = strlen(value);

	/* a character takes at least one byte */
	if (len <= ECHO_MAX_CHARS || pg_mbstrlen_with_len(value, len) <= ECHO_MAX_CHARS)
		return value;
	return psprintf("%.*s...", pg_mbcharcliplen(value, len, ECHO_MAX_CHARS), value);
}
