/*
 * class_labels.c
 *		customers.save_class_labels(request jsonb): batch save of class labels.
 *
 * A label is {"id": "cll_…", "name", "requiredness": REQUIRED|NOT_REQUIRED}.
 * Like customers, an item without a stored id is created and one with a
 * stored id is updated with the fields it gives; each item fails alone and
 * the valid ones are written in one statement.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "call_context.h"
#include "class_fields.h"
#include "class_store.h"
#include "envelope.h"
#include "event_store.h"
#include "item_errors.h"
#include "ids.h"
#include "jsonb_build.h"
#include "request.h"
#include "spi_plans.h"
#include "timestamps.h"

#define UPSERT_LABELS_SQL \
	"INSERT INTO customers.class_label AS l (tenant_id, id, name, requiredness, created_at, updated_at)" \
	" SELECT $1, u.id, u.name, u.requiredness, $2, $2" \
	" FROM ROWS FROM (pg_catalog.unnest($3), pg_catalog.unnest($4), pg_catalog.unnest($5))" \
	" AS u(id, name, requiredness)" \
	" ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name," \
	" requiredness = excluded.requiredness, updated_at = excluded.updated_at" \
	" RETURNING id, name, requiredness, created_at, updated_at"

static SPIPlanPtr upsert_labels_plan = NULL;

/* One label of the batch */
typedef struct LabelItem
{
	List	   *errors;
	char	   *id;				/* client id or NULL */
	char	   *name;
	const char *requiredness;
	bool		stored;
	Jsonb	   *doc;
} LabelItem;

/* requiredness: REQUIRED or NOT_REQUIRED */
static void
RequirednessField(JsonbValue *v, const char *param, void *field, List **errors)
{
	LabelItem  *item = field;

	if (JsonbStringIs(v, "REQUIRED"))
		item->requiredness = "REQUIRED";
	else if (JsonbStringIs(v, "NOT_REQUIRED"))
		item->requiredness = "NOT_REQUIRED";
	else
		AddValidationError(errors, param, "\"%s\" must be REQUIRED or NOT_REQUIRED", param);
}

/* id: a label id */
static void
LabelIdField(JsonbValue *v, const char *param, void *field, List **errors)
{
	((LabelItem *) field)->id = ClassIdField(v, LABEL_ID_PREFIX, param, errors);
}

/* name: a label's name */
static void
LabelNameField(JsonbValue *v, const char *param, void *field, List **errors)
{
	((LabelItem *) field)->name = ClassNameField(v, param, errors);
}

/* the fields of a label; the times are the server's */
static const FieldRule label_fields[] = {
	{"id", LabelIdField, 0},
	{"name", LabelNameField, 0},
	{"requiredness", RequirednessField, 0},
	{"createdDateTime", NULL, 0},
	{"updatedDateTime", NULL, 0},
};

/* Read one item's fields; errors are recorded in the item */
static void
ParseLabel(JsonbValue *element, LabelItem *item)
{
	if (!IsJsonbObject(element))
	{
		AddValidationError(&item->errors, "", "class label must be a JSON object, not %s",
						   JsonbValueTypeName(element));
		return;
	}
	DispatchFields(element->val.binary.data, NULL, label_fields, lengthof(label_fields), item,
				   &item->errors);
}

/* Fill absent fields from the stored labels (locked), and defaults for new ones */
static void
CompleteLabels(const CallScope *call, LabelItem *items, int n)
{
	char	  **ids = palloc(sizeof(char *) * n);
	int			nids = 0;
	ListCell   *lc;

	for (int i = 0; i < n; i++)
		if (items[i].errors == NIL && items[i].id != NULL)
			ids[nids++] = items[i].id;
	foreach(lc, LockLabels(call, ids, nids))
	{
		Label	   *label = lfirst(lc);

		for (int i = 0; i < n; i++)
			if (items[i].errors == NIL && items[i].id != NULL && strcmp(items[i].id, label->id) == 0)
			{
				items[i].stored = true;
				if (items[i].name == NULL)
					items[i].name = label->name;
				if (items[i].requiredness == NULL)
					items[i].requiredness = label->requiredness;
			}
	}

	for (int i = 0; i < n; i++)
	{
		if (items[i].errors != NIL)
			continue;
		if (items[i].name == NULL)
			AddValidationError(&items[i].errors, "name", "\"name\" is required");
		if (items[i].requiredness == NULL)
			items[i].requiredness = "NOT_REQUIRED";
		if (items[i].id == NULL)
			items[i].id = GenerateId(LABEL_ID_PREFIX);
	}
}

