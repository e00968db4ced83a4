/*
 * save.c
 *		customers.save(request jsonb): Tight's batch save.
 *
 * {"data": [customer, …]} with 1 to 1000 items. An item without an id, or
 * with an id not stored yet, is a create; one with a stored id is an update
 * in which the given top-level fields replace the stored ones. Each item is
 * validated alone and fails alone; the valid ones are written together.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/jsonb.h"

#include "aliases.h"
#include "billing_fields.h"
#include "call_context.h"
#include "change.h"
#include "customer_erase.h"
#include "customer_segments.h"
#include "document.h"
#include "envelope.h"
#include "item_errors.h"
#include "jsonb_build.h"
#include "request.h"
#include "text_rules.h"

#define SAVE_HINT "Pass {\"data\": [customer, ...]}."
#define UPSERT_HINT "Pass \"upsertBy\": \"externalId\" to update the customers whose externalId is stored, or leave it out."

/* the keys a save request may have beside "data" */
static const char *const save_options[] = {"upsertBy"};

/* Whether the request opts in to updating customers found by externalId */
static bool
UpsertByExternalId(Jsonb *request)
{
	char	   *by = RequestString(&request->root, "upsertBy", "upsertBy", UPSERT_HINT);

	if (by != NULL && strcmp(by, "externalId") != 0)
		RequestError(UPSERT_HINT, "\"upsertBy\" must be \"externalId\"");
	return by != NULL;
}

/* One item of the batch on its way through */
typedef struct SaveItem
{
	JsonbContainer *input;		/* aliases resolved; NULL when not an object */
	List	   *origins;		/* where aliased fields came from */
	char	   *id;				/* client id, or NULL */
	bool		merge_address;	/* address given by aliases only */
} SaveItem;

/* Resolve each item's aliases and id; an id given twice fails the later items */
static void
ReadItems(JsonbContainer *data, SaveItem *items, PlannedChange *changes, int n)
{
	for (int i = 0; i < n; i++)
	{
		JsonbValue *element = getIthJsonbValueFromContainer(data, i);
		List	  **errors = &changes[i].errors;

		CHECK_FOR_INTERRUPTS();

		if (!IsJsonbObject(element))
		{
			AddValidationError(errors, "", "customer must be a JSON object, not %s",
							   JsonbValueTypeName(element));
			continue;
		}
		items[i].input = ResolveAliases(element->val.binary.data, errors, &items[i].origins);
		items[i].merge_address = AliasesOnlyAddress(element->val.binary.data);
		/* an invalid id is reported with the item's other errors when it is planned */
		items[i].id = ClientId(items[i].input);
		if (*errors != NIL || items[i].id == NULL)
			continue;
		for (int j = 0; j < i; j++)
			if (items[j].id != NULL && strcmp(items[j].id, items[i].id) == 0)
			{
				AddValidationError(errors, "id",
								   "customer \"%s\" appears more than once in this request",
								   items[i].id);
				items[i].id = NULL;
				break;
			}
	}
}

/*
 * "upsertBy": "externalId": an item without an id whose externalId a stored
 * customer holds updates that customer, as if it named its id. Only the
 * first such item of a customer does; a later one stays a create and fails
 * with 409 for the taken externalId, as without the option.
 */
static void
MatchExternalIds(const CallScope *call, SaveItem *items, PlannedChange *changes, int n)
{
	char	  **external_ids = palloc(sizeof(char *) * n);
	char	  **wanted = palloc0(sizeof(char *) * n);
	int			nwanted = 0;
	ListCell   *lc;

	for (int i = 0; i < n; i++)
	{
		JsonbValue *id;
		JsonbValue *external_id;

		if (changes[i].errors != NIL || items[i].input == NULL)
			continue;
		id = FindKey(items[i].input, "id");
		external_id = FindKey(items[i].input, "externalId");
		if ((id == NULL || id->type == jbvNull) &&
			external_id != NULL && external_id->type == jbvString)
		{
			/* as it will be stored: trimmed, in NFC (text_rules.c) */
			int			len;
			pg_wchar	control;
			char	   *text = ApplyTextRules(external_id->val.string.val,
											  external_id->val.string.len, &len, &control);

			if (text != NULL && len > 0)
				external_ids[nwanted++] = wanted[i] = text;
		}
	}
	if (nwanted == 0)
		return;

	foreach(lc, FetchExternalIdOwners(call->tenant_id, external_ids, nwanted))
	{
		ExternalIdOwner *owner = lfirst(lc);
		bool		named = false;

		for (int i = 0; i < n && !named; i++)
			named = items[i].id != NULL && strcmp(items[i].id, owner->id) == 0;
		for (int i = 0; i < n && !named; i++)
			if (wanted[i] != NULL && strcmp(wanted[i], owner->external_id) == 0)
			{
				items[i].id = owner->id;
				named = true;
			}
	}
}

/*
 * The complete fields of an update: the stored content with the item's
 * top-level fields replacing the stored ones, except an address given by
 * aliases alone, which merges into the stored address (docs/api.md §2.1).
 */
