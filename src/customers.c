/*
 * customers.c
 *		Module entry point: the settings that every call reads.
 *
 * customers.tenant_id names the tenant of the current transaction,
 * customers.require_tenant refuses calls without one, and customers.actor
 * names who is making the change (createdBy / updatedBy).
 *
 * require_tenant guards the application against itself, so the application
 * must not be able to turn it off: only a superuser sets it (ALTER ROLE ...
 * SET, ALTER DATABASE ... SET, postgresql.conf), or a role granted SET ON
 * PARAMETER. The application names its tenant and actor itself.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "call_context.h"

PG_MODULE_MAGIC;

char	   *customers_tenant_id = NULL;
bool		customers_require_tenant = false;
char	   *customers_actor = NULL;

void		_PG_init(void);

/* Define the settings; placeholders set before the library loaded are kept */
void
_PG_init(void)
{
	DefineCustomStringVariable("customers.tenant_id",
							   "Tenant whose customers the current session or transaction sees.",
							   "Set it per transaction with SET LOCAL; empty means the tenant \"default\".",
							   &customers_tenant_id,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomBoolVariable("customers.require_tenant",
							 "Refuse calls when customers.tenant_id is not set.",
							 "Set by an administrator for the application's role: ALTER ROLE app SET customers.require_tenant = on.",
							 &customers_require_tenant,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("customers.actor",
							   "Who is making changes, recorded as createdBy and updatedBy.",
							   "Empty means the current database user.",
							   &customers_actor,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("customers");
#else
	EmitWarningsOnPlaceholders("customers");
#endif
}
