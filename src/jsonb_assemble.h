/*
 * jsonb_assemble.h
 *		jsonb objects assembled from stored containers, copied byte for byte
 *		instead of decoded and re-encoded.
 */
#ifndef JSONB_ASSEMBLE_H
#define JSONB_ASSEMBLE_H

#include "utils/jsonb.h"

extern void AssembleString(JsonbValue *value, const char *string);
extern void AssembleBinary(JsonbValue *value, Jsonb *container);
extern void AssembleArray(JsonbValue *value, JsonbValue *elems, int n);
extern Jsonb *AssembleObject(const char *const *keys, const JsonbValue *values, int n);

#endif
