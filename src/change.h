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
	const char *action;			/* PATCH, ARCHIVE, RESTORE; NULL for a save */
	List	   *errors;			/* of ItemError */
	StoredCustomer *stored;		/* NULL for a create */
	CustomerRow row;			/* what to write; row.doc is the result */
} PlannedChange;

extern void PlanChange(const CallScope *call, JsonbContainer *input, PlannedChange *change);
extern void CheckExternalIds(const CallScope *call, PlannedChange *changes, int nchanges);
extern void WriteChanges(const CallScope *call, PlannedChange *changes, int nchanges);
extern const char *ChangeActionName(const PlannedChange *change);

/* history.c: one history row per written change */
extern void WriteHistory(const CallScope *call, PlannedChange *changes, int nchanges);

/* notify.c: NOTIFY customers_changes per written change, delivered at commit */
extern void NotifyChanges(const CallScope *call, PlannedChange *changes, int nchanges);

#endif
