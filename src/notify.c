/*
 * notify.c
 *		NOTIFY customers_changes for every written customer change.
 *
 * The payload is {"tenantId","id","action","version"}, in that order, with
 * the action of the history row. Async_Notify queues it in the transaction,
 * so listeners get it at commit and never after a rollback (PostgreSQL
 * drops queued notifications with the transaction), and a batch costs no
 * statement at all. Only customer changes notify: payment methods and
 * customer users have no version.
 */
#include "postgres.h"

#include "commands/async.h"
#include "lib/stringinfo.h"
#include "utils/json.h"

#include "notify.h"

#define CHANGES_CHANNEL "customers_changes"

/* Queue one notification per created or updated customer */
void
NotifyChanges(const CallScope *call, PlannedChange *changes, int nchanges)
{
	StringInfoData payload;

	initStringInfo(&payload);
	for (int i = 0; i < nchanges; i++)
	{
		PlannedChange *change = &changes[i];

		if (change->kind != CHANGE_CREATE && change->kind != CHANGE_UPDATE)
			continue;
		resetStringInfo(&payload);
		appendStringInfoString(&payload, "{\"tenantId\": ");
		escape_json(&payload, call->tenant_id);
		appendStringInfoString(&payload, ", \"id\": ");
		escape_json(&payload, change->row.id);
		appendStringInfoString(&payload, ", \"action\": ");
		escape_json(&payload, ChangeActionName(change));
		appendStringInfo(&payload, ", \"version\": " INT64_FORMAT "}", change->row.version);
		Async_Notify(CHANGES_CHANNEL, payload.data);
	}
}
