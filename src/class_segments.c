/*
 * class_segments.c
 *		Class segments: batch save, the tree listing, and delete.
 *
 * Every save of a label's segments first locks the label row (FOR UPDATE, in
 * id order) and then reads the label's whole forest (segment_forest.c), so
 * two sessions that reparent concurrently are serialized and the second
 * sees the first's tree: it cannot close a cycle the first one opened. Saves
 * also bump the label's tree_version, so under REPEATABLE READ the second
 * gets a serialization failure instead of working on a stale tree.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "call_context.h"
#include "class_fields.h"
#include "class_store.h"
#include "envelope.h"
#include "event_store.h"
#include "item_errors.h"
#include "jsonb_assemble.h"
#include "jsonb_build.h"
#include "request.h"
#include "segment_forest.h"
#include "spi_plans.h"
#include "timestamps.h"

#define FOREST_SQL \
	"SELECT id, label_id, name, parent_id, pg_catalog.array_to_string(path, ','), created_at" \
	" FROM customers.class_segment" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND label_id OPERATOR(pg_catalog.=) ANY ($2)"

#define UPSERT_SEGMENTS_SQL \
	"INSERT INTO customers.class_segment AS s (tenant_id, id, label_id, name, parent_id, path," \
	" created_at, updated_at)" \
	" SELECT $1, u.id, u.label_id, u.name, u.parent_id, pg_catalog.string_to_array(u.path, ','), $2, $2" \
	" FROM ROWS FROM (pg_catalog.unnest($3), pg_catalog.unnest($4), pg_catalog.unnest($5)," \
	" pg_catalog.unnest($6), pg_catalog.unnest($7)) AS u(id, label_id, name, parent_id, path)" \
	" ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name," \
	" parent_id = excluded.parent_id, path = excluded.path, updated_at = excluded.updated_at" \
	" WHERE s.label_id OPERATOR(pg_catalog.=) excluded.label_id"

#define LIST_LABELS_SQL \
	"SELECT id, name, requiredness FROM customers.class_label" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1" \
	" AND ($2 OPERATOR(pg_catalog.=) '' OR id OPERATOR(pg_catalog.=) $2) ORDER BY name, id"

#define LIST_SEGMENTS_SQL \
	"SELECT id, label_id, name, parent_id FROM customers.class_segment" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1" \
	" AND ($2 OPERATOR(pg_catalog.=) '' OR label_id OPERATOR(pg_catalog.=) $2) ORDER BY name, id"

#define LOCK_SEGMENT_SQL \
	"SELECT label_id FROM customers.class_segment" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2 FOR UPDATE"

#define SEGMENT_USE_SQL \
	"SELECT (SELECT pg_catalog.count(*) FROM customers.class_segment c" \
	"  WHERE c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.parent_id OPERATOR(pg_catalog.=) $2)," \
	" (SELECT pg_catalog.count(*) FROM customers.customer_segment a" \
	"  WHERE a.tenant_id OPERATOR(pg_catalog.=) $1 AND a.segment_id OPERATOR(pg_catalog.=) $2)"

#define DELETE_SEGMENT_SQL \
	"DELETE FROM customers.class_segment" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2"

/*
 * What a label and a segment add to the listing beside their strings, at
 * most: an object's header, entries and keys, its "segments" or "children"
 * array, its entry in its parent's array and padding
 */
#define LISTED_LABEL_BYTES 80
#define LISTED_SEGMENT_BYTES 56

/* how many segment rows a listing reads at a time */
#define LIST_FETCH_ROWS 10000

static SPIPlanPtr forest_plan = NULL;
static SPIPlanPtr upsert_segments_plan = NULL;
static SPIPlanPtr list_labels_plan = NULL;
static SPIPlanPtr list_segments_plan = NULL;
static SPIPlanPtr lock_segment_plan = NULL;
static SPIPlanPtr segment_use_plan = NULL;
static SPIPlanPtr delete_segment_plan = NULL;

static Oid	tenant_and_ids[2] = {TEXTOID, TEXTARRAYOID};
static Oid	tenant_and_id[2] = {TEXTOID, TEXTOID};

