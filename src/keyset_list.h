/*
 * keyset_list.h
 *		Keyset listings of one parent's rows, page by page, with signed
 *		cursors.
 */
#ifndef KEYSET_LIST_H
#define KEYSET_LIST_H

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/jsonb.h"

/*
 * A list of one parent's rows (a customer's users, its history) walked in
 * the order of one unique key. The statements take $1 tenant, $2 parent id,
 * $3 limit and, but for first_sql, $4 the key of the row to start from; the
 * key is their first column. Plans are kept on first use.
 */
typedef struct KeysetList
{
	const char *what;			/* the function, for messages and cursors */
	const char *id_argument;	/* the SQL name of its customer id argument */
	int			cursor_code;	/* tells this list's cursors from others */
	Oid			key_type;		/* TEXTOID or INT8OID */
	const char *first_sql;		/* the first rows, in list order */
	const char *after_sql;		/* the rows after $4, in list order */
	const char *before_sql;		/* the rows before $4, nearest first */
	SPIPlanPtr	plans[3];
	Jsonb	   *(*row_document) (HeapTuple tuple, TupleDesc desc);
} KeysetList;

extern Jsonb *CustomerListPage(FunctionCallInfo fcinfo, KeysetList *list);

#endif
