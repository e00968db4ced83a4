/*
 * spi_plans.h
 *		SPI statements prepared once and kept, their execution, and array
 *		arguments.
 */
#ifndef SPI_PLANS_H
#define SPI_PLANS_H

#include "executor/spi.h"
#include "utils/jsonb.h"

extern SPIPlanPtr KeptPlan(SPIPlanPtr *cache, const char *sql, int nargs, Oid *types);
extern SPIPlanPtr ShapePlan(const char *sql, int nargs, Oid *types);
extern SPIPlanPtr CustomShapePlan(const char *sql, int nargs, Oid *types);
extern void ExecutePlan(SPIPlanPtr plan, Datum *values, bool read_only, int expected);
extern Jsonb *ResultJsonb(void);
extern Datum MakeArray(Datum *elems, bool *nulls, int n, Oid elemtype);
extern Datum TextArray(char **strings, int n);

#endif
