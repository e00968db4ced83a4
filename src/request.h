/*
 * request.h
 *		Checks of what a call is given: SQL arguments, request objects, batch
 *		"data" arrays and page limits. Each failure is a 22023 error whose
 *		hint says what to pass.
 */
#ifndef REQUEST_H
#define REQUEST_H

#include "fmgr.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "pg_compat.h"

#define CUSTOMER_ID_HINT "Pass the id of a customer, such as 'cus_01JD5XQ5X8V4ZK7C0H3M2Y6P9N'."

/* the most items one batch call takes */
#define MAX_BATCH 1000

#define DEFAULT_PAGE_LIMIT 50
#define MAX_PAGE_LIMIT 1000

extern char *TextArgument(FunctionCallInfo fcinfo, int argno, const char *name, const char *hint);
extern Jsonb *ObjectArgument(FunctionCallInfo fcinfo, int argno, const char *name,
							 const char *hint);
extern JsonbContainer *BatchRequestData(Jsonb *request, const char *hint);
extern JsonbContainer *BatchRequestDataWith(Jsonb *request, const char *hint,
											const char *const *options, int noptions);

/*
 * One batch item's work, run in a memory context of its own (true when it
 * did some), and the keeping of what it produced, run in the call's context
 * before that one is reset (ForEachBatchItem).
 */
typedef bool (*BatchItemWork) (int index, void *state);
typedef void (*BatchItemKeep) (int index, void *state);

extern void ForEachBatchItem(int n, BatchItemWork work, BatchItemKeep keep, void *state);
extern char *KeepString(const char *s);

/*
 * Raise the 22023 error of an invalid request: a complete message (naming
 * the request path, such as "filter.name.equal", as its first quoted word)
 * and the hint that says what to pass.
 */
#define RequestError(hint, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE), \
			 errmsg(__VA_ARGS__), \
			 errhint("%s", (hint))))

extern void CheckRequestKeys(JsonbContainer *object, const char *const *allowed, int nallowed,
							 const char *where, const char *hint);
extern char *RequestString(JsonbContainer *object, const char *key, const char *path,
						   const char *hint);
extern bool IntegerValue(JsonbValue *v, int64 min, int64 max, int64 *result);
extern int	ParsePageLimit(JsonbValue *v);

/*
 * How one member of a request object is read: the parser gets the value,
 * its param ("address.city") and the part of the target at offset.
 */
typedef void (*FieldParser) (JsonbValue *value, const char *param, void *field, List **errors);

typedef struct FieldRule
{
	const char *name;
	FieldParser parse;			/* NULL: accepted and ignored */
	size_t		offset;			/* of what the parser fills in the target */
} FieldRule;

extern void DispatchFields(JsonbContainer *object, const char *parent, const FieldRule *rules,
						   int nrules, void *target, List **errors);
extern char *TextField(JsonbValue *v, const char *param, bool trim, int min_chars,
					   int max_chars, List **errors, bool *ok);
extern bool IsObjectField(JsonbValue *v, const char *param, List **errors);

#endif
