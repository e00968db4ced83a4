/*
 * customer_ops.c
 *		One customer at a time: get, patch (RFC 7396), archive and restore.
 *
 * Unlike save, these raise errors: validation errors as 22023, a stale
 * version as 40001, a taken externalId as 23505, an unknown id as P0002.
 * archive and restore are patches of the status, so they share the path,
 * and both are idempotent: repeating one changes nothing.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "aliases.h"
#include "billing_fields.h"
#include "call_context.h"
#include "change.h"
#include "customer_erase.h"
#include "customer_reference.h"
#include "customer_segments.h"
#include "document.h"
#include "item_errors.h"
#include "jsonb_build.h"
#include "request.h"

typedef enum ChangeAction
{
	ACTION_PATCH,
	ACTION_ARCHIVE,
	ACTION_RESTORE
} ChangeAction;

/* each action's name in history and notifications */
static const char *const action_names[] = {"PATCH", "ARCHIVE", "RESTORE"};

/* The status patch of archive or restore; NULL when there is nothing to do */
static Jsonb *
StatusPatch(ChangeAction action, StoredCustomer *stored)
{
	JsonbParseState *state = NULL;
	const char *status;

	if (action == ACTION_ARCHIVE)
		status = STATUS_ARCHIVED;
	else if (!stored->archived)
		return NULL;
	else
		status = stored->status_before_archive ? stored->status_before_archive : STATUS_ACTIVE;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(&state, "status", status);
	return EndObject(&state);
}

/* Apply a merge patch, archive or restore to one customer and return it */
static Jsonb *
ChangeCustomer(const CustomerRef *ref, JsonbContainer *patch, ChangeAction action)
{
	CallScope call;
	PlannedChange change;
	List	   *origins = NIL;
	const char *id = ref->id;

	memset(&change, 0, sizeof(change));
	BeginCall(&call);
	/* by externalId: the customer is found (and locked) first, to know its id */
	if (id == NULL)
	{
		change.stored = RequireCustomerRef(call.tenant_id, ref, true);
		id = change.stored->id;
	}
	if (patch != NULL)
	{
		JsonbValue *patch_id;

		patch = ResolveAliases(patch, &change.errors, &origins);
		patch_id = FindKey(patch, "id");
		if (change.errors == NIL && patch_id != NULL && !JsonbStringIs(patch_id, id))
			AddValidationError(&change.errors, "id", "\"id\" cannot be changed");
		if (change.errors == NIL)
			CheckUpdateRemovals(patch, &change.errors);
		if (change.errors != NIL)
		{
			NameAliasesInErrors(change.errors, origins);
			RaiseItemErrors(change.errors);
		}
	}

	if (change.stored == NULL)
		change.stored = RequireCustomerRef(call.tenant_id, ref, true);
	change.action = action_names[action];
	if (patch == NULL)
	{
		Jsonb	   *status_patch = StatusPatch(action, change.stored);

		patch = status_patch ? &status_patch->root : NULL;
	}

	if (patch == NULL)
		change.row.doc = change.stored->doc;
	else
	{
		/* an "ein" becomes a us_ein tax id */
		patch = EinToTaxIds(patch, change.stored->doc);
		PlanChange(&call,
				   &JsonbMergePatch(EinToTaxIds(&DocumentContent(change.stored->doc)->root, NULL),
									patch, true)->root,
				   &change);
		CheckExternalIds(&call, &change, 1);
		CheckErased(&call, &change, 1);
		CheckCustomerSegments(&call, &change, 1);
		if (change.kind != CHANGE_FAILED)
			WriteChanges(&call, &change, 1);
		if (change.kind == CHANGE_FAILED)
		{
			NameAliasesInErrors(change.errors, origins);
			RaiseItemErrors(change.errors);
		}
	}

	EndCall(&call);
	return change.row.doc;
}

PG_FUNCTION_INFO_V1(customers_get);

/* SQL: customers.get(id text) returns the customer, or NULL */
Datum
customers_get(PG_FUNCTION_ARGS)
{
	CallScope call;
	CustomerRef ref;
	Jsonb	   *doc;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();

	ParseCustomerRef(text_to_cstring(PG_GETARG_TEXT_PP(0)), &ref);
	BeginCall(&call);
	doc = FetchDocumentRef(call.tenant_id, &ref);
	EndCall(&call);

	if (doc == NULL)
		PG_RETURN_NULL();
	PG_RETURN_JSONB_P(doc);
}

PG_FUNCTION_INFO_V1(customers_patch);

/* SQL: customers.patch(id text, patch jsonb) applies an RFC 7396 merge patch */
Datum
customers_patch(PG_FUNCTION_ARGS)
{
	CustomerRef ref;
	Jsonb	   *patch;

	CustomerRefArgument(fcinfo, 0, "id", &ref);
	patch = ObjectArgument(fcinfo, 1, "patch",
						   "Pass a JSON object of the fields to change; null removes a field.");
	PG_RETURN_JSONB_P(ChangeCustomer(&ref, &patch->root, ACTION_PATCH));
}

PG_FUNCTION_INFO_V1(customers_archive);

/* SQL: customers.archive(id text) soft-deletes a customer */
Datum
customers_archive(PG_FUNCTION_ARGS)
{
	CustomerRef ref;

	CustomerRefArgument(fcinfo, 0, "id", &ref);
	PG_RETURN_JSONB_P(ChangeCustomer(&ref, NULL, ACTION_ARCHIVE));
}

PG_FUNCTION_INFO_V1(customers_restore);

/* SQL: customers.restore(id text) undoes archive, restoring the earlier status */
Datum
customers_restore(PG_FUNCTION_ARGS)
{
	CustomerRef ref;

	CustomerRefArgument(fcinfo, 0, "id", &ref);
	PG_RETURN_JSONB_P(ChangeCustomer(&ref, NULL, ACTION_RESTORE));
}
