/*
 * arguments.c
 *		Checks of SQL function arguments, and the customer an id argument
 *		names: every function is called with SQL NULLs and any jsonb, and
 *		answers them with a 22023 error that says what to pass.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "arguments.h"
#include "store.h"

/* A text argument, which must not be null */
char *
TextArgument(FunctionCallInfo fcinfo, int argno, const char *name, const char *hint)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be null", name),
				 errhint("%s", hint)));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/* A jsonb argument, which must be a JSON object */
Jsonb *
ObjectArgument(FunctionCallInfo fcinfo, int argno, const char *name, const char *hint)
{
	Jsonb	   *value;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be null", name),
				 errhint("%s", hint)));
	value = PG_GETARG_JSONB_P(argno);
	if (!JB_ROOT_IS_OBJECT(value) || JB_ROOT_IS_SCALAR(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object", name),
				 errhint("%s", hint)));
	return value;
}

/* The stored customer of this tenant with id (locked when for_update), or P0002 */
StoredCustomer *
RequireCustomer(const char *tenant, const char *id, bool for_update)
{
	StoredCustomer *customer = FetchCustomer(tenant, id, for_update);

	if (customer == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("customer \"%s\" does not exist", id),
				 errhint("Check the id, and that customers.tenant_id names the customer's tenant.")));
	return customer;
}

/* Refuse to add to an archived customer: it is deleted as far as clients know */
void
RequireNotArchived(StoredCustomer *customer)
{
	if (customer->archived)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("customer \"%s\" is archived", customer->id),
				 errhint("Restore the customer first with customers.restore('%s').",
						 customer->id)));
}
