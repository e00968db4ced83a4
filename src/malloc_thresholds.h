/*
 * malloc_thresholds.h
 *		glibc's thresholds for giving freed memory back to the kernel.
 */
#ifndef MALLOC_THRESHOLDS_H
#define MALLOC_THRESHOLDS_H

extern void SetMallocThresholds(void);

#endif
