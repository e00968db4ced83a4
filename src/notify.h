/*
 * notify.h
 *		NOTIFY customers_changes per written change, delivered at commit.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include "call_context.h"
#include "planned_change.h"

extern void NotifyChanges(const CallScope *call, PlannedChange *changes, int nchanges);

#endif
