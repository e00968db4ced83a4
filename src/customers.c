/*
 * customers.c
 *		Module entry point: the settings that every call reads, the
 *		planner's estimates of the extension's tables (plan_estimates.c), and
 *		glibc's thresholds for freed memory (malloc_thresholds.c).
 *
 * customers.tenant_id names the tenant of the current transaction,
 * customers.require_tenant refuses calls without one, and customers.actor
 * names who is making the change (createdBy / updatedBy).
 * customers.idempotency_key names one writing call for its retries, and
 * customers.idempotency_key_ttl, the administrator's, how long keys last.
 *
 * require_tenant guards the application against itself, so the application
 * must not be able to turn it off: only a superuser sets it (ALTER ROLE ...
 * SET, ALTER DATABASE ... SET, postgresql.conf), or a role granted SET ON
 * PARAMETER. The application names its tenant and actor itself.
 *
 * One gap is PostgreSQL's: until the library is loaded, customers.* are
 * placeholders that any role may set (SET, or -c in its connection
 * options). When the library then defines require_tenant, PostgreSQL drops
 * such a value with a warning and falls back to the default, and a
 * connection option has already displaced the administrator's ALTER ROLE
 * value. So a session in which an unprivileged role gave require_tenant a
 * value before the load keeps the guard on for good (fail closed).
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"

#include "call_context.h"
#include "envelope.h"
#include "idempotency.h"
#include "events.h"
#include "malloc_thresholds.h"
#include "pg_compat.h"
#include "plan_estimates.h"

PG_MODULE_MAGIC;

char	   *customers_tenant_id = NULL;
bool		customers_require_tenant = false;
char	   *customers_actor = NULL;
bool		customers_require_tenant_forced = false;

void		_PG_init(void);

/* Whether a value was set in a context that may not set a PGC_SUSET setting */
static inline bool
Unprivileged(GucSource source, GucContext context)
{
	return source != PGC_S_DEFAULT && (context == PGC_USERSET || context == PGC_BACKEND);
}

/*
 * Whether the placeholder of name holds a value, current, reset or stacked,
 * that a role without the privilege to set it gave it
 */
static bool
PlaceholderSetWithoutPrivilege(const char *name)
{
	struct config_generic **vars;
	int			nvars;

	vars = GucVariables(&nvars);
	for (int i = 0; i < nvars; i++)
	{
		struct config_generic *var = vars[i];

		if ((var->flags & GUC_CUSTOM_PLACEHOLDER) == 0 || strcmp(var->name, name) != 0)
			continue;
		if (Unprivileged(var->source, var->scontext) ||
			Unprivileged(var->reset_source, var->reset_scontext))
			return true;
		for (GucStack *stack = var->stack; stack != NULL; stack = stack->prev)
			if (Unprivileged(stack->source, stack->scontext) ||
				(stack->state == GUC_SET_LOCAL && Unprivileged(PGC_S_SESSION, stack->masked_scontext)))
				return true;
	}
	return false;
}

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

	customers_require_tenant_forced = PlaceholderSetWithoutPrivilege("customers.require_tenant");
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

	DefineCustomStringVariable("customers.idempotency_key",
							   "Idempotency key of the writing call of the current transaction.",
							   "Set it per transaction with SET LOCAL; a retry with the same key and request gets the first call's result.",
							   &customers_idempotency_key,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("customers.idempotency_key_ttl",
							"How long an idempotency key is kept after its first call.",
							"Set by an administrator; expired keys are deleted in small batches.",
							&customers_idempotency_ttl,
							DEFAULT_IDEMPOTENCY_TTL,
							60,
							INT_MAX,
							PGC_SUSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("customers.event_retention",
							"How long events are kept: older ones are removed by customers.purge_events().",
							"0 keeps them for ever. A feed cursor older than this is refused.",
							&customers_event_retention,
							0, 0, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("customers.max_response_size",
							"The most the documents of one response may take.",
							"A page, list or batch response past it is refused; it bounds a call's memory, about five times its response.",
							&customers_max_response_size,
							DEFAULT_MAX_RESPONSE_KB,
							1024,
							MAX_MAX_RESPONSE_KB,
							PGC_SUSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("customers");

	InstallPlanEstimates();
	SetMallocThresholds();
}
