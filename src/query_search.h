/*
 * query_search.h
 *		The search filter: words across the customer's main fields.
 */
#ifndef QUERY_SEARCH_H
#define QUERY_SEARCH_H

#include "query_filter.h"

extern void ParseSearch(JsonbValue *v, const char *path, QueryFilter *out);
extern char *DatabaseLower(const char *s, int len);

#endif
