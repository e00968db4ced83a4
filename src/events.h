/*
 * events.h
 *		Event retention: the setting, the cursor check and the purge
 *		(event_retention.c).
 */
#ifndef EVENTS_H
#define EVENTS_H

#include "datatype/timestamp.h"

extern int	customers_event_retention;

extern void CheckEventRetention(TimestampTz cursor_time);

#endif