/* id: a segment id */
static void
SegmentIdField(JsonbValue *v, const char *param, void *field, List **errors)
{
	((SegmentItem *) field)->id = ClassIdField(v, SEGMENT_ID_PREFIX, param, errors);
}

/* name: a segment's name */
static void
SegmentNameField(JsonbValue *v, const char *param, void *field, List **errors)
{
	((SegmentItem *) field)->name = ClassNameField(v, param, errors);
}

/* label: a reference to the segment's label */
static void
SegmentLabelField(JsonbValue *v, const char *param, void *field, List **errors)
{
	((SegmentItem *) field)->label_id = LabelReference(v, param, errors);
}

/* parent: a reference to the parent segment, or null for a root */
static void
ParentField(JsonbValue *v, const char *param, void *field, List **errors)
{
	SegmentItem *item = field;

	item->parent_given = true;
	item->parent_id = ClassReference(v, SEGMENT_ID_PREFIX, param, errors);
}

/* the fields of a segment; the times are the server's */
static const FieldRule segment_fields[] = {
	{"id", SegmentIdField, 0},
	{"name", SegmentNameField, 0},
	{"label", SegmentLabelField, 0},
	{"parent", ParentField, 0},
	{"createdDateTime", NULL, 0},
	{"updatedDateTime", NULL, 0},
};

/* Read one item's fields */
static void
ParseSegment(JsonbValue *element, SegmentItem *item)
{
	if (!IsJsonbObject(element))
	{
		AddValidationError(&item->errors, "", "class segment must be a JSON object, not %s",
						   JsonbValueTypeName(element));
		return;
	}
	DispatchFields(element->val.binary.data, NULL, segment_fields, lengthof(segment_fields),
				   item, &item->errors);
}

/*
 * The stored label of the segments the items name, as themselves or as
 * parents; an item that names a stored segment takes its label. Read before
 * the labels are locked, and without locks of its own: a segment's label
 * never changes, and all else is read again under the label lock.
 */
static List *
ReadStoredLabels(const CallScope *call, SegmentItem *items, int n)
{
	char	  **ids = palloc(sizeof(char *) * 2 * n);
	int			nids = 0;
	List	   *stored;

	for (int i = 0; i < n; i++)
		if (items[i].errors == NIL)
		{
			if (items[i].id != NULL)
				ids[nids++] = items[i].id;
			if (items[i].parent_id != NULL)
				ids[nids++] = items[i].parent_id;
		}
	stored = SegmentLabels(call, ids, nids, false);
	for (int i = 0; i < n; i++)
	{
		char	   *label = items[i].errors == NIL ? LabelOf(stored, items[i].id) : NULL;

		if (label == NULL)
			continue;
		if (items[i].label_id != NULL && strcmp(items[i].label_id, label) != 0)
			AddValidationError(&items[i].errors, "label",
							   "class segment \"%s\" belongs to class label \"%s\", which cannot be changed",
							   items[i].id, label);
		else
			items[i].label_id = label;
	}
	return stored;
}

/* Every segment of the locked labels */
static void
ReadForest(const CallScope *call, char **label_ids, int nlabels, Forest *forest)
{
	Datum		values[2];

	InitForest(forest);
	if (nlabels == 0)
		return;

	values[0] = CStringGetTextDatum(call->tenant_id);
	values[1] = TextArray(label_ids, nlabels);
	ExecutePlan(KeptPlan(&forest_plan, FOREST_SQL, 2, tenant_and_ids), values, false,
				SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		Segment    *s = palloc0(sizeof(Segment));
		bool		isnull;

		s->id = SPI_getvalue(tuple, desc, 1);
		s->label_id = SPI_getvalue(tuple, desc, 2);
		s->name = SPI_getvalue(tuple, desc, 3);
		s->parent_id = SPI_getvalue(tuple, desc, 4);
		s->stored_path = SPI_getvalue(tuple, desc, 5);
		s->created_at = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 6, &isnull));
		AddToForest(forest, s);
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * Write every segment that changed, or whose path did, in one statement, and
 * bump the tree version of their labels
 */
