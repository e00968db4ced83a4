/*
 * spi_plans.c
 *		SPI statements prepared once per backend and kept (SPI_keepplan),
 *		their execution, and the array arguments of set-based statements.
 *
 * The caller is connected to SPI and runs as the extension owner (see
 * call_context.c); results are copied into the caller's current memory
 * context before the tuple table is freed.
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/rel.h"

#include "citus.h"
#include "spi_plans.h"

/*
 * Kept plans that cannot go stale.
 *
 * A generic plan is chosen for the sizes of the tables at the time it is
 * made, and nothing makes it again while the table grows (only ANALYZE or
 * DDL does): a plan made on an empty table keeps scanning it whole, so a
 * one-transaction import through save, or any pooled connection that
 * started on a small table, becomes quadratic. So every kept generic plan
 * remembers the size in blocks of each table it reads, and is prepared again
 * once one of them has grown past PLAN_GROWTH times that size. No plan runs
 * on a table more than PLAN_GROWTH times larger than the planner saw, and a
 * table that grows to N blocks costs each statement about log2(N / 10)
 * plannings. The check costs one lseek per table per call
 * (RelationGetNumberOfBlocks).
 */
#define PLAN_GROWTH 2
/* the planner takes a smaller table that was never vacuumed as this many blocks */
#define PLANNER_MIN_BLOCKS 10

typedef struct PlanSizes
{
	SPIPlanPtr	plan;			/* the key */
	int			ntables;
	Oid		   *tables;
	BlockNumber *blocks;		/* each table's size when the plan was made */
} PlanSizes;

static HTAB *plan_sizes = NULL;

/*
 * PostgreSQL keeps plans of its own on these tables: the foreign key checks
 * (customer_segment's, payment_method's and customer_user's on customer),
 * made when the table was small and not again until ANALYZE or DDL. In a
 * one-transaction import the check of each new segment row came to walk an
 * index over the whole tenant. So when a table that kept plans read has
 * grown past PLAN_GROWTH times its size when last seen so, a transaction
 * that writes invalidates the table's relation cache entry: every cached
 * plan on it, PostgreSQL's too, is planned again (in this session from its
 * next statement on, in the others after commit).
 */
typedef struct TableSize
{
	Oid			relid;			/* the key */
	BlockNumber blocks;			/* the size when last planned for */
} TableSize;

static HTAB *table_sizes = NULL;

/* Note a table's size; invalidate its cached plans when it has outgrown them */
static void
NoteTableSize(Oid relid, BlockNumber blocks)
{
	TableSize  *entry;
	bool		found;

	if (blocks == InvalidBlockNumber)
		return;
	if (table_sizes == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(TableSize);
		table_sizes = hash_create("customers table sizes", 16, &ctl, HASH_ELEM | HASH_BLOBS);
	}
	entry = hash_search(table_sizes, &relid, HASH_ENTER, &found);
	if (!found)
		entry->blocks = blocks;
	else if ((uint64) blocks > (uint64) PLAN_GROWTH * Max(entry->blocks, PLANNER_MIN_BLOCKS) &&
			 !RecoveryInProgress() && !XactReadOnly)
	{
		CacheInvalidateRelcacheByRelid(relid);
		entry->blocks = blocks;
	}
}

/* The size of a table in blocks, or InvalidBlockNumber when it is gone */
static BlockNumber
TableBlocks(Oid relid)
{
	/* the lock is the one the plan's execution takes next anyway */
	Relation	rel = try_relation_open(relid, AccessShareLock);
	BlockNumber blocks;

	if (rel == NULL)
		return InvalidBlockNumber;
	blocks = RelationGetNumberOfBlocks(rel);
	relation_close(rel, NoLock);
	return blocks;
}

/* Remember the sizes of the tables a newly kept generic plan reads */
static void
RememberSizes(SPIPlanPtr plan)
{
	List	   *tables = NIL;
	ListCell   *lc;
	PlanSizes	sizes = {.plan = plan};
	int			i = 0;

	if (plan_sizes == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(SPIPlanPtr);
		ctl.entrysize = sizeof(PlanSizes);
		plan_sizes = hash_create("customers plan sizes", 64, &ctl, HASH_ELEM | HASH_BLOBS);
	}
	foreach(lc, SPI_plan_get_plan_sources(plan))
	{
		CachedPlanSource *source = lfirst(lc);
		ListCell   *rc;

		foreach(rc, source->relationOids)
		{
			if (get_rel_relkind(lfirst_oid(rc)) == RELKIND_RELATION)
				tables = list_append_unique_oid(tables, lfirst_oid(rc));
		}
	}
	sizes.ntables = list_length(tables);
	sizes.tables = MemoryContextAlloc(TopMemoryContext, sizeof(Oid) * Max(sizes.ntables, 1));
	sizes.blocks = MemoryContextAlloc(TopMemoryContext,
									  sizeof(BlockNumber) * Max(sizes.ntables, 1));
	foreach(lc, tables)
	{
		sizes.tables[i] = lfirst_oid(lc);
		sizes.blocks[i] = TableBlocks(sizes.tables[i]);
		NoteTableSize(sizes.tables[i], sizes.blocks[i]);
		i++;
	}
	list_free(tables);
	*(PlanSizes *) hash_search(plan_sizes, &plan, HASH_ENTER, NULL) = sizes;
}

