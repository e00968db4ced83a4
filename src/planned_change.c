/*
 * planned_change.c
 *		What a planned change is called in history rows and notifications.
 */
#include "postgres.h"

#include "planned_change.h"

/*
 * What a written change was, for its history row and notification: the
 * call's action, or for save CREATE or UPDATE.
 */
const char *
ChangeActionName(const PlannedChange *change)
{
	if (change->action != NULL)
		return change->action;
	return change->kind == CHANGE_CREATE ? "CREATE" : "UPDATE";
}
