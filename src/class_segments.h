/*
 * class_segments.h
 *		Class labels and segments (Tight's classes): the tree, and what
 *		customers hold of it.
 */
#ifndef CLASS_SEGMENTS_H
#define CLASS_SEGMENTS_H

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "call_context.h"
#include "change.h"

#define LABEL_ID_PREFIX "cll_"
#define SEGMENT_ID_PREFIX "cls_"
#define MAX_SEGMENT_DEPTH 32
/* the most segments one customer holds (one per label) */
#define MAX_CUSTOMER_SEGMENTS 100

extern char *ClassIdField(JsonbValue *v, const char *prefix, const char *param, List **errors);
extern char *ClassNameField(JsonbValue *v, List **errors);
extern char *ClassReference(JsonbValue *v, const char *prefix, const char *param, List **errors);
extern List *SegmentLabels(const CallScope *call, char **ids, int nids, bool lock);
extern char *LabelOf(List *pairs, const char *segment_id);

extern void CheckCustomerSegments(const CallScope *call, PlannedChange *changes, int nchanges);
extern void WriteCustomerSegments(const CallScope *call, PlannedChange *changes, int nchanges);
extern void ExpandSegments(const CallScope *call, Jsonb **docs, int ndocs);

#endif