static void
WriteForest(const CallScope *call, Forest *forest)
{
	static Oid	types[7] = {TEXTOID, TIMESTAMPTZOID, TEXTARRAYOID, TEXTARRAYOID,
	TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
	int			n = list_length(forest->segments);
	char	  **ids = palloc(sizeof(char *) * Max(n, 1));
	char	  **labels = palloc(sizeof(char *) * Max(n, 1));
	char	  **names = palloc(sizeof(char *) * Max(n, 1));
	char	  **parents = palloc(sizeof(char *) * Max(n, 1));
	char	  **paths = palloc(sizeof(char *) * Max(n, 1));
	char	  **written_labels = palloc(sizeof(char *) * Max(n, 1));
	int			count = 0;
	int			nwritten_labels = 0;
	Datum		values[7];
	ListCell   *lc;

	foreach(lc, forest->segments)
	{
		Segment    *s = lfirst(lc);
		bool		seen = false;

		s->path = PathOf(forest, s);
		if (!s->changed && s->stored_path != NULL && strcmp(s->path, s->stored_path) == 0)
			continue;
		for (int i = 0; i < nwritten_labels && !seen; i++)
			seen = (strcmp(written_labels[i], s->label_id) == 0);
		if (!seen)
			written_labels[nwritten_labels++] = s->label_id;
		ids[count] = s->id;
		labels[count] = s->label_id;
		names[count] = s->name;
		parents[count] = s->parent_id;
		paths[count++] = s->path;
	}
	if (count == 0)
		return;
	values[0] = CStringGetTextDatum(call->tenant_id);
	values[1] = TimestampTzGetDatum(call->now);
	values[2] = TextArray(ids, count);
	values[3] = TextArray(labels, count);
	values[4] = TextArray(names, count);
	values[5] = TextArray(parents, count);
	values[6] = TextArray(paths, count);
	ExecutePlan(KeptPlan(&upsert_segments_plan, UPSERT_SEGMENTS_SQL, 7, types), values, false,
				SPI_OK_INSERT);

	/*
	 * A new id that a concurrent call created under another label (whose
	 * lock this call does not hold) is neither inserted nor updated.
	 */
	if (SPI_processed != (uint64) count)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not save class segments"),
				 errdetail("A new segment id was created concurrently under another class label."),
				 errhint("Retry the call; the segment will then be reported with its label.")));
	BumpLabels(call, written_labels, nwritten_labels);
}

