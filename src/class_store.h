/*
 * class_store.h
 *		Statements over class labels and segments shared by several calls.
 */
#ifndef CLASS_STORE_H
#define CLASS_STORE_H

#include "nodes/pg_list.h"

#include "call_context.h"

/* A label as read */
typedef struct Label
{
	char	   *id;
	char	   *name;
	char	   *requiredness;
} Label;

extern List *SegmentLabels(const CallScope *call, char **ids, int nids, bool lock);
extern char *LabelOf(List *pairs, const char *segment_id);
extern List *LockLabels(const CallScope *call, char **ids, int nids);
extern List *ResultLabels(void);
extern Label *FindLabel(List *labels, const char *id);
extern void BumpLabels(const CallScope *call, char **label_ids, int nlabels);

#endif
