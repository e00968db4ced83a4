/*
 * class_store.c
 *		The statements over class labels and segments that several calls
 *		share: the labels of segments, and the label locks every tree change
 *		takes.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "nodes/value.h"
#include "utils/builtins.h"

#include "class_store.h"
#include "spi_plans.h"

#define SEGMENT_LABELS_SQL \
	"SELECT id, label_id FROM customers.class_segment" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) ANY ($2)" \
	" ORDER BY id"

#define LOCK_LABELS_SQL \
	"SELECT id, name, requiredness FROM customers.class_label" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) ANY ($2)" \
	" ORDER BY id FOR UPDATE"

#define BUMP_LABELS_SQL \
	"UPDATE customers.class_label SET tree_version = tree_version OPERATOR(pg_catalog.+) 1" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) ANY ($2)"

static SPIPlanPtr segment_labels_plan = NULL;
static SPIPlanPtr segment_labels_locked_plan = NULL;
static SPIPlanPtr lock_labels_plan = NULL;
static SPIPlanPtr bump_labels_plan = NULL;

static Oid	tenant_and_ids[2] = {TEXTOID, TEXTARRAYOID};

/*
 * The stored segments among ids, each as a pair of Strings (id, label id).
 * With lock, they are locked FOR KEY SHARE: then none of them can be deleted
 * before this transaction ends (delete_class_segment locks the segment FOR
 * UPDATE and counts its customers after that), so a customer is never
 * assigned a segment that a concurrent delete removes.
 */
List *
SegmentLabels(const CallScope *call, char **ids, int nids, bool lock)
{
	Datum		values[2];
	List	   *pairs = NIL;
	SPIPlanPtr	plan;

	if (nids == 0)
		return NIL;
	values[0] = CStringGetTextDatum(call->tenant_id);
	values[1] = TextArray(ids, nids);
	if (lock)
		plan = KeptPlan(&segment_labels_locked_plan, SEGMENT_LABELS_SQL " FOR KEY SHARE", 2,
						tenant_and_ids);
	else
		plan = KeptPlan(&segment_labels_plan, SEGMENT_LABELS_SQL, 2, tenant_and_ids);
	ExecutePlan(plan, values, false, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
		pairs = lappend(pairs,
						list_make2(makeString(SPI_getvalue(SPI_tuptable->vals[r],
														   SPI_tuptable->tupdesc, 1)),
								   makeString(SPI_getvalue(SPI_tuptable->vals[r],
														   SPI_tuptable->tupdesc, 2))));
	SPI_freetuptable(SPI_tuptable);
	return pairs;
}

/* The label of a segment in the pairs of SegmentLabels, or NULL */
char *
LabelOf(List *pairs, const char *segment_id)
{
	ListCell   *lc;

	if (segment_id == NULL)
		return NULL;
	foreach(lc, pairs)
		if (strcmp(strVal(linitial(lfirst(lc))), segment_id) == 0)
			return strVal(lsecond(lfirst(lc)));
	return NULL;
}

/* Lock the labels (in id order) and return those that exist */
List *
LockLabels(const CallScope *call, char **ids, int nids)
{
	Datum		values[2];

	if (nids == 0)
		return NIL;
	values[0] = CStringGetTextDatum(call->tenant_id);
	values[1] = TextArray(ids, nids);
	ExecutePlan(KeptPlan(&lock_labels_plan, LOCK_LABELS_SQL, 2, tenant_and_ids),
				values, false, SPI_OK_SELECT);
	return ResultLabels();
}

/* The labels (id, name, requiredness) of the last statement's result; frees it */
List *
ResultLabels(void)
{
	List	   *labels = NIL;

	for (uint64 r = 0; r < SPI_processed; r++)
	{
		Label	   *label = palloc(sizeof(Label));

		label->id = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);
		label->name = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2);
		label->requiredness = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 3);
		labels = lappend(labels, label);
	}
	SPI_freetuptable(SPI_tuptable);
	return labels;
}

/* The label with this id, or NULL */
Label *
FindLabel(List *labels, const char *id)
{
	ListCell   *lc;

	foreach(lc, labels)
		if (strcmp(((Label *) lfirst(lc))->id, id) == 0)
			return lfirst(lc);
	return NULL;
}

/* Bump the tree version of the labels whose trees were written */
void
BumpLabels(const CallScope *call, char **label_ids, int nlabels)
{
	Datum		values[2];

	values[0] = CStringGetTextDatum(call->tenant_id);
	values[1] = TextArray(label_ids, nlabels);
	ExecutePlan(KeptPlan(&bump_labels_plan, BUMP_LABELS_SQL, 2, tenant_and_ids), values, false,
				SPI_OK_UPDATE);
}