/* The document of a saved segment */
static Jsonb *
SegmentDocument(const CallScope *call, Segment *s, Label *label)
{
	JsonbParseState *state = NULL;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(&state, "id", s->id);
	PushKeyString(&state, "name", s->name);
	PushKey(&state, "label");
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(&state, "id", label->id);
	PushKeyString(&state, "name", label->name);
	PushKeyString(&state, "requiredness", label->requiredness);
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	if (s->parent_id == NULL)
		PushKeyNull(&state, "parent");
	else
	{
		PushKey(&state, "parent");
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		PushKeyString(&state, "id", s->parent_id);
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	PushKeyString(&state, "createdDateTime", FormatTimestamp(s->is_new ? call->now : s->created_at));
	PushKeyString(&state, "updatedDateTime", FormatTimestamp(call->now));
	return EndObject(&state);
}

/* The batch as ForEachBatchItem hands it to ReadSegmentItem and KeepSegmentItem */
typedef struct SegmentBatch
{
	JsonbContainer *data;
	SegmentItem *items;
} SegmentBatch;

/* Read one item's fields */
static bool
ReadSegmentItem(int i, void *state)
{
	SegmentBatch *batch = state;

	ParseSegment(getIthJsonbValueFromContainer(batch->data, i), &batch->items[i]);
	return true;
}

/* Keep what reading an item produced */
static void
KeepSegmentItem(int i, void *state)
{
	SegmentItem *item = &((SegmentBatch *) state)->items[i];

	item->errors = CopyItemErrors(item->errors);
	item->id = KeepString(item->id);
	item->name = KeepString(item->name);
	item->label_id = KeepString(item->label_id);
	item->parent_id = KeepString(item->parent_id);
}

PG_FUNCTION_INFO_V1(customers_save_class_segments);

/* SQL: customers.save_class_segments(request jsonb) returns the Tight envelope */
Datum
customers_save_class_segments(PG_FUNCTION_ARGS)
{
	JsonbContainer *data = BatchRequestData(PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0),
											"Pass {\"data\": [class segment, ...]}.");
	int			n = JsonContainerSize(data);
	SegmentItem *items = palloc0(sizeof(SegmentItem) * n);
	ItemResult *results = palloc0(sizeof(ItemResult) * n);
	char	  **label_ids = palloc(sizeof(char *) * n);
	int			nlabels = 0;
	List	   *labels;
	List	   *stored;
	Forest		forest;
	CallScope	call;
	SegmentBatch batch = {data, items};
	EventBatch	events;

	ForEachBatchItem(n, ReadSegmentItem, KeepSegmentItem, &batch);
	for (int i = 0; i < n; i++)
	{
		for (int j = 0; j < i && items[i].id != NULL; j++)
			if (items[j].id != NULL && strcmp(items[j].id, items[i].id) == 0)
				AddValidationError(&items[i].errors, "id",
								   "class segment \"%s\" appears more than once in this request",
								   items[i].id);
	}

	BeginCall(&call);
	stored = ReadStoredLabels(&call, items, n);
	for (int i = 0; i < n; i++)
	{
		bool		seen = false;

		if (items[i].errors != NIL)
			continue;
		if (items[i].label_id == NULL)
		{
			AddValidationError(&items[i].errors, "label", "\"label\" is required");
			continue;
		}
		for (int j = 0; j < nlabels && !seen; j++)
			seen = (strcmp(label_ids[j], items[i].label_id) == 0);
		if (!seen)
			label_ids[nlabels++] = items[i].label_id;
	}

	labels = LockLabels(&call, label_ids, nlabels);
	ReadForest(&call, label_ids, nlabels, &forest);
	for (int i = 0; i < n; i++)
	{
		Label	   *label;

		if (items[i].errors != NIL)
			continue;
		label = FindLabel(labels, items[i].label_id);
		if (label == NULL)
			AddValidationError(&items[i].errors, "label", "class label \"%s\" does not exist",
							   items[i].label_id);
		else
			ApplySegment(&forest, label, &items[i], stored);
	}
	WriteForest(&call, &forest);
	InitEventBatch(&events, n);
	for (int i = 0; i < n; i++)
	{
		Segment    *s;

		if (items[i].errors != NIL)
			continue;
		s = FindSegment(&forest, items[i].id);
		items[i].doc = SegmentDocument(&call, s, FindLabel(labels, items[i].label_id));
		AddEvent(&events, s->is_new ? "class_segment.created" : "class_segment.updated",
				 items[i].id, NULL, items[i].doc);
	}
	WriteEvents(&call, &events);
	EndCall(&call);

	for (int i = 0; i < n; i++)
	{
		results[i].errors = items[i].errors;
		results[i].data = items[i].doc;
	}
	PG_RETURN_JSONB_P(BuildSaveEnvelope(results, n));
}

/*
 * A listed segment (id, label_id, name, parent_id) with its strings in one
 * allocation: a listing may hold 1,000,000 of them, whose strings and
 * struct apart took four times their bytes
 */
static Segment *
ListedSegment(HeapTuple tuple, TupleDesc desc)
{
	text	   *values[4];
	Size		size = sizeof(Segment);
	Segment    *s;
	char	   *p;

	for (int c = 0; c < (int) lengthof(values); c++)
	{
		bool		isnull;
		Datum		value = SPI_getbinval(tuple, desc, c + 1, &isnull);

		values[c] = isnull ? NULL : DatumGetTextPP(value);
		if (!isnull)
			size += VARSIZE_ANY_EXHDR(values[c]) + 1;
	}
	s = palloc0(size);
	p = (char *) (s + 1);
	for (int c = 0; c < (int) lengthof(values); c++)
	{
		char	  **field = c == 0 ? &s->id : c == 1 ? &s->label_id : c == 2 ? &s->name : &s->parent_id;
		Size		len;

		if (values[c] == NULL)
			continue;
		len = VARSIZE_ANY_EXHDR(values[c]);
		memcpy(p, VARDATA_ANY(values[c]), len);
		p[len] = '\0';
		*field = p;
		p += len + 1;
	}
	return s;
}

