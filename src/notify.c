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
 * into one: a listener wakes once per committed transaction that wrote
 * events, and reads them through customers.events.
 */
#include "postgres.h"

#include "commands/async.h"

#include "notify.h"

#define CHANGES_CHANNEL "customers_changes"

/* Queue the wake-up for a call that wrote events */
void
NotifyEventsWritten(void)
{
	Async_Notify(CHANGES_CHANNEL, "");
}
