/*
 * page_edges.c
 *		The edges of a keyset page: which cursors it gets.
 *
 * A page is walked from the request's cursor (or from the start) for
 * limit + 1 rows: the extra row shows that a page exists past its far edge.
 * One row probed past its near edge shows whether a page exists on the
 * other side. A cursor.before walks backwards, so its rows come nearest
 * first and are put back in page order before the edges are read. query and
 * the keyset lists share these rules, so their cursors behave alike.
 */
#include "postgres.h"

#include "page_edges.h"

/* Put rows (each size bytes) fetched nearest first into page order */
void
ReverseRows(void *rows, int nrows, size_t size)
{
	char	   *base = rows;
	char	   *swap = palloc(size);

	for (int i = 0; i < nrows / 2; i++)
	{
		memcpy(swap, base + i * size, size);
		memcpy(base + i * size, base + (nrows - 1 - i) * size, size);
		memcpy(base + (nrows - 1 - i) * size, swap, size);
	}
	pfree(swap);
}

/*
 * The row past which the other side of a page (in page order) is probed:
 * its first row forward, its last backward, the cursor's own position when
 * the page is empty.
 */
int
NearEdgeRow(int nrows, bool backward)
{
	if (nrows == 0)
		return EDGE_CURSOR;
	return backward ? nrows - 1 : 0;
}

/*
 * The cursors of a page of nrows rows in page order: "after" at its last
 * row when a page follows, "before" at its first when one precedes. more
 * says a row lay past the walk's far edge, other_side that one lies past
 * its near edge. An empty page past one edge leads back with the request's
 * cursor itself.
 */
void
FindPageEdges(int nrows, bool backward, bool more, bool other_side, PageEdges *edges)
{
	edges->after = EDGE_NONE;
	edges->before = EDGE_NONE;
	if (nrows == 0)
	{
		if (other_side && backward)
			edges->after = EDGE_CURSOR;
		else if (other_side)
			edges->before = EDGE_CURSOR;
		return;
	}
	if (backward ? other_side : more)
		edges->after = nrows - 1;
	if (backward ? more : other_side)
		edges->before = 0;
}
