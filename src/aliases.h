/*
 * aliases.h
 *		Input field names of the other customer APIs, mapped to canonical ones.
 */
#ifndef ALIASES_H
#define ALIASES_H

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

extern JsonbContainer *ResolveAliases(JsonbContainer *item, List **errors, List **origins);
extern bool AliasesOnlyAddress(JsonbContainer *item);
extern void NameAliasesInErrors(List *errors, List *origins);

#endif
