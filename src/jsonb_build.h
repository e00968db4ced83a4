/*
 * jsonb_build.h
 *		Small helpers for reading and building jsonb, and RFC 7396 merge patch.
 */
#ifndef JSONB_BUILD_H
#define JSONB_BUILD_H

#include "utils/jsonb.h"

extern JsonbValue *FindKey(JsonbContainer *object, const char *key);
extern char *JsonbStringCopy(JsonbValue *v);
extern bool JsonbStringIs(JsonbValue *v, const char *s);
extern int	JsonbStringIndex(JsonbValue *v, const char *const *names, int n);
extern char *FirstUnknownKey(JsonbContainer *object, const char *const *known, int nknown);
extern bool NextPair(JsonbIterator **it, JsonbValue *key, JsonbValue *value);
extern void PushPairs(JsonbParseState **state, JsonbContainer *object);
extern bool JsonbValuesEqual(JsonbValue *a, JsonbValue *b);
extern char *JsonbValueTypeName(JsonbValue *v);

extern void PushKey(JsonbParseState **state, const char *key);
extern void PushKeyValue(JsonbParseState **state, const char *key, JsonbValue *value);
extern void PushKeyString(JsonbParseState **state, const char *key, const char *value);
extern void PushKeyStringLen(JsonbParseState **state, const char *key, const char *value, int len);
extern void PushKeyBool(JsonbParseState **state, const char *key, bool value);
extern void PushKeyInt64(JsonbParseState **state, const char *key, int64 value);
extern void PushKeyNull(JsonbParseState **state, const char *key);
extern void PushString(JsonbParseState **state, JsonbIteratorToken token, const char *value, int len);
extern Jsonb *EndObject(JsonbParseState **state);

extern Jsonb *JsonbMergePatch(JsonbContainer *target, JsonbContainer *patch, bool deep);
extern Jsonb *JsonbWithoutKeys(JsonbContainer *object, const char *const *keys, int nkeys);

/* whether a value is an object (an iterator hands nested containers over as binary) */
static inline bool
IsJsonbObject(JsonbValue *v)
{
	return v != NULL && v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data);
}

/* whether a value is an array */
static inline bool
IsJsonbArray(JsonbValue *v)
{
	return v != NULL && v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data);
}

#endif
