/*
 * change.h
 *		From validated input to written rows: creates, updates and no-ops,
 *		shared by save, patch, archive and restore.
 */
#ifndef CHANGE_H
#define CHANGE_H

#include "utils/jsonb.h"

#include "call_context.h"
#include "planned_change.h"

extern void PlanChange(const CallScope *call, JsonbContainer *input, PlannedChange *change);
extern void CheckExternalIds(const CallScope *call, PlannedChange *changes, int nchanges);
extern void WriteChanges(const CallScope *call, PlannedChange *changes, int nchanges);

#endif