static JsonbContainer *
MergeUpdate(StoredCustomer *stored, JsonbContainer *input, bool merge_address)
{
	/* a document of release 0.1.0 not updated yet may hold "ein" */
	JsonbContainer *content = EinToTaxIds(&DocumentContent(stored->doc)->root, NULL);

	if (merge_address)
	{
		static const char *const address[] = {"address"};
		JsonbParseState *state = NULL;
		Jsonb	   *address_patch;

		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		PushKeyValue(&state, "address", FindKey(input, "address"));
		address_patch = EndObject(&state);
		content = &JsonbMergePatch(content, &address_patch->root, true)->root;
		input = &JsonbWithoutKeys(input, address, 1)->root;
	}
	return &JsonbMergePatch(content, input, false)->root;
}

/* Attach stored customers to the items that name them */
static void
AttachStored(const CallScope *call, SaveItem *items, PlannedChange *changes, int n)
{
	char	  **ids = palloc(sizeof(char *) * n);
	int			nids = 0;
	List	   *stored;
	ListCell   *lc;

	for (int i = 0; i < n; i++)
		if (changes[i].errors == NIL && items[i].id != NULL)
			ids[nids++] = items[i].id;
	if (nids == 0)
		return;

	stored = FetchCustomers(call->tenant_id, ids, nids, true);
	foreach(lc, stored)
	{
		StoredCustomer *customer = lfirst(lc);

		for (int i = 0; i < n; i++)
			if (changes[i].errors == NIL && items[i].id != NULL &&
				strcmp(items[i].id, customer->id) == 0)
				changes[i].stored = customer;
	}
}

/* The batch as ForEachBatchItem hands it to PlanItem and KeepItem */
typedef struct SaveBatch
{
	const CallScope *call;
	SaveItem   *items;
	PlannedChange *changes;
} SaveBatch;

/* Plan one item that has no errors yet: the stored document merged with it */
static bool
PlanItem(int i, void *state)
{
	SaveBatch  *batch = state;
	PlannedChange *change = &batch->changes[i];
	JsonbContainer *input = batch->items[i].input;

	if (change->errors != NIL)
		return false;
	/* an "ein" becomes a us_ein tax id */
	input = EinToTaxIds(input, change->stored ? change->stored->doc : NULL);
	if (change->stored != NULL)
	{
		CheckUpdateRemovals(input, &change->errors);
		input = MergeUpdate(change->stored, input, batch->items[i].merge_address);
	}
	PlanChange(batch->call, input, change);
	if (change->errors != NIL)
		change->kind = CHANGE_FAILED;
	return true;
}

/* Keep what an item's plan produced */
static void
KeepItem(int i, void *state)
{
	KeepPlannedChange(&((SaveBatch *) state)->changes[i]);
}

/*
 * Refuse, before anything is written, a batch whose response would be too
 * large: its documents are planned, and the envelope holds them
 */
static void
CheckResponseBeforeWriting(PlannedChange *changes, int n)
{
	int			ndocs = 0;
	Size		bytes = 0;

	for (int i = 0; i < n; i++)
		if (changes[i].errors == NIL && changes[i].row.doc != NULL)
		{
			ndocs++;
			bytes += VARSIZE(changes[i].row.doc);
		}
	CheckResponseSize(RESPONSE_BATCH, ndocs, bytes);
}

PG_FUNCTION_INFO_V1(customers_save);

/* SQL: customers.save(request jsonb) returns the Tight envelope */
Datum
customers_save(PG_FUNCTION_ARGS)
{
	Jsonb	   *request;
	JsonbContainer *data;
	bool		upsert;
	int			n;
	SaveItem   *items;
	PlannedChange *changes;
	ItemResult *results;
	CallScope	call;
	SaveBatch	batch;

	request = PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0);
	data = BatchRequestDataWith(request, SAVE_HINT, save_options, lengthof(save_options));
	upsert = UpsertByExternalId(request);
	n = JsonContainerSize(data);
	items = palloc0(sizeof(SaveItem) * n);
	changes = palloc0(sizeof(PlannedChange) * n);
	results = palloc0(sizeof(ItemResult) * n);

	BeginCall(&call);
	ReadItems(data, items, changes, n);
	if (upsert)
		MatchExternalIds(&call, items, changes, n);
	AttachStored(&call, items, changes, n);

	/* a batch of 1000 keeps each plan, not its merge copies */
	batch.call = &call;
	batch.items = items;
	batch.changes = changes;
	ForEachBatchItem(n, PlanItem, KeepItem, &batch);
	/* segments first: an item they fail releases no externalId for a later one */
	CheckCustomerSegments(&call, changes, n);
	CheckExternalIds(&call, changes, n);
	CheckErased(&call, changes, n);
	CheckResponseBeforeWriting(changes, n);
	WriteChanges(&call, changes, n);

	EndCall(&call);

	for (int i = 0; i < n; i++)
	{
		NameAliasesInErrors(changes[i].errors, items[i].origins);
		results[i].errors = changes[i].errors;
		results[i].data = changes[i].row.doc;
	}
	PG_RETURN_JSONB_P(BuildSaveEnvelope(results, n));
}
