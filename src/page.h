/*
 * page.h
 *		What every paginated call shares: the request's limit and keys, the
 *		page envelope, and keyset listings over one unique key.
 */
#ifndef PAGE_H
#define PAGE_H

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/jsonb.h"

#include "call_context.h"

#define DEFAULT_PAGE_LIMIT 50
#define MAX_PAGE_LIMIT 1000

/*
 * A list of one parent's rows (a customer's users, its history) walked in
 * the order of one unique key. The statements take $1 tenant, $2 parent id,
 * $3 limit and, but for first_sql, $4 the key of the row to start from; the
 * key is their first column. Plans are kept on first use.
 */
typedef struct KeysetList
{
	const char *what;			/* the function, for messages and cursors */
	int			cursor_code;	/* tells this list's cursors from others */
	Oid			key_type;		/* TEXTOID or INT8OID */
	const char *first_sql;		/* the first rows, in list order */
	const char *after_sql;		/* the rows after $4, in list order */
	const char *before_sql;		/* the rows before $4, nearest first */
	SPIPlanPtr	plans[3];
	Jsonb	   *(*row_document) (HeapTuple tuple, TupleDesc desc);
} KeysetList;

extern void InvalidRequest(const char *what, const char *message, const char *hint)
			pg_attribute_noreturn();
extern void CheckRequestKeys(JsonbContainer *object, const char *const *allowed, int nallowed,
							 const char *where, const char *what, const char *hint);
extern char *RequestString(JsonbContainer *object, const char *key, const char *path,
						   const char *what, const char *hint);
extern int	ParsePageLimit(JsonbValue *v, const char *what);
extern Jsonb *BuildList(Jsonb **docs, int ndocs);
extern Jsonb *BuildPage(Jsonb **docs, int ndocs, const char *after, const char *before);
extern Jsonb *CustomerListPage(FunctionCallInfo fcinfo, KeysetList *list);

#endif
