/*
 * page_edges.h
 *		The edges of a keyset page: which cursors it gets.
 */
#ifndef PAGE_EDGES_H
#define PAGE_EDGES_H

/* an edge with no cursor */
#define EDGE_NONE (-1)
/* an edge whose cursor is the request's own position */
#define EDGE_CURSOR (-2)

/* The row each cursor of a page points at: a row index, EDGE_NONE or EDGE_CURSOR */
typedef struct PageEdges
{
	int			after;
	int			before;
} PageEdges;

extern void ReverseRows(void *rows, int nrows, size_t size);
extern int	NearEdgeRow(int nrows, bool backward);
extern void FindPageEdges(int nrows, bool backward, bool more, bool other_side,
						  PageEdges *edges);

#endif
