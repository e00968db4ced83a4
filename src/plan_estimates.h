/*
 * plan_estimates.h
 *		The planner's count of the rows of the extension's tables, where
 *		pg_class's count is known to be wrong.
 */
#ifndef PLAN_ESTIMATES_H
#define PLAN_ESTIMATES_H

extern void InstallPlanEstimates(void);

#endif
