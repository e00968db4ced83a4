/*
 * segment_forest.c
 *		The segments of class labels as a forest: edits checked against it,
 *		and the trees it lists.
 *
 * Segments of one label form a forest: a segment's parent must have the same
 * label, there are no cycles, and no chain is deeper than 32. Each segment
 * keeps its path (the ids from its root down to itself); a move rewrites the
 * paths of the moved subtree, so filters by subtree need no recursion.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"

#include "class_fields.h"
#include "class_store.h"
#include "ids.h"
#include "item_errors.h"
#include "jsonb_assemble.h"
#include "jsonb_build.h"
#include "segment_forest.h"

/* A segment by id */
typedef struct ForestEntry
{
	char		id[NAMEDATALEN * 2];
	Segment    *segment;
} ForestEntry;

/* The children of one parent, in name order */
typedef struct ChildrenEntry
{
	/* a label's id for its roots; an id is a prefix and 64 characters */
	char		parent_id[4 + MAX_CLIENT_ID_BODY + 4];
	List	   *children;		/* of Segment */
} ChildrenEntry;

/* An empty forest, its hash in the current memory context */
void
InitForest(Forest *forest)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(((ForestEntry *) NULL)->id);
	ctl.entrysize = sizeof(ForestEntry);
	ctl.hcxt = CurrentMemoryContext;
	forest->by_id = hash_create("class segments", 256, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	forest->segments = NIL;
}

/* Add a segment to the forest */
void
AddToForest(Forest *forest, Segment *s)
{
	ForestEntry *entry = hash_search(forest->by_id, s->id, HASH_ENTER, NULL);

	entry->segment = s;
	forest->segments = lappend(forest->segments, s);
}

/* The segment with this id, or NULL */
Segment *
FindSegment(Forest *forest, const char *id)
{
	ForestEntry *entry;

	if (id == NULL || strlen(id) >= sizeof(entry->id))
		return NULL;
	entry = hash_search(forest->by_id, id, HASH_FIND, NULL);
	return entry ? entry->segment : NULL;
}

/* Levels from the root down to s (a root has depth 1); -1 on a cycle */
static int
Depth(Forest *forest, Segment *s)
{
	int			depth = 0;

	/* before a move every chain has at most 32 levels, after it at most 64 */
	for (; s != NULL; s = FindSegment(forest, s->parent_id))
		if (++depth > 2 * MAX_SEGMENT_DEPTH)
			return -1;
	return depth;
}

/* The deepest depth among s and its descendants; -1 on a cycle */
static int
DeepestBelow(Forest *forest, Segment *s)
{
	int			deepest = 0;
	ListCell   *lc;

	foreach(lc, forest->segments)
	{
		Segment    *other = lfirst(lc);
		Segment    *up;
		int			depth = Depth(forest, other);

		if (depth < 0)
			return -1;
		for (up = other; up != NULL && up != s; up = FindSegment(forest, up->parent_id))
			;
		if (up == s)
			deepest = Max(deepest, depth);
	}
	return deepest;
}

/*
 * Apply one valid item to the forest, or record why it cannot be applied.
 * stored holds the labels of stored segments the batch names, for telling
 * a parent under another label from one that does not exist.
 */
void
ApplySegment(Forest *forest, Label *label, SegmentItem *item, List *stored)
{
	Segment    *s = FindSegment(forest, item->id);
	Segment    *parent = NULL;
	bool		existed = (s != NULL);
	char	   *old_parent;
	char	   *old_name;
	int			deepest;

	if (item->parent_given && item->parent_id != NULL)
	{
		char	   *parent_label;

		/* the forest holds this label's segments as they are under the lock */
		parent = FindSegment(forest, item->parent_id);
		parent_label = parent ? parent->label_id : LabelOf(stored, item->parent_id);
		if (parent_label == NULL || (parent == NULL && strcmp(parent_label, label->id) == 0))
		{
			AddValidationError(&item->errors, "parent",
							   "parent segment \"%s\" does not exist", item->parent_id);
			return;
		}
		if (strcmp(parent_label, label->id) != 0)
		{
			AddValidationError(&item->errors, "parent",
							   "parent segment \"%s\" belongs to class label \"%s\", not \"%s\"",
							   item->parent_id, parent_label, label->id);
			return;
		}
	}
	if (s == NULL)
	{
		if (item->name == NULL)
		{
			AddValidationError(&item->errors, "name", "\"name\" is required");
			return;
		}
		s = palloc0(sizeof(Segment));
		s->id = item->id ? item->id : GenerateId(SEGMENT_ID_PREFIX);
		s->label_id = label->id;
		s->is_new = true;
		item->id = s->id;
		AddToForest(forest, s);
	}

	old_parent = s->parent_id;
	old_name = s->name;
	if (item->name != NULL)
		s->name = item->name;
	if (item->parent_given)
		s->parent_id = parent ? parent->id : NULL;

	/*
	 * A new segment has no children yet: only its own chain counts. A stored
	 * one that keeps its parent (a rename) changes no chain.
	 */
	if (!existed)
		deepest = Depth(forest, s);
	else if (s->parent_id == NULL ? old_parent != NULL :
			 old_parent == NULL || strcmp(s->parent_id, old_parent) != 0)
		deepest = DeepestBelow(forest, s);
	else
		deepest = 0;
	if (deepest < 0 || deepest > MAX_SEGMENT_DEPTH)
	{
		s->parent_id = old_parent;
		s->name = old_name;
		if (s->is_new && old_name == NULL)
		{
			forest->segments = list_delete_ptr(forest->segments, s);
			hash_search(forest->by_id, s->id, HASH_REMOVE, NULL);
		}
		if (deepest < 0 && strcmp(item->id, item->parent_id) == 0)
			AddValidationError(&item->errors, "parent",
							   "class segment \"%s\" cannot be its own parent", item->id);
		else if (deepest < 0)
			AddValidationError(&item->errors, "parent",
							   "class segment \"%s\" cannot be placed under its own descendant \"%s\"",
							   item->id, item->parent_id);
		else
			AddValidationError(&item->errors, "parent",
							   "the class segment tree would be %d levels deep; at most %d are allowed",
							   deepest, MAX_SEGMENT_DEPTH);
		return;
	}
	s->changed = true;
}

