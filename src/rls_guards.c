/*
 * rls_guards.c
 *		What keeps a role confined by row level security inside its tenant
 *		where PostgreSQL's policies do not reach.
 *
 * TRUNCATE ignores row level security: a role granted TRUNCATE on one of
 * the extension's tables would empty it for every tenant. A BEFORE TRUNCATE
 * trigger on each table refuses the statement for any role the policies
 * confine (everyone but superusers, BYPASSRLS roles and the extension's own
 * statements, which run as the owner past row level security).
 *
 * The cursor key signs the cursors of every tenant. Its policy calls
 * customers.cursor_key_guard(), which raises for any role the policies
 * confine, so such a role's read (pg_dump --enable-row-security included)
 * fails loudly instead of returning no rows.
 */
#include "postgres.h"

#include "catalog/dependency.h"
#include "catalog/pg_class.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"


PG_FUNCTION_INFO_V1(customers_refuse_confined_truncate);

/*
 * Trigger before TRUNCATE, for each statement, on every table of the
 * extension: refuse it when row level security confines the current role.
 */
Datum
customers_refuse_confined_truncate(PG_FUNCTION_ARGS)
{
	TriggerData *trigger = (TriggerData *) fcinfo->context;
	Oid			relid;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function was not called by the trigger manager"),
				 errdetail("customers.refuse_confined_truncate() runs only as a trigger.")));
	relid = RelationGetRelid(trigger->tg_relation);
	if (getExtensionOfObject(RelationRelationId, relid) != get_extension_oid("customers", false))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger cannot run on relation \"%s\"",
						RelationGetRelationName(trigger->tg_relation)),
				 errdetail("customers.refuse_confined_truncate() guards the tables of extension customers only.")));
	if (!TRIGGER_FIRED_BY_TRUNCATE(trigger->tg_event) || !TRIGGER_FIRED_BEFORE(trigger->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger was fired by an unexpected event"),
				 errdetail("customers.refuse_confined_truncate() runs before TRUNCATE, for each statement.")));

	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to truncate table \"%s\"",
						RelationGetRelationName(trigger->tg_relation)),
				 errdetail("Row level security confines this role to one tenant, and TRUNCATE would remove the rows of every tenant."),
				 errhint("Delete the tenant's rows with DELETE, or truncate as a role with BYPASSRLS.")));
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(customers_cursor_key_guard);

/*
 * SQL: customers.cursor_key_guard(), the policy of customers.cursor_key.
 * Policies apply only to roles that row level security confines, and no
 * such role may read the key: raise instead of returning no rows.
 */
Datum
customers_cursor_key_guard(PG_FUNCTION_ARGS)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for table cursor_key"),
			 errdetail("The cursor key signs the cursors of every tenant; row level security confines this role to one."),
			 errhint("Back up the database as a role with BYPASSRLS and SELECT on the extension's tables (see the backup role in the README).")));
	PG_RETURN_BOOL(false);
}
