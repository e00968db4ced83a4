/*
 * customer_segments.h
 *		The class segments customers hold: checks, writes and expansion.
 */
#ifndef CUSTOMER_SEGMENTS_H
#define CUSTOMER_SEGMENTS_H

#include "utils/jsonb.h"

#include "call_context.h"
#include "planned_change.h"

/* the most segments one customer holds (one per label) */
#define MAX_CUSTOMER_SEGMENTS 100

extern void CheckCustomerSegments(const CallScope *call, PlannedChange *changes, int nchanges);
extern void WriteCustomerSegments(const CallScope *call, PlannedChange *changes, int nchanges);
extern void ExpandSegments(const CallScope *call, Jsonb **docs, int ndocs);

#endif
