/*
 * plan_estimates.c
 *		The planner's count of the rows of the extension's tables, where
 *		pg_class's count is known to be wrong.
 *
 * An ANALYZE that runs while an import's rows are not yet committed (as
 * autovacuum does during a long one-transaction import) counts none of them
 * and records the table as empty: reltuples 0 over relpages pages. From
 * then on the planner takes every page of the table as empty (a density of
 * 0 rows per page), however large it grows, until the next ANALYZE after
 * the commit: every index lookup costs the same, and a tie can go to any
 * index. PostgreSQL's foreign key check of each new customer_segment row
 * then walked customer_updated_at_idx over the whole tenant instead of
 * looking up the primary key, 20 ms per row past 100,000 customers, and
 * planning again as the table grows (spi_plans.c) cannot help. So a table
 * of the extension counted as empty while it has pages is estimated as a
 * table never counted is: from the width of its rows.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "nodes/pathnodes.h"
#include "optimizer/plancat.h"
#include "storage/bufpage.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "plan_estimates.h"

static get_relation_info_hook_type prev_get_relation_info_hook = NULL;

static void
EstimateRows(PlannerInfo *root, Oid relid, bool inhparent, RelOptInfo *rel)
{
	Relation	relation;
	int32		width;
	ListCell   *lc;

	if (prev_get_relation_info_hook != NULL)
		prev_get_relation_info_hook(root, relid, inhparent, rel);

	/* the cheap tests first: this is called for every table planned */
	if (rel->tuples > 0 || rel->pages == 0 || inhparent ||
		get_rel_namespace(relid) != get_namespace_oid("customers", true))
		return;

	/* the planner holds a lock on the table already */
	relation = table_open(relid, NoLock);
	width = get_rel_data_width(relation, NULL) +
		MAXALIGN(SizeofHeapTupleHeader) + sizeof(ItemIdData);
	rel->tuples = rint((double) rel->pages * (BLCKSZ - SizeOfPageHeaderData) / width);
	table_close(relation, NoLock);

	/* its indexes were counted from the table, or as empty too */
	foreach(lc, rel->indexlist)
	{
		IndexOptInfo *index = lfirst(lc);

		if (index->tuples <= 0 && index->pages > 1)
			index->tuples = rel->tuples;
	}
}

void
InstallPlanEstimates(void)
{
	prev_get_relation_info_hook = get_relation_info_hook;
	get_relation_info_hook = EstimateRows;
}
