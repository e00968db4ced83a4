/*
 * planned_change.h
 *		One customer's change as planned before anything is written: what
 *		change.c produces and history.c and customer_segments.c read.
 */
#ifndef PLANNED_CHANGE_H
#define PLANNED_CHANGE_H

#include "nodes/pg_list.h"

#include "customer_store.h"

typedef enum ChangeKind
{
	CHANGE_FAILED,				/* errors recorded; nothing to write */
	CHANGE_CREATE,
	CHANGE_UPDATE,
	CHANGE_NONE					/* the input equals what is stored */
} ChangeKind;

/* One customer's change, planned before anything is written */
typedef struct PlannedChange
{
	ChangeKind	kind;
	const char *action;			/* PATCH, ARCHIVE, RESTORE; NULL for a save */
	List	   *errors;			/* of ItemError */
	StoredCustomer *stored;		/* NULL for a create */
	CustomerRow row;			/* what to write; row.doc is the result */
} PlannedChange;

extern const char *ChangeActionName(const PlannedChange *change);
extern void KeepPlannedChange(PlannedChange *change);

#endif
