/*
 * query_count.h
 *		The count a query answers when asked.
 */
#ifndef QUERY_COUNT_H
#define QUERY_COUNT_H

#include "query_filter.h"

extern int	ParseCountRequest(JsonbValue *v);
extern Jsonb *CountMatches(const QueryFilter *filter, const char *tenant_id, int cap);

#endif
