/*
 * cursor.h
 *		Signed keyset cursors for query pagination.
 */
#ifndef CURSOR_H
#define CURSOR_H

#include "datatype/timestamp.h"

/* What a cursor is bound to: it works only for the same tenant, sort and filter */
typedef struct CursorBinding
{
	const char *tenant_id;
	int			sort_key;
	bool		descending;
	const char *filter_text;	/* the filter as canonical jsonb text */
	bool		key_is_time;	/* the sort key is a timestamp */
	bool		key_is_id;		/* the sort key is the id itself */
} CursorBinding;

/* A position in the sort order: the sort key and id of one row */
typedef struct CursorPosition
{
	bool		before;			/* a cursor.before token: the page ends before it */
	bool		key_null;		/* the row's sort key is NULL */
	bool		key_is_time;
	char	   *key_text;
	TimestampTz key_time;
	char	   *id;
} CursorPosition;

extern char *EncodeCursor(const CursorBinding *binding, const CursorPosition *position);
extern void DecodeCursor(const CursorBinding *binding, const char *token, int len,
						 CursorPosition *position);

#endif
