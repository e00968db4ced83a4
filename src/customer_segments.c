/*
 * customer_segments.c
 *		The class segments a customer holds: checks, writes, and expansion.
 *
 * The document keeps classSegments as [{"id": …}]; customers.customer_segment
 * keeps one row per customer and label (so "at most one segment per label"
 * is the primary key) for filtering by subtree. Expansion turns each
 * {"id"} into the chain from its root down to it, with one statement for a
 * whole page.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "class_store.h"
#include "customer_segments.h"
#include "envelope.h"
#include "item_errors.h"
#include "jsonb_build.h"
#include "request.h"
#include "spi_plans.h"

#define REQUIRED_LABELS_SQL \
	"SELECT id, name FROM customers.class_label" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND requiredness OPERATOR(pg_catalog.=) 'REQUIRED'" \
	" ORDER BY id"

#define CLEAR_ASSIGNMENTS_SQL \
	"DELETE FROM customers.customer_segment" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND customer_id OPERATOR(pg_catalog.=) ANY ($2)"

#define ASSIGN_SQL \
	"INSERT INTO customers.customer_segment (tenant_id, customer_id, label_id, segment_id)" \
	" SELECT $1, u.customer_id, u.label_id, u.segment_id" \
	" FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4))" \
	" AS u(customer_id, label_id, segment_id)"

#define CHAINS_SQL \
	"SELECT a.id, s.id, s.name, l.id, l.name, l.requiredness" \
	" FROM customers.class_segment a" \
	" CROSS JOIN LATERAL pg_catalog.unnest(a.path) WITH ORDINALITY AS p(segment_id, depth)" \
	" JOIN customers.class_segment s ON s.tenant_id OPERATOR(pg_catalog.=) a.tenant_id" \
	"  AND s.id OPERATOR(pg_catalog.=) p.segment_id" \
	" JOIN customers.class_label l ON l.tenant_id OPERATOR(pg_catalog.=) s.tenant_id" \
	"  AND l.id OPERATOR(pg_catalog.=) s.label_id" \
	" WHERE a.tenant_id OPERATOR(pg_catalog.=) $1 AND a.id OPERATOR(pg_catalog.=) ANY ($2)" \
	" ORDER BY a.id, p.depth"

static SPIPlanPtr required_labels_plan = NULL;
static SPIPlanPtr clear_assignments_plan = NULL;
static SPIPlanPtr assign_plan = NULL;
static SPIPlanPtr chains_plan = NULL;

static Oid	tenant_and_ids[2] = {TEXTOID, TEXTARRAYOID};

/* Whether a change writes its row */
static inline bool
Writes(PlannedChange *change)
{
	return change->kind == CHANGE_CREATE || change->kind == CHANGE_UPDATE;
}

/* Rows (two text columns) of the current SPI result as pairs of Strings */
static List *
TextPairs(void)
{
	List	   *pairs = NIL;

	for (uint64 r = 0; r < SPI_processed; r++)
		pairs = lappend(pairs, list_make2(makeString(SPI_getvalue(SPI_tuptable->vals[r],
																	SPI_tuptable->tupdesc, 1)),
										  makeString(SPI_getvalue(SPI_tuptable->vals[r],
																	SPI_tuptable->tupdesc, 2))));
	SPI_freetuptable(SPI_tuptable);
	return pairs;
}

/* The position of the String equal to s in list, or -1 */
static int
IndexOfString(List *list, const char *s)
{
	ListCell   *lc;

	foreach(lc, list)
		if (strcmp(strVal(lfirst(lc)), s) == 0)
			return foreach_current_index(lc);
	return -1;
}

/* Record a segment error (a complete message and its arguments) and fail the change */
#define SegmentError(change, param, ...) \
	((change)->kind = CHANGE_FAILED, AddValidationError(&(change)->errors, (param), __VA_ARGS__))

/*
 * Check the segments of every change that writes: each exists, one per
 * label, and a create holds one of every REQUIRED label. Sets each row's
 * segment_labels.
 */
