/*
 * jsonb_build.c
 *		Reading keys, building objects with pushJsonbValue, and merging.
 *
 * pushJsonbValue sorts and de-duplicates an object's keys when it ends, and
 * unpacks binary (nested) values that are pushed into it, so values taken
 * from an iterator with skipNested can be pushed as they are.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "jsonb_build.h"

/* The value of key in an object, or NULL when absent */
JsonbValue *
FindKey(JsonbContainer *object, const char *key)
{
	if (!JsonContainerIsObject(object))
		return NULL;
	return getKeyJsonValueFromContainer(object, key, strlen(key), NULL);
}

/* A string value or key as a NUL-terminated copy */
char *
JsonbStringCopy(JsonbValue *v)
{
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* Whether a value or key is the string s */
bool
JsonbStringIs(JsonbValue *v, const char *s)
{
	return v->type == jbvString && v->val.string.len == (int) strlen(s) &&
		memcmp(v->val.string.val, s, v->val.string.len) == 0;
}

/* The index of the string among names that a value or key is, or -1 */
int
JsonbStringIndex(JsonbValue *v, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (JsonbStringIs(v, names[i]))
			return i;
	return -1;
}

/* The first key of object (in jsonb order) that is not among known, or NULL */
char *
FirstUnknownKey(JsonbContainer *object, const char *const *known, int nknown)
{
	JsonbIterator *it = JsonbIteratorInit(object);
	JsonbValue	key;
	JsonbValue	value;

	while (NextPair(&it, &key, &value))
		if (JsonbStringIndex(&key, known, nknown) < 0)
			return JsonbStringCopy(&key);
	return NULL;
}

/* Whether two values (scalar or binary) are equal as JSON */
bool
JsonbValuesEqual(JsonbValue *a, JsonbValue *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type)
	{
		case jbvNull:
			return true;
		case jbvBool:
			return a->val.boolean == b->val.boolean;
		case jbvString:
			return a->val.string.len == b->val.string.len &&
				memcmp(a->val.string.val, b->val.string.val, a->val.string.len) == 0;
		case jbvNumeric:
			return DatumGetBool(DirectFunctionCall2(numeric_eq,
													NumericGetDatum(a->val.numeric),
													NumericGetDatum(b->val.numeric)));
		case jbvBinary:
			return compareJsonbContainers(a->val.binary.data, b->val.binary.data) == 0;
		default:
			return false;
	}
}

/* The JSON type name of a value, for messages */
char *
JsonbValueTypeName(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvBool:
			return "boolean";
		case jbvString:
			return "string";
		case jbvNumeric:
			return "number";
		case jbvBinary:
			return JsonContainerIsObject(v->val.binary.data) ? "object" : "array";
		default:
			return "value";
	}
}

/* The next key and value of an object iteration (nested values as binary); false at the end */
bool
NextPair(JsonbIterator **it, JsonbValue *key, JsonbValue *value)
{
	JsonbIteratorToken token;

	/* every walk over keys passes here: cancel and statement_timeout act */
	CHECK_FOR_INTERRUPTS();
	while ((token = JsonbIteratorNext(it, key, true)) != WJB_DONE)
		if (token == WJB_KEY)
		{
			JsonbIteratorNext(it, value, true);
			return true;
		}
	return false;
}

/* Push every pair of an object */
void
PushPairs(JsonbParseState **state, JsonbContainer *object)
{
	JsonbIterator *it = JsonbIteratorInit(object);
	JsonbValue	key;
	JsonbValue	value;

	while (NextPair(&it, &key, &value))
	{
		pushJsonbValue(state, WJB_KEY, &key);
		pushJsonbValue(state, WJB_VALUE, &value);
	}
}

/* Push a string as key, value or array element */
void
PushString(JsonbParseState **state, JsonbIteratorToken token, const char *value, int len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) value;
	v.val.string.len = len;
	pushJsonbValue(state, token, &v);
}

/* Push an object key */
void
PushKey(JsonbParseState **state, const char *key)
{
	PushString(state, WJB_KEY, key, strlen(key));
}

