/*
 * planned_change.c
 *		A planned change: what it is called in its history event, and
 *		keeping it when its planning context goes.
 */
#include "postgres.h"

#include "item_errors.h"
#include "planned_change.h"
#include "request.h"

/*
 * What a written change was, for its history event: the
 * call's action, or for save CREATE or UPDATE.
 */
const char *
ChangeActionName(const PlannedChange *change)
{
	if (change->action != NULL)
		return change->action;
	return change->kind == CHANGE_CREATE ? "CREATE" : "UPDATE";
}

/*
 * Copy what a change planned in a short-lived memory context produced (its
 * errors and row) into the current one, so that context can be reset. The
 * stored customer is not copied: it was read before planning.
 */
void
KeepPlannedChange(PlannedChange *change)
{
	CustomerRow *row = &change->row;

	change->errors = CopyItemErrors(change->errors);
	row->id = KeepString(row->id);
	row->external_id = KeepString(row->external_id);
	row->name = KeepString(row->name);
	row->email = KeepString(row->email);
	row->business_name = KeepString(row->business_name);
	row->status = KeepString(row->status);
	row->status_before_archive = KeepString(row->status_before_archive);
	if (row->doc != NULL && (change->stored == NULL || row->doc != change->stored->doc))
	{
		Jsonb	   *doc = palloc(VARSIZE(row->doc));

		memcpy(doc, row->doc, VARSIZE(row->doc));
		row->doc = doc;
	}
	row->segment_ids = copyObject(row->segment_ids);
	row->segment_labels = copyObject(row->segment_labels);
}
