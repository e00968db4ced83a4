/*
 * class_fields.c
 *		The vocabulary of class labels and segments: their ids, names and
 *		references, as fields of a request.
 */
#include "postgres.h"

#include "utils/jsonb.h"

#include "class_fields.h"
#include "ids.h"
#include "item_errors.h"
#include "jsonb_build.h"
#include "request.h"

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
	return JsonbStringCopy(v);
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
ClassNameField(JsonbValue *v, const char *param, List **errors)
{
	bool		ok;

	if (v->type == jbvNull)
	{
		AddValidationError(errors, param, "\"%s\" must be a string, not %s",
						   param, JsonbValueTypeName(v));
		return NULL;
	}
	return TextField(v, param, true, 1, MAX_NAME_CHARS, errors, &ok);
}

/*
 * A segment's label: an id, {"id": id}, or the label object a segment
 * document carries ({"id", "name", "requiredness"}, the latter two ignored),
 * so a returned segment can be sent back as it is
 */
char *
LabelReference(JsonbValue *v, const char *param, List **errors)
{
	static const char *const document_keys[] = {"id", "name", "requiredness"};

	if (IsJsonbObject(v) && FindKey(v->val.binary.data, "id") != NULL &&
		FirstUnknownKey(v->val.binary.data, document_keys, lengthof(document_keys)) == NULL)
		return ClassIdField(FindKey(v->val.binary.data, "id"), LABEL_ID_PREFIX, param, errors);
	return ClassReference(v, LABEL_ID_PREFIX, param, errors);
}
