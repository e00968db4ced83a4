/*
 * customer_erase.h
 *		Erased customers: their tombstones, and the writes they refuse.
 */
#ifndef CUSTOMER_ERASE_H
#define CUSTOMER_ERASE_H

#include "call_context.h"
#include "planned_change.h"

extern void CheckErased(const CallScope *call, PlannedChange *changes, int nchanges);
extern void RaiseIfErased(const char *tenant, const char *id, const char *external_id);

#endif
