/*
 * timestamps.h
 *		RFC 3339 timestamps in and out.
 */
#ifndef TIMESTAMPS_H
#define TIMESTAMPS_H

#include "datatype/timestamp.h"

extern char *FormatTimestamp(TimestampTz ts);
extern bool ParseRfc3339(const char *text, int len, TimestampTz *result);

#endif
