/*
 * malloc_thresholds.c
 *		glibc's thresholds for giving freed memory back to the kernel, set
 *		once when the library loads.
 *
 * A call builds its page in memory contexts that PostgreSQL frees when the
 * call ends: the rows SPI returns, the documents kept from them, the
 * response, the planner's work. A page of 50 customers allocates about
 * 200 kB. glibc's defaults give any free space past 128 kB at the top of
 * the heap back to the kernel (brk) and serve blocks of 128 kB or more by
 * mmap, so every call shrank the heap at its end and grew it again in the
 * next, each time flushing the TLB of every CPU and faulting the pages in
 * anew. On a 2-core VM that tripled a page from a cursor (0.3 ms became
 * 1 ms: its few more allocations crossed the threshold where the first page
 * stayed just below it) and made a page of 1,000 cost 40 to 70 ms instead
 * of 6 (bench/README.md). glibc raises both thresholds itself once a large
 * mmap'ed block is freed, up to 32 MB; this sets them as it would after
 * freeing a block of PostgreSQL's largest ordinary size (8 MB), so a
 * backend keeps at most 16 MB of freed heap for its next call.
 */
#include "postgres.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "utils/memutils.h"

#include "malloc_thresholds.h"

/* Keep freed memory for the next call instead of returning it per call */
void
SetMallocThresholds(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, ALLOCSET_DEFAULT_MAXSIZE);
	mallopt(M_TRIM_THRESHOLD, 2 * ALLOCSET_DEFAULT_MAXSIZE);
#endif
}