/* Whether a table of the plan has grown past PLAN_GROWTH times its size then */
static bool
PlanOutgrown(SPIPlanPtr plan)
{
	PlanSizes  *entry;
	bool		outgrown = false;

	if (plan_sizes == NULL ||
		(entry = hash_search(plan_sizes, &plan, HASH_FIND, NULL)) == NULL)
		return false;
	for (int i = 0; i < entry->ntables; i++)
	{
		BlockNumber now = TableBlocks(entry->tables[i]);
		BlockNumber then = entry->blocks[i];

		NoteTableSize(entry->tables[i], now);
		if (now != InvalidBlockNumber &&
			(uint64) now > (uint64) PLAN_GROWTH * Max(then == InvalidBlockNumber ? 0 : then,
													  PLANNER_MIN_BLOCKS))
			outgrown = true;
	}
	return outgrown;
}

/* Free a kept plan and what is remembered of it */
static void
ForgetPlan(SPIPlanPtr plan)
{
	PlanSizes  *entry = plan_sizes == NULL ? NULL :
		hash_search(plan_sizes, &plan, HASH_FIND, NULL);

	if (entry != NULL)
	{
		pfree(entry->tables);
		pfree(entry->blocks);
		hash_search(plan_sizes, &plan, HASH_REMOVE, NULL);
	}
	SPI_freeplan(plan);
}

/*
 * On Citus every plan is a custom plan: only with the tenant's value in the
 * statement does Citus route it to the one shard of that tenant (a generic
 * plan of a write runs on every shard, or is refused), and custom plans
 * stay clear of a Citus crash in generic plans of some RETURNING lists.
 */
static int
PlanOptions(int options)
{
	if (CitusLoaded())
		return (options & ~CURSOR_OPT_GENERIC_PLAN) | CURSOR_OPT_CUSTOM_PLAN;
	return options;
}

/*
 * The plan for sql with SPI cursor options, prepared and kept on first use,
 * and prepared again when a generic plan has outgrown its tables (above).
 */
static SPIPlanPtr
KeptPlanWithOptions(SPIPlanPtr *cache, const char *sql, int nargs, Oid *types, int options)
{
	options = PlanOptions(options);
	if (*cache != NULL && PlanOutgrown(*cache))
	{
		SPIPlanPtr	old = *cache;

		*cache = NULL;
		ForgetPlan(old);
	}
	if (*cache == NULL)
	{
		MemoryContext context = CurrentMemoryContext;
		SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, types, options);

		MemoryContextSwitchTo(context);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		if (options & CURSOR_OPT_GENERIC_PLAN)
			RememberSizes(plan);
		*cache = plan;
	}
	return *cache;
}

/*
 * The plan for sql, prepared and kept on first use, and planned once: left
 * to itself the plan cache plans again for every call whose parameters make
 * a custom plan look cheaper (as a keyset position deep in an index always
 * does), and that planning costs more than running the statement.
 */
SPIPlanPtr
KeptPlan(SPIPlanPtr *cache, const char *sql, int nargs, Oid *types)
{
	return KeptPlanWithOptions(cache, sql, nargs, types, CURSOR_OPT_GENERIC_PLAN);
}

/*
 * Kept plans of statements built at run time, by the hash of their text and
 * parameter types: two filters can give the same text and pass a parameter
 * the text does not use with another type (a code condition the segments of
 * a walk apply in its place, src/query.c), and a plan prepared for one type
 * must not be run with a datum of the other.
 */
typedef struct ShapeEntry
{
	uint64		hash;			/* the key */
	char	   *sql;
	int			nargs;
	Oid		   *types;
	SPIPlanPtr	plan;
} ShapeEntry;

/* Whether entry is the statement sql with these parameter types */
static bool
SameShape(const ShapeEntry *entry, const char *sql, int nargs, const Oid *types)
{
	return entry->nargs == nargs && strcmp(entry->sql, sql) == 0 &&
		memcmp(entry->types, types, sizeof(Oid) * nargs) == 0;
}

