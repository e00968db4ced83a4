/*
 * change.h
 *		From validated input to written rows: creates, updates and no-ops,
 *		shared by save, patch, archive and restore.
 */
#ifndef CHANGE_H
#define CHANGE_H

#include "call_context.h"
#include "store.h"

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
	List	   *errors;			/* of ItemError */
	StoredCustomer *stored;		/* NULL for a create */
	CustomerRow row;			/* what to write; row.doc is the result */
} PlannedChange;

extern void PlanChange(const CallScope *call, JsonbContainer *input, PlannedChange *change);
extern void CheckExternalIds(const CallScope *call, PlannedChange *changes, int nchanges);
extern void WriteChanges(const CallScope *call, PlannedChange *changes, int nchanges);

#endif
