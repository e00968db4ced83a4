/*
 * query_custom_data.h
 *		customData path filters.
 */
#ifndef QUERY_CUSTOM_DATA_H
#define QUERY_CUSTOM_DATA_H

#include "query_filter.h"

extern bool IsCustomDataPathFilter(JsonbValue *ops);
extern void ParseCustomDataPath(JsonbValue *ops, const char *path, QueryFilter *out);

#endif
