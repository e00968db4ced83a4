/*
 * idempotency.h
 *		Idempotency keys: a writing call's first result, replayed to retries.
 */
#ifndef IDEMPOTENCY_H
#define IDEMPOTENCY_H

#include "fmgr.h"

/* the longest key accepted, in characters */
#define MAX_IDEMPOTENCY_KEY_CHARS 255

/* the default time a key is kept: 24 hours, in seconds */
#define DEFAULT_IDEMPOTENCY_TTL (24 * 60 * 60)

extern char *customers_idempotency_key;
extern int	customers_idempotency_ttl;

extern Datum IdempotentCall(FunctionCallInfo fcinfo, const char *function, PGFunction body,
							 bool by_customer);

#endif
