/*
 * call_context.c
 *		Tenant and actor resolution, and running as the extension owner.
 *
 * The functions put "tenant_id = $1" into every statement they run and run
 * those statements as the role that owns the extension's tables, past row
 * level security (forced on every table, so without SECURITY_NOFORCE_RLS an
 * owner that is not a superuser would be confined by the policies and could
 * not read the cursor key). Row level security then guards only direct
 * access to the tables, and the planner keeps its indexes for the
 * extension's own statements (RLS would otherwise delay a caller's
 * non-leakproof operators past the policy).
 *
 * BecomeExtensionOwner is the one place that switches: every SQL-callable
 * function (through BeginCall) and every trigger function uses it.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "call_context.h"
#include "citus.h"

#define DEFAULT_TENANT "default"

/* The tenant of the current call: the setting, or "default" when allowed */
const char *
CurrentTenant(void)
{
	const char *tenant = customers_tenant_id;

	/* after SET LOCAL ends the setting reads as '', which means unset */
	if (tenant == NULL || tenant[0] == '\0')
	{
		/*
		 * On a Citus worker, row level security runs here for a statement of
		 * the coordinator, which sends on SET LOCAL only: an unset tenant
		 * means the coordinator's was not passed on, not that it is unset.
		 */
		if (CitusWorkerConnection())
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("customers.tenant_id did not reach this Citus worker"),
					 errdetail("Citus passes a setting on to its workers only when it is set with SET LOCAL."),
					 errhint("On the coordinator, set citus.propagate_set_commands = 'local' and run SET LOCAL customers.tenant_id = '<tenant>' in the transaction.")));
		if (customers_require_tenant || customers_require_tenant_forced)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("customers.tenant_id is not set"),
					 customers_require_tenant ?
					 errdetail("customers.require_tenant is on, so every call must name its tenant.") :
					 errdetail("A role that may not set customers.require_tenant set it in this session, so it is on for the session."),
					 errhint("Run SET LOCAL customers.tenant_id = '<tenant>' in the transaction first.")));
		return DEFAULT_TENANT;
	}

	if (strlen(tenant) > MAX_TENANT_ID_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customers.tenant_id is too long"),
				 errdetail("A tenant id has at most %d bytes.", MAX_TENANT_ID_LEN),
				 errhint("Use a shorter tenant id.")));
	/* ' t1 ' would be a tenant other than 't1' that no one can tell apart */
	if (isspace((unsigned char) tenant[0]) || isspace((unsigned char) tenant[strlen(tenant) - 1]))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customers.tenant_id must not begin or end with white space"),
				 errdetail("Tenant ids are compared exactly, so white space around one would name another tenant."),
				 errhint("Trim the tenant id before setting it.")));
	return tenant;
}

/* The table customers.customer */
Oid
CustomerRelation(void)
{
	Oid			relid = get_relname_relid("customer", get_namespace_oid("customers", false));

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"customers.customer\" does not exist"),
				 errhint("Reinstall the extension: DROP EXTENSION customers; CREATE EXTENSION customers.")));
	return relid;
}

/*
 * The rows of customers.customer (every tenant's) as ANALYZE last counted
 * them, or -1 when it has not
 */
double
CustomerRowsCounted(void)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(CustomerRelation()));
	double		rows = -1;

	if (HeapTupleIsValid(tuple))
	{
		rows = ((Form_pg_class) GETSTRUCT(tuple))->reltuples;
		ReleaseSysCache(tuple);
	}
	return rows;
}

/*
 * The role that owns the extension's tables (customers.customer stands for
 * all of them; CREATE EXTENSION makes its creator, pg_extension.extowner,
 * the owner of each). Not the schema's owner: a schema that existed before
 * CREATE EXTENSION may belong to another role.
 */
Oid
ExtensionOwner(void)
{
	Oid			relid = CustomerRelation();
	HeapTuple	tuple;
	Oid			owner;

	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Run as the extension owner, past row level security, until
 * StopBeingExtensionOwner. An error restores the caller's identity through
 * transaction or subtransaction abort.
 */
void
BecomeExtensionOwner(OwnerScope *scope)
{
	GetUserIdAndSecContext(&scope->saved_userid, &scope->saved_sec_context);
	SetUserIdAndSecContext(ExtensionOwner(), scope->saved_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
}

/* Back to the caller's identity */
void
StopBeingExtensionOwner(OwnerScope *scope)
{
	SetUserIdAndSecContext(scope->saved_userid, scope->saved_sec_context);
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
	{
		/* it is stored in every document written, as createdBy or updatedBy */
		if (strlen(customers_actor) > MAX_ACTOR_LEN)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("customers.actor is too long"),
					 errdetail("An actor has at most %d bytes.", MAX_ACTOR_LEN),
					 errhint("Name who acts briefly, such as an API key id or a user id.")));
		call->actor = customers_actor;
	}
	else
		call->actor = GetUserNameFromId(GetUserId(), false);
	call->now = GetCurrentStatementStartTimestamp();

	BecomeExtensionOwner(&call->owner);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MemoryContextSwitchTo(caller_context);
}

/* Disconnect and switch back to the caller; an error does both through abort */
void
EndCall(CallScope *call)
{
	SPI_finish();
	StopBeingExtensionOwner(&call->owner);
}

PG_FUNCTION_INFO_V1(customers_current_tenant);

/* SQL: customers.current_tenant(), used by the row level security policies */
Datum
customers_current_tenant(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(CurrentTenant()));
}
