/*
 * change.c
 *		Planning and writing customer changes.
 *
 * A change is planned in C (validation, version precondition, status
 * transition, the new document) before anything is written, so a batch
 * writes all its valid items in two set-based statements and its invalid
 * ones never touch the tables: no subtransaction per item.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"

#include "change.h"
#include "customer_segments.h"
#include "customer_store.h"
#include "document.h"
#include "history.h"
#include "ids.h"
#include "item_errors.h"
#include "jsonb_build.h"
#include "timestamps.h"

/* The status, archive time and status-before-archive a change leads to */
static void
PlanStatus(const CallScope *call, StoredCustomer *stored, const char *status,
		   CustomerRow *row)
{
	row->status = status;
	row->archived = (strcmp(status, STATUS_ARCHIVED) == 0);
	row->status_before_archive = NULL;
	if (!row->archived)
		return;
	if (stored == NULL)
	{
		row->archived_at = call->now;
		row->status_before_archive = STATUS_ACTIVE;
	}
	else if (stored->archived)
	{
		row->archived_at = stored->archived_at;
		row->status_before_archive = stored->status_before_archive;
	}
	else
	{
		row->archived_at = call->now;
		row->status_before_archive = stored->status;
	}
}

/*
 * Plan the change that input (complete client fields, aliases resolved)
 * makes to change->stored, or the create when there is none.
 */
void
PlanChange(const CallScope *call, JsonbContainer *input, PlannedChange *change)
{
	StoredCustomer *stored = change->stored;
	CustomerRow *row = &change->row;
	CustomerValues values;
	ServerFields server;

	change->kind = CHANGE_FAILED;
	if (!NormalizeCustomer(input, stored ? stored->doc : NULL, &change->errors, &values))
		return;

	if (stored == NULL && values.has_version && values.version != 0)
	{
		if (values.id != NULL)
			AddItemError(&change->errors, ITEM_STATUS_CONFLICT, ERRCODE_T_R_SERIALIZATION_FAILURE,
						 "version", "customer \"%s\" does not exist, so it is not at version " INT64_FORMAT,
						 values.id, values.version);
		else
			AddItemError(&change->errors, ITEM_STATUS_CONFLICT, ERRCODE_T_R_SERIALIZATION_FAILURE,
						 "version", "customer does not exist, so it is not at version " INT64_FORMAT,
						 values.version);
		return;
	}
	if (stored != NULL && values.has_version && values.version != stored->version)
	{
		AddItemError(&change->errors, ITEM_STATUS_CONFLICT, ERRCODE_T_R_SERIALIZATION_FAILURE,
					 "version", "customer \"%s\" is at version " INT64_FORMAT ", not " INT64_FORMAT,
					 stored->id, stored->version, values.version);
		return;
	}

	if (stored != NULL &&
		compareJsonbContainers(&values.content->root,
							   &DocumentContent(stored->doc)->root) == 0)
	{
		change->kind = CHANGE_NONE;
		row->id = stored->id;
		row->doc = stored->doc;
		return;
	}

	row->external_id = values.external_id;
	row->name = values.name;
	row->email = values.email;
	row->business_name = values.business_name;
	row->segment_ids = values.segment_ids;
	PlanStatus(call, stored, values.status, row);

	server.updated = call->now;
	server.updated_by = call->actor;
	server.archived = row->archived;
	server.archived_at = row->archived_at;
	if (stored == NULL)
	{
		change->kind = CHANGE_CREATE;
		row->id = values.id ? values.id : GenerateId("cus_");
		row->version = 1;
		server.created = FormatTimestamp(call->now);
		server.created_by = call->actor;
	}
	else
	{
		change->kind = CHANGE_UPDATE;
		row->id = stored->id;
		row->version = stored->version + 1;
		server.created = DocumentString(stored->doc, "createdDateTime");
		server.created_by = DocumentString(stored->doc, "createdBy");
	}
	server.id = row->id;
	server.version = row->version;
	row->doc = AssembleDocument(values.content, &server);

	if (VARSIZE(row->doc) > MAX_DOCUMENT_BYTES)
	{
		change->kind = CHANGE_FAILED;
		AddValidationError(&change->errors, FindKey(input, "customData") ? "customData" : "",
						   "customer document is larger than %d kB", MAX_DOCUMENT_BYTES / 1024);
	}
}

/* Record a conflict over an externalId */
static void
ExternalIdConflict(PlannedChange *change, const char *holder)
{
	change->kind = CHANGE_FAILED;
	AddItemError(&change->errors, ITEM_STATUS_CONFLICT, ERRCODE_UNIQUE_VIOLATION, "externalId",
				 "externalId \"%s\" already belongs to customer \"%s\"",
				 Echo(change->row.external_id), holder);
}

/* Whether a change would write an externalId */
static inline bool
ClaimsExternalId(PlannedChange *change)
{
	return (change->kind == CHANGE_CREATE || change->kind == CHANGE_UPDATE) &&
		change->row.external_id != NULL;
}

/* Whether an item before the i-th changes customer id to hold another externalId than x */
static bool
ReleasedEarlier(PlannedChange *changes, int i, const char *id, const char *x)
{
	for (int j = 0; j < i; j++)
		if (changes[j].kind == CHANGE_UPDATE && strcmp(changes[j].row.id, id) == 0)
			return changes[j].row.external_id == NULL ||
				strcmp(changes[j].row.external_id, x) != 0;
	return false;
}