void
CheckCustomerSegments(const CallScope *call, PlannedChange *changes, int nchanges)
{
	char	  **ids = NULL;
	int			nids = 0;
	bool		any_create = false;
	List	   *segment_labels = NIL;
	List	   *required = NIL;
	Datum		values[2];

	for (int i = 0; i < nchanges; i++)
		if (Writes(&changes[i]))
		{
			any_create |= (changes[i].kind == CHANGE_CREATE);
			nids += list_length(changes[i].row.segment_ids);
		}
	if (nids == 0 && !any_create)
		return;

	values[0] = CStringGetTextDatum(call->tenant_id);
	if (nids > 0)
	{
		ids = palloc(sizeof(char *) * nids);
		nids = 0;
		for (int i = 0; i < nchanges; i++)
		{
			ListCell   *lc;

			if (Writes(&changes[i]))
				foreach(lc, changes[i].row.segment_ids)
					ids[nids++] = strVal(lfirst(lc));
		}
		segment_labels = SegmentLabels(call, ids, nids, true);
	}
	if (any_create)
	{
		ExecutePlan(KeptPlan(&required_labels_plan, REQUIRED_LABELS_SQL, 1, tenant_and_ids),
					values, false, SPI_OK_SELECT);
		required = TextPairs();
	}

	for (int i = 0; i < nchanges; i++)
	{
		PlannedChange *change = &changes[i];
		List	   *labels = NIL;	/* the label of each segment so far */
		ListCell   *lc;
		int			index = 0;
		bool		create = (change->kind == CHANGE_CREATE);

		if (!Writes(change))
			continue;
		foreach(lc, change->row.segment_ids)
		{
			char	   *segment = strVal(lfirst(lc));
			char	   *label = LabelOf(segment_labels, segment);
			char	   *param = psprintf("classSegments[%d]", index);
			int			same = label ? IndexOfString(labels, label) : -1;

			if (label == NULL)
				SegmentError(change, param, "class segment \"%s\" does not exist", segment);
			else if (same >= 0)
				SegmentError(change, param,
							 "class segments \"%s\" and \"%s\" both belong to class label \"%s\"; a customer holds at most one segment per label",
							 strVal(list_nth(change->row.segment_ids, same)), segment, label);
			labels = lappend(labels, makeString(label ? label : ""));
			index++;
		}
		if (create)
			foreach(lc, required)
				if (IndexOfString(labels, strVal(linitial(lfirst(lc)))) < 0)
					SegmentError(change, "classSegments",
								 "class label \"%s\" (\"%s\") is REQUIRED: a new customer must hold one of its segments",
								 strVal(linitial(lfirst(lc))), strVal(lsecond(lfirst(lc))));
		change->row.segment_labels = labels;
	}
}

