/*
 * class_fields.c
 *		The vocabulary of class labels and segments: their ids, names and
 *		references, as fields of a request.
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "utils/jsonb.h"

#include "class_fields.h"
#include "ids.h"
#include "item_errors.h"
#include "jsonb_build.h"

#define MAX_NAME_CHARS 255

/* A class id field: prefix and 1-64 of [A-Za-z0-9_]; NULL for null or after an error */
char *
ClassIdField(JsonbValue *v, const char *prefix, const char *param, List **errors)
{
	if (v->type == jbvNull)
		return NULL;
	if (v->type != jbvString || !IsValidClientId(prefix, v->val.string.val, v->val.string.len))
	{
		AddValidationError(errors, param,
						   "\"%s\" must be \"%s\" followed by 1 to %d letters, digits or underscores",
						   param, prefix, MAX_CLIENT_ID_BODY);
		return NULL;
	}
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* A reference by id: "id" or {"id": "id"} */
char *
ClassReference(JsonbValue *v, const char *prefix, const char *param, List **errors)
{
	if (IsJsonbObject(v))
	{
		JsonbValue *id = FindKey(v->val.binary.data, "id");

		if (id != NULL && JsonContainerSize(v->val.binary.data) == 1)
			return ClassIdField(id, prefix, param, errors);
		AddValidationError(errors, param, "\"%s\" must be an id or {\"id\": id}", param);
		return NULL;
	}
	return ClassIdField(v, prefix, param, errors);
}

/* A label or segment name: a string of 1-255 characters after trimming */
char *
ClassNameField(JsonbValue *v, List **errors)
{
	const char *s;
	int			len;
	int			chars;

	if (v->type != jbvString)
	{
		AddValidationError(errors, "name", "\"name\" must be a string, not %s",
						   JsonbValueTypeName(v));
		return NULL;
	}
	s = v->val.string.val;
	len = v->val.string.len;
	while (len > 0 && isspace((unsigned char) s[0]))
		s++, len--;
	while (len > 0 && isspace((unsigned char) s[len - 1]))
		len--;
	chars = pg_mbstrlen_with_len(s, len);
	if (chars < 1 || chars > MAX_NAME_CHARS)
	{
		AddValidationError(errors, "name",
						   "\"name\" must have 1 to %d characters after trimming, not %d",
						   MAX_NAME_CHARS, chars);
		return NULL;
	}
	return pnstrdup(s, len);
}

/*
 * A segment's label: an id, {"id": id}, or the label object a segment
 * document carries ({"id", "name", "requiredness"}, the latter two ignored),
 * so a returned segment can be sent back as it is
 */
char *
LabelReference(JsonbValue *v, List **errors)
{
	if (IsJsonbObject(v) && FindKey(v->val.binary.data, "id") != NULL)
	{
		JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
		JsonbValue	key;
		JsonbValue	value;
		bool		document = true;

		while (NextPair(&it, &key, &value))
			document &= ((key.val.string.len == 2 && memcmp(key.val.string.val, "id", 2) == 0) ||
						 (key.val.string.len == 4 && memcmp(key.val.string.val, "name", 4) == 0) ||
						 (key.val.string.len == 12 &&
						  memcmp(key.val.string.val, "requiredness", 12) == 0));
		if (document)
			return ClassIdField(FindKey(v->val.binary.data, "id"), LABEL_ID_PREFIX, "label", errors);
	}
	return ClassReference(v, LABEL_ID_PREFIX, "label", errors);
}