/* Push a key and any value, scalar or binary */
void
PushKeyValue(JsonbParseState **state, const char *key, JsonbValue *value)
{
	PushKey(state, key);
	pushJsonbValue(state, WJB_VALUE, value);
}

/* Push a key and a string value; a NULL value pushes nothing */
void
PushKeyString(JsonbParseState **state, const char *key, const char *value)
{
	if (value != NULL)
		PushKeyStringLen(state, key, value, strlen(value));
}

/* Push a key and a string value of known length */
void
PushKeyStringLen(JsonbParseState **state, const char *key, const char *value, int len)
{
	PushKey(state, key);
	PushString(state, WJB_VALUE, value, len);
}

/* Push a key and a boolean */
void
PushKeyBool(JsonbParseState **state, const char *key, bool value)
{
	JsonbValue	v;

	v.type = jbvBool;
	v.val.boolean = value;
	PushKeyValue(state, key, &v);
}

/* Push a key and an integer */
void
PushKeyInt64(JsonbParseState **state, const char *key, int64 value)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(value);
	PushKeyValue(state, key, &v);
}

/* Push a key and JSON null */
void
PushKeyNull(JsonbParseState **state, const char *key)
{
	JsonbValue	v;

	v.type = jbvNull;
	PushKeyValue(state, key, &v);
}

/* End the outermost object and return it as jsonb */
Jsonb *
EndObject(JsonbParseState **state)
{
	return JsonbValueToJsonb(pushJsonbValue(state, WJB_END_OBJECT, NULL));
}

/* Push the merge of patch (an object) into target (any container or NULL) */
static JsonbValue *
PushMerged(JsonbParseState **state, JsonbContainer *target, JsonbContainer *patch, bool deep)
{
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;

	check_stack_depth();
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);

	if (target != NULL && JsonContainerIsObject(target))
	{
		it = JsonbIteratorInit(target);
		while (NextPair(&it, &key, &value))
		{
			if (getKeyJsonValueFromContainer(patch, key.val.string.val,
											 key.val.string.len, NULL) == NULL)
			{
				pushJsonbValue(state, WJB_KEY, &key);
				pushJsonbValue(state, WJB_VALUE, &value);
			}
		}
	}

	it = JsonbIteratorInit(patch);
	while (NextPair(&it, &key, &value))
	{
		if (value.type == jbvNull)
			continue;			/* null removes the member */
		pushJsonbValue(state, WJB_KEY, &key);
		if (deep && IsJsonbObject(&value))
		{
			JsonbValue *old = NULL;

			if (target != NULL && JsonContainerIsObject(target))
				old = getKeyJsonValueFromContainer(target, key.val.string.val,
												   key.val.string.len, NULL);
			PushMerged(state,
					   IsJsonbObject(old) ? old->val.binary.data : NULL,
					   value.val.binary.data, deep);
		}
		else
			pushJsonbValue(state, WJB_VALUE, &value);
	}

	return pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/*
 * RFC 7396 merge patch of target with patch, both objects. With deep false
 * only the top level merges: a nested object in patch replaces the old one.
 */
Jsonb *
JsonbMergePatch(JsonbContainer *target, JsonbContainer *patch, bool deep)
{
	JsonbParseState *state = NULL;

	return JsonbValueToJsonb(PushMerged(&state, target, patch, deep));
}

/* A copy of object without the named top-level keys */
Jsonb *
JsonbWithoutKeys(JsonbContainer *object, const char *const *keys, int nkeys)
{
	JsonbParseState *state = NULL;
	JsonbIterator *it = JsonbIteratorInit(object);
	JsonbValue	key;
	JsonbValue	value;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	while (NextPair(&it, &key, &value))
	{
		if (JsonbStringIndex(&key, keys, nkeys) < 0)
		{
			pushJsonbValue(&state, WJB_KEY, &key);
			pushJsonbValue(&state, WJB_VALUE, &value);
		}
	}
	return EndObject(&state);
}