/* The comma-separated ids from the root down to s */
char *
PathOf(Forest *forest, Segment *s)
{
	List	   *chain = NIL;
	StringInfoData path;
	ListCell   *lc;

	for (; s != NULL; s = FindSegment(forest, s->parent_id))
		chain = lcons(s->id, chain);
	initStringInfo(&path);
	foreach(lc, chain)
		appendStringInfo(&path, "%s%s", path.len ? "," : "", (char *) lfirst(lc));
	return path.data;
}

/* Segments (in name order) by parent: the roots of a label under its id */
HTAB *
ChildrenByParent(List *segments)
{
	HASHCTL		ctl;
	HTAB	   *children;
	ListCell   *lc;

	ctl.keysize = sizeof(((ChildrenEntry *) NULL)->parent_id);
	ctl.entrysize = sizeof(ChildrenEntry);
	ctl.hcxt = CurrentMemoryContext;
	children = hash_create("class segment children", Max(list_length(segments), 16), &ctl,
						   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	foreach(lc, segments)
	{
		Segment    *s = lfirst(lc);
		const char *key = s->parent_id ? s->parent_id : s->label_id;
		ChildrenEntry *entry;
		bool		found;

		CHECK_FOR_INTERRUPTS();
		if (strlen(key) >= sizeof(entry->parent_id))
			elog(ERROR, "class segment id \"%s\" is too long", key);
		entry = hash_search(children, key, HASH_ENTER, &found);
		if (!found)
			entry->children = NIL;
		entry->children = lappend(entry->children, s);
	}
	return children;
}

/* Free the containers of an array value that AssembleChildren made, and the array */
void
FreeAssembled(JsonbValue *array)
{
	for (int i = 0; i < array->val.array.nElems; i++)
		pfree((char *) array->val.array.elems[i].val.binary.data - offsetof(Jsonb, root));
	pfree(array->val.array.elems);
}

/*
 * The children of parent_id (a label id: its roots) with their subtrees, as
 * an array value of assembled containers. Each segment's object is
 * assembled from its children's, which are freed once copied into it: the
 * tree is never held as JsonbValues (pushJsonbValue took 22 times the
 * response for 200,000 segments), only as its containers, and a level's
 * bytes are copied once per level above it (32 at most).
 */
void
AssembleChildren(JsonbValue *array, HTAB *children, const char *parent_id, int depth)
{
	static const char *const keys[] = {"id", "name", "children"};	/* in jsonb order */
	ChildrenEntry *entry = hash_search(children, parent_id, HASH_FIND, NULL);
	List	   *list = entry && depth <= MAX_SEGMENT_DEPTH ? entry->children : NIL;
	JsonbValue *elems = palloc(sizeof(JsonbValue) * Max(list_length(list), 1));
	ListCell   *lc;

	check_stack_depth();
	foreach(lc, list)
	{
		Segment    *s = lfirst(lc);
		JsonbValue	values[lengthof(keys)];

		CHECK_FOR_INTERRUPTS();
		AssembleString(&values[0], s->id);
		AssembleString(&values[1], s->name);
		AssembleChildren(&values[2], children, s->id, depth + 1);
		AssembleBinary(&elems[foreach_current_index(lc)], AssembleObject(keys, values, lengthof(keys)));
		FreeAssembled(&values[2]);
	}
	AssembleArray(array, elems, list_length(list));
}
