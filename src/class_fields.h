/*
 * class_fields.h
 *		Ids, names and references of class labels and segments, read from a
 *		request.
 */
#ifndef CLASS_FIELDS_H
#define CLASS_FIELDS_H

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#define LABEL_ID_PREFIX "cll_"
#define SEGMENT_ID_PREFIX "cls_"

extern char *ClassIdField(JsonbValue *v, const char *prefix, const char *param, List **errors);
extern char *ClassNameField(JsonbValue *v, const char *param, List **errors);
extern char *ClassReference(JsonbValue *v, const char *prefix, const char *param, List **errors);
extern char *LabelReference(JsonbValue *v, const char *param, List **errors);

#endif