/* Replace the assignments of every written customer that has or had segments */
void
WriteCustomerSegments(const CallScope *call, PlannedChange *changes, int nchanges)
{
	static Oid	types[4] = {TEXTOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
	char	  **cleared = palloc(sizeof(char *) * Max(nchanges, 1));
	int			ncleared = 0;
	int			nassigned = 0;
	char	  **customers;
	char	  **labels;
	char	  **segments;
	Datum		values[4];

	for (int i = 0; i < nchanges; i++)
	{
		PlannedChange *change = &changes[i];

		if (!Writes(change))
			continue;
		nassigned += list_length(change->row.segment_ids);
		if (change->kind == CHANGE_UPDATE &&
			(change->row.segment_ids != NIL || FindKey(&change->stored->doc->root, "classSegments")))
			cleared[ncleared++] = change->row.id;
	}

	values[0] = CStringGetTextDatum(call->tenant_id);
	if (ncleared > 0)
	{
		values[1] = TextArray(cleared, ncleared);
		ExecutePlan(KeptPlan(&clear_assignments_plan, CLEAR_ASSIGNMENTS_SQL, 2, types),
					values, false, SPI_OK_DELETE);
	}
	if (nassigned == 0)
		return;

	customers = palloc(sizeof(char *) * nassigned);
	labels = palloc(sizeof(char *) * nassigned);
	segments = palloc(sizeof(char *) * nassigned);
	nassigned = 0;
	for (int i = 0; i < nchanges; i++)
	{
		ListCell   *ls;
		ListCell   *ll;

		if (!Writes(&changes[i]))
			continue;
		forboth(ls, changes[i].row.segment_ids, ll, changes[i].row.segment_labels)
		{
			customers[nassigned] = changes[i].row.id;
			segments[nassigned] = strVal(lfirst(ls));
			labels[nassigned++] = strVal(lfirst(ll));
		}
	}
	values[1] = TextArray(customers, nassigned);
	values[2] = TextArray(labels, nassigned);
	values[3] = TextArray(segments, nassigned);
	ExecutePlan(KeptPlan(&assign_plan, ASSIGN_SQL, 4, types), values, false, SPI_OK_INSERT);
}

/* One level of a chain: a segment and its label */
typedef struct ChainLink
{
	char	   *assigned;		/* the segment whose chain this is */
	char	   *id;
	char	   *name;
	char	   *label_id;
	char	   *label_name;
	char	   *requiredness;
} ChainLink;

/* An assigned segment's chain: links[first .. first + depth - 1] */
typedef struct Chain
{
	const char *assigned;
	int			first;
	int			depth;
	Size		bytes;			/* about what it adds to a response */
} Chain;

/* a link's bytes in a response beside its strings: keys, headers, entries */
#define LINK_OVERHEAD 64

static int
CompareChains(const void *a, const void *b)
{
	return strcmp(((const Chain *) a)->assigned, ((const Chain *) b)->assigned);
}

/* The chain of an assigned segment, or NULL (deleted meanwhile) */
static Chain *
FindChain(Chain *chains, int nchains, const char *assigned)
{
	Chain		key = {.assigned = assigned};

	return bsearch(&key, chains, nchains, sizeof(Chain), CompareChains);
}

/* The chains in links (grouped by assigned segment), sorted for FindChain */
static Chain *
GroupChains(ChainLink *links, int nlinks, int *nchains)
{
	Chain	   *chains = palloc(sizeof(Chain) * Max(nlinks, 1));
	int			n = 0;

	for (int i = 0; i < nlinks; i++)
	{
		ChainLink  *l = &links[i];

		CHECK_FOR_INTERRUPTS();
		if (n == 0 || strcmp(chains[n - 1].assigned, l->assigned) != 0)
			chains[n++] = (Chain) {.assigned = l->assigned, .first = i};
		chains[n - 1].depth++;
		chains[n - 1].bytes += LINK_OVERHEAD + strlen(l->id) + strlen(l->name) +
			strlen(l->label_id) + strlen(l->label_name) + strlen(l->requiredness);
	}
	qsort(chains, n, sizeof(Chain), CompareChains);
	*nchains = n;
	return chains;
}

/* Push the chain of one assigned segment: root first, "child" down to it */
static void
PushChain(JsonbParseState **state, ChainLink *links, Chain *chain, const char *assigned)
{
	int			depth = 0;
	int			first = chain == NULL ? 0 : chain->first;
	int			end = chain == NULL ? 0 : chain->first + chain->depth;

	for (int i = first; i < end; i++)
	{
		if (depth > 0)
			PushKey(state, "child");
		pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
		PushKeyString(state, "id", links[i].id);
		PushKey(state, "label");
		pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
		PushKeyString(state, "id", links[i].label_id);
		PushKeyString(state, "name", links[i].label_name);
		PushKeyString(state, "requiredness", links[i].requiredness);
		pushJsonbValue(state, WJB_END_OBJECT, NULL);
		PushKeyString(state, "name", links[i].name);
		depth++;
	}
	if (depth == 0)
	{
		/* deleted meanwhile: show the reference as stored */
		pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
		PushKeyString(state, "id", assigned);
		pushJsonbValue(state, WJB_END_OBJECT, NULL);
		return;
	}
	PushKeyNull(state, "child");
	while (depth-- > 0)
		pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/* The ids in a document's classSegments, appended to ids */
static void
AssignedIds(Jsonb *doc, char ***ids, int *nids, int *capacity)
{
	JsonbValue *segments = FindKey(&doc->root, "classSegments");

	if (!IsJsonbArray(segments))
		return;
	for (int i = 0; i < (int) JsonContainerSize(segments->val.binary.data); i++)
	{
		JsonbValue *item = getIthJsonbValueFromContainer(segments->val.binary.data, i);
		JsonbValue *id = IsJsonbObject(item) ? FindKey(item->val.binary.data, "id") : NULL;

		if (id == NULL || id->type != jbvString)
			continue;
		if (*nids == *capacity)
		{
			*capacity *= 2;
			*ids = repalloc(*ids, sizeof(char *) * *capacity);
		}
		(*ids)[(*nids)++] = JsonbStringCopy(id);
	}
}

/* What expanding the documents of one page shares (ForEachBatchItem's state) */
typedef struct Expansion
{
	Jsonb	  **docs;
	ChainLink  *links;
	Chain	   *chains;
	int			nchains;
	char	  **ids;
	int			capacity;
	Jsonb	   *built;			/* the document just built, in the item's context */
} Expansion;

/* Build document d with its chains (false when it holds no classSegments) */
static bool
ExpandDocument(int d, void *arg)
{
	Expansion  *x = arg;
	JsonbParseState *state = NULL;
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;
	int			nids = 0;

	if (FindKey(&x->docs[d]->root, "classSegments") == NULL)
		return false;
	AssignedIds(x->docs[d], &x->ids, &nids, &x->capacity);

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	it = JsonbIteratorInit(&x->docs[d]->root);
	while (NextPair(&it, &key, &value))
	{
		if (JsonbStringIs(&key, "classSegments"))
			continue;
		pushJsonbValue(&state, WJB_KEY, &key);
		pushJsonbValue(&state, WJB_VALUE, &value);
	}
	PushKey(&state, "classSegments");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < nids; i++)
		PushChain(&state, x->links, FindChain(x->chains, x->nchains, x->ids[i]), x->ids[i]);
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	x->built = EndObject(&state);
	return true;
}

/* Keep the document just built, without the values it was built from */
static void
KeepExpanded(int d, void *arg)
{
	Expansion  *x = arg;

	x->docs[d] = palloc(VARSIZE(x->built));
	memcpy(x->docs[d], x->built, VARSIZE(x->built));
}

/*
 * Replace each document's classSegments by the chains from the root down to
 * each assigned segment, reading every chain of the page in one statement.
 * Each document is built in a memory context of its own (the values pushed
 * to build it took 14 times the response), and only the result is kept.
 */
void
ExpandSegments(const CallScope *call, Jsonb **docs, int ndocs)
{
	Expansion	x = {.docs = docs, .capacity = 16};
	int			nids = 0;
	int			nlinks;
	Size		bytes = 0;
	Datum		values[2];

	x.ids = palloc(sizeof(char *) * x.capacity);
	for (int d = 0; d < ndocs; d++)
		AssignedIds(docs[d], &x.ids, &nids, &x.capacity);
	if (nids == 0)
		return;

	values[0] = CStringGetTextDatum(call->tenant_id);
	values[1] = TextArray(x.ids, nids);
	ExecutePlan(KeptPlan(&chains_plan, CHAINS_SQL, 2, tenant_and_ids), values, true,
				SPI_OK_SELECT);
	nlinks = SPI_processed;
	x.links = palloc(sizeof(ChainLink) * Max(nlinks, 1));
	for (int r = 0; r < nlinks; r++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;

		x.links[r].assigned = SPI_getvalue(tuple, desc, 1);
		x.links[r].id = SPI_getvalue(tuple, desc, 2);
		x.links[r].name = SPI_getvalue(tuple, desc, 3);
		x.links[r].label_id = SPI_getvalue(tuple, desc, 4);
		x.links[r].label_name = SPI_getvalue(tuple, desc, 5);
		x.links[r].requiredness = SPI_getvalue(tuple, desc, 6);
	}
	SPI_freetuptable(SPI_tuptable);
	x.chains = GroupChains(x.links, nlinks, &x.nchains);

	/* refuse a response too large to build before building it */
	for (int i = 0; i < nids; i++)
	{
		Chain	   *chain = FindChain(x.chains, x.nchains, x.ids[i]);

		bytes += chain == NULL ? LINK_OVERHEAD : chain->bytes;
	}
	CheckExpandedSize(ndocs, bytes);

	ForEachBatchItem(ndocs, ExpandDocument, KeepExpanded, &x);
}
