/*
 * history.h
 *		One history row per written customer change.
 */
#ifndef HISTORY_H
#define HISTORY_H

#include "call_context.h"
#include "planned_change.h"

extern void WriteHistory(const CallScope *call, PlannedChange *changes, int nchanges);

#endif