/* Write the valid labels in one statement and build their documents */
static void
WriteLabels(const CallScope *call, LabelItem *items, int n)
{
	static Oid	types[5] = {TEXTOID, TIMESTAMPTZOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
	char	  **ids = palloc(sizeof(char *) * n);
	char	  **names = palloc(sizeof(char *) * n);
	char	  **requiredness = palloc(sizeof(char *) * n);
	int			count = 0;
	Datum		values[5];

	for (int i = 0; i < n; i++)
		if (items[i].errors == NIL)
		{
			ids[count] = items[i].id;
			names[count] = items[i].name;
			requiredness[count++] = (char *) items[i].requiredness;
		}
	if (count == 0)
		return;

	values[0] = CStringGetTextDatum(call->tenant_id);
	values[1] = TimestampTzGetDatum(call->now);
	values[2] = TextArray(ids, count);
	values[3] = TextArray(names, count);
	values[4] = TextArray(requiredness, count);
	ExecutePlan(KeptPlan(&upsert_labels_plan, UPSERT_LABELS_SQL, 5, types), values, false,
				SPI_OK_INSERT_RETURNING);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *id = SPI_getvalue(tuple, desc, 1);
		JsonbParseState *state = NULL;
		bool		isnull;
		Jsonb	   *doc;

		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		PushKeyString(&state, "id", id);
		PushKeyString(&state, "name", SPI_getvalue(tuple, desc, 2));
		PushKeyString(&state, "requiredness", SPI_getvalue(tuple, desc, 3));
		PushKeyString(&state, "createdDateTime",
					  FormatTimestamp(DatumGetTimestampTz(SPI_getbinval(tuple, desc, 4, &isnull))));
		PushKeyString(&state, "updatedDateTime",
					  FormatTimestamp(DatumGetTimestampTz(SPI_getbinval(tuple, desc, 5, &isnull))));
		doc = EndObject(&state);
		for (int i = 0; i < n; i++)
			if (items[i].errors == NIL && strcmp(items[i].id, id) == 0)
				items[i].doc = doc;
	}
	SPI_freetuptable(SPI_tuptable);
}

/* The batch as ForEachBatchItem hands it to ReadLabelItem and KeepLabelItem */
typedef struct LabelBatch
{
	JsonbContainer *data;
	LabelItem  *items;
} LabelBatch;

/* Read one item's fields */
static bool
ReadLabelItem(int i, void *state)
{
	LabelBatch *batch = state;

	ParseLabel(getIthJsonbValueFromContainer(batch->data, i), &batch->items[i]);
	return true;
}

/* Keep what reading an item produced */
static void
KeepLabelItem(int i, void *state)
{
	LabelItem  *item = &((LabelBatch *) state)->items[i];

	item->errors = CopyItemErrors(item->errors);
	item->id = KeepString(item->id);
	item->name = KeepString(item->name);
}

PG_FUNCTION_INFO_V1(customers_save_class_labels);

/* SQL: customers.save_class_labels(request jsonb) returns the Tight envelope */
Datum
customers_save_class_labels(PG_FUNCTION_ARGS)
{
	JsonbContainer *data = BatchRequestData(PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0),
											"Pass {\"data\": [class label, ...]}.");
	int			n = JsonContainerSize(data);
	LabelItem  *items = palloc0(sizeof(LabelItem) * n);
	ItemResult *results = palloc0(sizeof(ItemResult) * n);
	CallScope	call;
	LabelBatch	batch = {data, items};
	EventBatch	events;

	ForEachBatchItem(n, ReadLabelItem, KeepLabelItem, &batch);
	for (int i = 0; i < n; i++)
	{
		for (int j = 0; j < i && items[i].id != NULL; j++)
			if (items[j].id != NULL && strcmp(items[j].id, items[i].id) == 0)
				AddValidationError(&items[i].errors, "id",
								   "class label \"%s\" appears more than once in this request",
								   items[i].id);
	}

	BeginCall(&call);
	CompleteLabels(&call, items, n);
	WriteLabels(&call, items, n);
	InitEventBatch(&events, n);
	for (int i = 0; i < n; i++)
		if (items[i].doc != NULL)
			AddEvent(&events, items[i].stored ? "class_label.updated" : "class_label.created",
					 items[i].id, NULL, items[i].doc);
	WriteEvents(&call, &events);
	EndCall(&call);

	for (int i = 0; i < n; i++)
	{
		results[i].errors = items[i].errors;
		results[i].data = items[i].doc;
	}
	PG_RETURN_JSONB_P(BuildSaveEnvelope(results, n));
}