/* beyond this many shapes, new ones are planned per call and not kept */
#define MAX_KEPT_SHAPES 512

static HTAB *shape_plans = NULL;

/*
 * The plan of a statement built at run time (one per query shape), kept
 * once per backend. Values are parameters, so the number of shapes is
 * bounded by the request language, and the cache by MAX_KEPT_SHAPES.
 */
static SPIPlanPtr
ShapePlanWithOptions(const char *sql, int nargs, Oid *types, int options)
{
	uint64		hash = hash_bytes_extended((const unsigned char *) types, sizeof(Oid) * nargs,
										   hash_bytes_extended((const unsigned char *) sql,
															   strlen(sql), 0));
	ShapeEntry *entry;
	bool		found;

	if (shape_plans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(uint64);
		ctl.entrysize = sizeof(ShapeEntry);
		shape_plans = hash_create("customers query plans", 64, &ctl, HASH_ELEM | HASH_BLOBS);
	}

	entry = hash_search(shape_plans, &hash, HASH_FIND, NULL);
	if (entry != NULL && SameShape(entry, sql, nargs, types))
		return KeptPlanWithOptions(&entry->plan, sql, nargs, types, options);
	if (entry != NULL || hash_get_num_entries(shape_plans) >= MAX_KEPT_SHAPES)
	{
		/* a hash collision or a full cache: plan for this call only */
		MemoryContext context = CurrentMemoryContext;
		SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, types, options);

		MemoryContextSwitchTo(context);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		return plan;
	}

	entry = hash_search(shape_plans, &hash, HASH_ENTER, &found);
	entry->plan = NULL;
	entry->sql = MemoryContextStrdup(TopMemoryContext, sql);
	entry->nargs = nargs;
	entry->types = MemoryContextAlloc(TopMemoryContext, sizeof(Oid) * Max(nargs, 1));
	memcpy(entry->types, types, sizeof(Oid) * nargs);
	PG_TRY();
	{
		KeptPlanWithOptions(&entry->plan, sql, nargs, types, options);
	}
	PG_CATCH();
	{
		pfree(entry->sql);
		pfree(entry->types);
		hash_search(shape_plans, &hash, HASH_REMOVE, NULL);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return entry->plan;
}

/*
 * The kept plan of a statement shape, planned once (see KeptPlan). Where a
 * value should choose the strategy, the caller chooses between statements
 * (query's contain) or plans per call (CustomShapePlan).
 */
SPIPlanPtr
ShapePlan(const char *sql, int nargs, Oid *types)
{
	return ShapePlanWithOptions(sql, nargs, types, PlanOptions(CURSOR_OPT_GENERIC_PLAN));
}

/*
 * The kept plan of a statement shape that is planned again for each call's
 * values: for shapes whose best plan depends on how many rows a value
 * selects (a rare or a common class segment), where one generic plan would
 * be slow for one of them. Planning costs well under a millisecond.
 */
SPIPlanPtr
CustomShapePlan(const char *sql, int nargs, Oid *types)
{
	return ShapePlanWithOptions(sql, nargs, types, PlanOptions(CURSOR_OPT_CUSTOM_PLAN));
}

/*
 * Run a kept plan and check its result code. SPI leaves its own procedure
 * context current; switch back so results are built where the caller wants.
 */
void
ExecutePlan(SPIPlanPtr plan, Datum *values, bool read_only, int expected)
{
	MemoryContext context = CurrentMemoryContext;
	int			rc = SPI_execute_plan(plan, values, NULL, read_only, 0);

	MemoryContextSwitchTo(context);
	if (rc != expected)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

/* A one-dimensional array of n datums; nulls may be NULL */
Datum
MakeArray(Datum *elems, bool *nulls, int n, Oid elemtype)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			dims[1] = {n};
	int			lbs[1] = {1};

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
											  elemtype, typlen, typbyval, typalign));
}

/* A text[] of C strings; NULL pointers become NULL elements */
Datum
TextArray(char **strings, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));

	for (int i = 0; i < n; i++)
	{
		nulls[i] = (strings[i] == NULL);
		elems[i] = nulls[i] ? (Datum) 0 : CStringGetTextDatum(strings[i]);
	}
	return MakeArray(elems, nulls, n, TEXTOID);
}

/*
 * The jsonb in the first column of the first row of the last statement's
 * result, copied, or NULL when it returned no row; frees the result.
 */
Jsonb *
ResultJsonb(void)
{
	Jsonb	   *doc = NULL;

	if (SPI_processed > 0)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			doc = DatumGetJsonbPCopy(d);
	}
	SPI_freetuptable(SPI_tuptable);
	return doc;
}
