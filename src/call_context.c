/*
 * call_context.c
 *		Tenant and actor resolution, and running as the extension owner.
 *
 * The functions put "tenant_id = $1" into every statement they run and run
 * those statements as the owner of schema customers. Row level security then
 * guards only direct access to the tables, and the planner keeps its indexes
 * for the extension's own statements (RLS would otherwise delay a caller's
 * non-leakproof operators past the policy).
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_namespace.h"

#include "call_context.h"

#define DEFAULT_TENANT "default"

/* The tenant of the current call: the setting, or "default" when allowed */
const char *
CurrentTenant(void)
{
	const char *tenant = customers_tenant_id;

	/* after SET LOCAL ends the setting reads as '', which means unset */
	if (tenant == NULL || tenant[0] == '\0')
	{
		if (customers_require_tenant)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("customers.tenant_id is not set"),
					 errdetail("customers.require_tenant is on, so every call must name its tenant."),
					 errhint("Run SET LOCAL customers.tenant_id = '<tenant>' in the transaction first.")));
		return DEFAULT_TENANT;
	}

	if (strlen(tenant) > MAX_TENANT_ID_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customers.tenant_id is too long"),
				 errdetail("A tenant id has at most %d bytes.", MAX_TENANT_ID_LEN),
				 errhint("Use a shorter tenant id.")));
	return tenant;
}

/* Owner of schema customers, whom the extension's statements run as */
Oid
ExtensionOwner(void)
{
	Oid			nspid = get_namespace_oid("customers", false);
	HeapTuple	tuple;
	Oid			owner;

	tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nspid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for namespace %u", nspid);
	owner = ((Form_pg_namespace) GETSTRUCT(tuple))->nspowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Resolve tenant, actor and time, switch to the extension owner and connect
 * to SPI. Allocations stay in the caller's memory context, so results
 * survive EndCall.
 */
void
BeginCall(CallScope *call)
{
	MemoryContext caller_context = CurrentMemoryContext;

	call->tenant_id = CurrentTenant();
	if (customers_actor != NULL && customers_actor[0] != '\0')
		call->actor = customers_actor;
	else
		call->actor = GetUserNameFromId(GetUserId(), false);
	call->now = GetCurrentStatementStartTimestamp();

	GetUserIdAndSecContext(&call->saved_userid, &call->saved_sec_context);
	SetUserIdAndSecContext(ExtensionOwner(),
						   call->saved_sec_context | SECURITY_LOCAL_USERID_CHANGE);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MemoryContextSwitchTo(caller_context);
}

/* Disconnect and switch back to the caller; an error does both through abort */
void
EndCall(CallScope *call)
{
	SPI_finish();
	SetUserIdAndSecContext(call->saved_userid, call->saved_sec_context);
}

PG_FUNCTION_INFO_V1(customers_current_tenant);

/* SQL: customers.current_tenant(), used by the row level security policies */
Datum
customers_current_tenant(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(CurrentTenant()));
}