/*
 * Refuse changes that would give an externalId a second holder: one held by
 * another stored customer (unless an earlier item of the batch releases it),
 * or claimed by an earlier item of the same batch. Items are decided in
 * order, so a release counts only when its own item has not failed.
 */
void
CheckExternalIds(const CallScope *call, PlannedChange *changes, int nchanges)
{
	char	  **claimed = palloc(sizeof(char *) * Max(nchanges, 1));
	int			nclaimed = 0;
	List	   *owners;
	ListCell   *lc;

	for (int i = 0; i < nchanges; i++)
		if (ClaimsExternalId(&changes[i]))
			claimed[nclaimed++] = changes[i].row.external_id;
	if (nclaimed == 0)
		return;

	owners = FetchExternalIdOwners(call->tenant_id, claimed, nclaimed);
	for (int i = 0; i < nchanges; i++)
	{
		CHECK_FOR_INTERRUPTS();
		foreach(lc, owners)
		{
			ExternalIdOwner *owner = lfirst(lc);

			if (ClaimsExternalId(&changes[i]) &&
				strcmp(changes[i].row.external_id, owner->external_id) == 0 &&
				strcmp(changes[i].row.id, owner->id) != 0 &&
				!ReleasedEarlier(changes, i, owner->id, owner->external_id))
				ExternalIdConflict(&changes[i], owner->id);
		}
		for (int j = 0; j < i && ClaimsExternalId(&changes[i]); j++)
			if (ClaimsExternalId(&changes[j]) &&
				strcmp(changes[j].row.external_id, changes[i].row.external_id) == 0)
				ExternalIdConflict(&changes[i], changes[j].row.id);
	}
}

/*
 * The order in which updates are written: an update that claims an
 * externalId an earlier update releases is written in a later statement
 * (the unique key is checked row by row, so one statement could meet the
 * claim before the release). wave[i] is the statement of the i-th change.
 */
static int
UpdateWaves(PlannedChange *changes, int nchanges, int *wave)
{
	char	  **stored_external_id = palloc0(sizeof(char *) * Max(nchanges, 1));
	int			nwaves = 1;

	for (int i = 0; i < nchanges; i++)
		if (changes[i].kind == CHANGE_UPDATE)
			stored_external_id[i] = DocumentString(changes[i].stored->doc, "externalId");
	for (int i = 0; i < nchanges; i++)
	{
		const char *x = changes[i].row.external_id;

		wave[i] = 0;
		if (changes[i].kind != CHANGE_UPDATE || x == NULL ||
			(stored_external_id[i] != NULL && strcmp(stored_external_id[i], x) == 0))
			continue;
		CHECK_FOR_INTERRUPTS();
		for (int j = 0; j < i; j++)
			if (changes[j].kind == CHANGE_UPDATE && stored_external_id[j] != NULL &&
				strcmp(stored_external_id[j], x) == 0)
				wave[i] = Max(wave[i], wave[j] + 1);
		nwaves = Max(nwaves, wave[i] + 1);
	}
	return nwaves;
}

/*
 * Write the planned creates and updates: the customers in two statements,
 * then their segments, and one event each (their history) in one more
 * statement.
 */
void
WriteChanges(const CallScope *call, PlannedChange *changes, int nchanges)
{
	CustomerRow *creates = palloc(sizeof(CustomerRow) * Max(nchanges, 1));
	CustomerRow *updates = palloc(sizeof(CustomerRow) * Max(nchanges, 1));
	int		   *wave = palloc(sizeof(int) * Max(nchanges, 1));
	int			nwaves = UpdateWaves(changes, nchanges, wave);
	int			ncreates = 0;
	List	   *inserted;

	for (int i = 0; i < nchanges; i++)
		if (changes[i].kind == CHANGE_CREATE)
			creates[ncreates++] = changes[i].row;
	for (int w = 0; w < nwaves; w++)
	{
		int			nupdates = 0;

		for (int i = 0; i < nchanges; i++)
			if (changes[i].kind == CHANGE_UPDATE && wave[i] == w)
				updates[nupdates++] = changes[i].row;
		UpdateCustomers(call->tenant_id, call->now, updates, nupdates);
	}
	inserted = InsertCustomers(call->tenant_id, call->now, creates, ncreates);

	/* a create skipped by ON CONFLICT lost a race with a concurrent one */
	for (int i = 0; i < nchanges && list_length(inserted) < ncreates; i++)
	{
		PlannedChange *change = &changes[i];
		ListCell   *lc;
		bool		found = false;

		if (change->kind != CHANGE_CREATE)
			continue;
		foreach(lc, inserted)
			if (strcmp(lfirst(lc), change->row.id) == 0)
				found = true;
		if (!found)
		{
			change->kind = CHANGE_FAILED;
			AddItemError(&change->errors, ITEM_STATUS_CONFLICT, ERRCODE_UNIQUE_VIOLATION, "id",
						 "customer \"%s\" or its externalId was saved by a concurrent transaction",
						 change->row.id);
		}
	}
	WriteCustomerSegments(call, changes, nchanges);
	WriteHistory(call, changes, nchanges);
}