PG_FUNCTION_INFO_V1(customers_class_segments);

/* SQL: customers.class_segments(request jsonb) lists labels with their segment trees */
Datum
customers_class_segments(PG_FUNCTION_ARGS)
{
	Jsonb	   *request = PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0);
	char	   *label_id = NULL;
	CallScope	call;
	Datum		values[2];
	List	   *labels = NIL;
	List	   *segments = NIL;
	HTAB	   *children;
	ListCell   *lc;
	static const char *const top_keys[] = {"data", "result"};	/* in jsonb order */
	JsonbValue *labels_array;
	JsonbValue	data;
	JsonbValue	result;
	Portal		portal;
	MemoryContext context;
	int			nsegments = 0;
	static const int label_columns[] = {1, 2, 3};	/* id, name, requiredness */
	static const int segment_columns[] = {1, 3};	/* id, name */
	Size		bytes;

	if (request != NULL)
	{
		List	   *errors = NIL;
		JsonbValue *label;

		if (!JB_ROOT_IS_OBJECT(request) || JB_ROOT_IS_SCALAR(request) ||
			JB_ROOT_COUNT(request) > 1 ||
			(JB_ROOT_COUNT(request) == 1 && (label = FindKey(&request->root, "label")) == NULL))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid class segment listing request"),
					 errdetail("The request must be {} or {\"label\": id}."),
					 errhint("Pass {} for every label, or {\"label\": \"cll_01JD5XQ5X8V4ZK7C0H3M2Y6P9N\"} for one.")));
		if (JB_ROOT_COUNT(request) == 1)
		{
			label_id = ClassReference(label, LABEL_ID_PREFIX, "label", &errors);
			if (errors != NIL)
				RaiseItemErrors(errors);
		}
	}

	BeginCall(&call);
	values[0] = CStringGetTextDatum(call.tenant_id);
	values[1] = CStringGetTextDatum(label_id ? label_id : "");
	ExecutePlan(KeptPlan(&list_labels_plan, LIST_LABELS_SQL, 2, tenant_and_id), values, true,
				SPI_OK_SELECT);
	bytes = RowsSize(SPI_tuptable, (int) SPI_processed, label_columns, lengthof(label_columns),
					 LISTED_LABEL_BYTES);
	labels = ResultLabels();
	/*
	 * The segments a batch of rows at a time, counted as they come: past
	 * the limit they are only counted, for the error, and none is kept
	 */
	/* SPI leaves its own context current, which ends with the call */
	context = CurrentMemoryContext;
	portal = SPI_cursor_open(NULL, KeptPlan(&list_segments_plan, LIST_SEGMENTS_SQL, 2,
											tenant_and_id), values, NULL, true);
	MemoryContextSwitchTo(context);
	if (portal == NULL)
		elog(ERROR, "SPI_cursor_open failed: %s", SPI_result_code_string(SPI_result));
	for (;;)
	{
		SPI_cursor_fetch(portal, true, LIST_FETCH_ROWS);
		MemoryContextSwitchTo(context);
		if (SPI_processed == 0)
			break;
		nsegments += (int) SPI_processed;
		bytes += RowsSize(SPI_tuptable, (int) SPI_processed, segment_columns,
						  lengthof(segment_columns), LISTED_SEGMENT_BYTES);
		for (uint64 r = 0; r < SPI_processed && TreeResponseFits(bytes); r++)
		{
			CHECK_FOR_INTERRUPTS();
			segments = lappend(segments, ListedSegment(SPI_tuptable->vals[r], SPI_tuptable->tupdesc));
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	MemoryContextSwitchTo(context);
	EndCall(&call);
	/* refuse a listing too large to build before building it */
	CheckTreeResponseSize(label_id == NULL ? RESPONSE_CLASS_SEGMENTS :
						  RESPONSE_CLASS_SEGMENTS_OF_LABEL, nsegments, bytes);

	if (label_id != NULL && labels == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("class label \"%s\" does not exist", Echo(label_id)),
				 errhint("Check the id, and that customers.tenant_id names the label's tenant.")));

	children = ChildrenByParent(segments);
	labels_array = palloc(sizeof(JsonbValue) * Max(list_length(labels), 1));
	foreach(lc, labels)
	{
		static const char *const keys[] = {"id", "name", "segments", "requiredness"};	/* in jsonb order */
		Label	   *label = lfirst(lc);
		JsonbValue	values[lengthof(keys)];

		AssembleString(&values[0], label->id);
		AssembleString(&values[1], label->name);
		AssembleChildren(&values[2], children, label->id, 1);
		AssembleString(&values[3], label->requiredness);
		AssembleBinary(&labels_array[foreach_current_index(lc)],
					   AssembleObject(keys, values, lengthof(keys)));
		FreeAssembled(&values[2]);
	}
	AssembleArray(&data, labels_array, list_length(labels));
	AssembleString(&result, "SUCCESS");
	PG_RETURN_JSONB_P(AssembleObject(top_keys, (JsonbValue[]) {data, result}, 2));
}

