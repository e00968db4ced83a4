/*
 * segment_forest.h
 *		The segments of class labels as a forest: edits and listing.
 */
#ifndef SEGMENT_FOREST_H
#define SEGMENT_FOREST_H

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"

#include "class_store.h"

#define MAX_SEGMENT_DEPTH 32

/* A segment of the forest */
typedef struct Segment
{
	char	   *id;
	char	   *label_id;
	char	   *name;
	char	   *parent_id;		/* NULL for a root */
	char	   *stored_path;	/* comma-separated, NULL when new */
	char	   *path;
	TimestampTz created_at;
	bool		is_new;
	bool		changed;
} Segment;

/* The segments of the locked labels, in a list and by id */
typedef struct Forest
{
	List	   *segments;
	HTAB	   *by_id;
} Forest;

/* One item of a save_class_segments batch: an edit of the forest */
typedef struct SegmentItem
{
	List	   *errors;
	char	   *id;
	char	   *name;
	char	   *label_id;
	bool		parent_given;
	char	   *parent_id;
	Jsonb	   *doc;
} SegmentItem;

extern void InitForest(Forest *forest);
extern void AddToForest(Forest *forest, Segment *s);
extern Segment *FindSegment(Forest *forest, const char *id);
extern void ApplySegment(Forest *forest, Label *label, SegmentItem *item, List *stored);
extern char *PathOf(Forest *forest, Segment *s);
extern HTAB *ChildrenByParent(List *segments);
extern void AssembleChildren(JsonbValue *array, HTAB *children, const char *parent_id, int depth);
extern void FreeAssembled(JsonbValue *array);

#endif
