/*
 * notify.h
 *		NOTIFY customers_changes (an empty wake-up) at commit of written changes.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include "planned_change.h"

extern void NotifyWakeUp(void);
extern void NotifyChanges(PlannedChange *changes, int nchanges);

#endif