/* Raise the error for a segment id this tenant does not have */
static void
SegmentNotFound(const char *id)
{
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("class segment \"%s\" does not exist", Echo(id)),
			 errhint("Check the id, and that customers.tenant_id names the segment's tenant.")));
}

PG_FUNCTION_INFO_V1(customers_delete_class_segment);

/*
 * SQL: customers.delete_class_segment(id text) deletes a segment that has no
 * children and that no customer holds.
 *
 * Locks in the order every tree change takes them: the label (so no child
 * can be added meanwhile), then the segment FOR UPDATE (which waits for the
 * customer saves that hold it FOR KEY SHARE, and makes later ones wait for
 * this transaction). Only then are children and customers counted, by a
 * statement that sees what those committed.
 */
Datum
customers_delete_class_segment(PG_FUNCTION_ARGS)
{
	char	   *id;
	CallScope	call;
	Datum		values[2];
	List	   *found;
	char	   *label_id;
	int64		children;
	int64		assigned;
	bool		isnull;
	JsonbParseState *state = NULL;
	EventBatch	events;

	id = TextArgument(fcinfo, 0, "id", "Pass the id of a class segment, such as 'cls_01JD5XQ5X8V4ZK7C0H3M2Y6P9N'.");

	BeginCall(&call);
	found = SegmentLabels(&call, &id, 1, false);
	if (found == NIL)
		SegmentNotFound(id);
	label_id = LabelOf(found, id);
	LockLabels(&call, &label_id, 1);

	values[0] = CStringGetTextDatum(call.tenant_id);
	values[1] = CStringGetTextDatum(id);
	ExecutePlan(KeptPlan(&lock_segment_plan, LOCK_SEGMENT_SQL, 2, tenant_and_id), values,
				false, SPI_OK_SELECT);
	if (SPI_processed == 0)
		SegmentNotFound(id);	/* deleted while this call waited */
	SPI_freetuptable(SPI_tuptable);

	ExecutePlan(KeptPlan(&segment_use_plan, SEGMENT_USE_SQL, 2, tenant_and_id), values,
				false, SPI_OK_SELECT);
	children = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	assigned = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	SPI_freetuptable(SPI_tuptable);

	if (children > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot delete class segment \"%s\" because it has child segments", id),
				 errdetail_plural("It has " INT64_FORMAT " child segment.",
								  "It has " INT64_FORMAT " child segments.",
								  children, children),
				 errhint("Delete its children, or move them under another parent, first.")));
	if (assigned > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot delete class segment \"%s\" because customers hold it", id),
				 errdetail_plural(INT64_FORMAT " customer holds it.",
								  INT64_FORMAT " customers hold it.",
								  assigned, assigned),
				 errhint("Move those customers, archived ones included, to another segment first.")));

	ExecutePlan(KeptPlan(&delete_segment_plan, DELETE_SEGMENT_SQL, 2, tenant_and_id), values,
				false, SPI_OK_DELETE);
	BumpLabels(&call, &label_id, 1);
	InitEventBatch(&events, 1);
	AddEvent(&events, "class_segment.deleted", id, NULL, NULL);
	WriteEvents(&call, &events);
	EndCall(&call);

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(&state, "id", id);
	PushKeyBool(&state, "deleted", true);
	PG_RETURN_JSONB_P(EndObject(&state));
}
