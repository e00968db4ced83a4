/*
 * notify.c
 *		NOTIFY customers_changes when a call wrote customer changes.
 *
 * Any role that can connect can LISTEN on any channel, so the notification
 * is a bare wake-up: its payload is empty and names no tenant, customer or
 * action. A listener re-reads what it may see through tenant-scoped calls.
 * Async_Notify queues it in the transaction, so listeners get it at commit
 * and never after a rollback (PostgreSQL drops queued notifications with
 * the transaction), and identical notifications of one transaction fold
 * into one: a listener wakes once per committed transaction that changed
 * customers. Only customer changes notify: payment methods and customer
 * users have no version.
 */
#include "postgres.h"

#include "commands/async.h"

#include "notify.h"

#define CHANGES_CHANNEL "customers_changes"

/* Queue the wake-up: the call removed a customer (delete, erase) */
void
NotifyWakeUp(void)
{
	Async_Notify(CHANGES_CHANNEL, "");
}

/* Queue the wake-up when the call created or updated a customer */
void
NotifyChanges(PlannedChange *changes, int nchanges)
{
	for (int i = 0; i < nchanges; i++)
	{
		if (changes[i].kind == CHANGE_CREATE || changes[i].kind == CHANGE_UPDATE)
		{
			NotifyWakeUp();
			return;
		}
	}
}
