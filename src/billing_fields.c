/*
 * billing_fields.c
 *		The field parsers of the customer's billing fields (docs/api.md §2):
 *		currency, timezone, preferredLocales, phone numbers and taxIds, each
 *		checked by its own file (currency.c, timezone_names.c,
 *		locale_tags.c, phone.c, tax_ids.c); and the old "ein" input, which
 *		becomes a us_ein tax id.
 *
 * Each parser fills in the part of the target its FieldRule's offset names
 * (request.h), so document.c lists them beside the other fields.
 */
#include "postgres.h"

#include "utils/jsonb.h"

#include "billing_fields.h"
#include "currency.h"
#include "item_errors.h"
#include "jsonb_build.h"
#include "locale_tags.h"
#include "phone.h"
#include "request.h"
#include "tax_ids.h"
#include "text_rules.h"
#include "timezone_names.h"

#define MAX_CODE_CHARS 64
#define MAX_PREFERRED_LOCALES 10
#define MAX_TAX_IDS 25

/* A trimmed, non-blank string of at most 64 characters, or NULL */
static char *
ShortText(JsonbValue *v, const char *param, List **errors)
{
	bool		ok;

	return TextField(v, param, true, 1, MAX_CODE_CHARS, errors, &ok);
}

/* currency: an ISO 4217 code, stored upper case */
void
CurrencyField(JsonbValue *v, const char *param, void *field, List **errors)
{
	char	   *text = ShortText(v, param, errors);

	if (text == NULL)
		return;
	*(const char **) field = CurrencyCode(text, strlen(text));
	if (*(const char **) field == NULL)
		AddValidationError(errors, param,
						   "\"%s\" must be an ISO 4217 currency code, such as \"EUR\"", param);
}

/* timezone: an IANA name PostgreSQL knows, stored as its database spells it */
void
TimeZoneField(JsonbValue *v, const char *param, void *field, List **errors)
{
	char	   *text = ShortText(v, param, errors);

	if (text == NULL)
		return;
	*(char **) field = TimeZoneName(text, strlen(text));
	if (*(char **) field == NULL)
		AddValidationError(errors, param,
						   "\"%s\" must be an IANA time zone name, such as \"Europe/Paris\"", param);
}

/* a phone number, stored in E.164 */
void
PhoneField(JsonbValue *v, const char *param, void *field, List **errors)
{
	char	   *text = ShortText(v, param, errors);

	if (text == NULL)
		return;
	*(char **) field = E164Phone(text, strlen(text));
	if (*(char **) field == NULL)
		AddValidationError(errors, param,
						   "\"%s\" must be a phone number in international form: \"+\" or \"00\", the country code and the number, 7 to 15 digits in all",
						   param);
}

/* preferredLocales: BCP 47 tags, normalized, repeats dropped, at most 10 */
void
PreferredLocalesField(JsonbValue *v, const char *param, void *field, List **errors)
{
	List	  **locales = field;
	JsonbContainer *array;

	if (v->type == jbvNull)
		return;
	if (!IsJsonbArray(v))
	{
		AddValidationError(errors, param, "\"%s\" must be an array of language tags, not %s",
						   param, JsonbValueTypeName(v));
		return;
	}
	array = v->val.binary.data;
	if (JsonContainerSize(array) > MAX_PREFERRED_LOCALES)
	{
		AddValidationError(errors, param, "\"%s\" holds %d language tags; at most %d are allowed",
						   param, (int) JsonContainerSize(array), MAX_PREFERRED_LOCALES);
		return;
	}
	for (int i = 0; i < (int) JsonContainerSize(array); i++)
	{
		char	   *element = psprintf("%s[%d]", param, i);
		JsonbValue *e = getIthJsonbValueFromContainer(array, i);
		char	   *text;
		char	   *tag;

		if (e->type == jbvNull)
		{
			AddValidationError(errors, element, "\"%s\" must be a string, not null", element);
			continue;
		}
		text = ShortText(e, element, errors);
		if (text == NULL)
			continue;
		tag = LanguageTag(text, strlen(text));
		if (tag == NULL)
			AddValidationError(errors, element,
							   "\"%s\" must be a BCP 47 language tag, such as \"fr-CA\"", element);
		else if (!list_member(*locales, makeString(tag)))
			*locales = lappend(*locales, makeString(tag));
	}
}

/* The type and value of one tax id, as parsed */
typedef struct TaxIdInput
{
	const char *type;
	char	   *value;
	bool		type_ok;
	bool		value_ok;
} TaxIdInput;

static void
TaxIdTypeField(JsonbValue *v, const char *param, void *field, List **errors)
{
	TaxIdInput *in = field;
	char	   *text = ShortText(v, param, errors);

	in->type_ok = false;
	if (text == NULL)
		return;
	in->type = TaxIdTypeName(text, strlen(text));
	if (in->type == NULL)
		AddValidationError(errors, param, "\"%s\" must be one of %s", param, TaxIdTypeNames());
	in->type_ok = in->type != NULL;
}

static void
TaxIdValueField(JsonbValue *v, const char *param, void *field, List **errors)
{
	TaxIdInput *in = field;
	bool		ok;

	in->value = TextField(v, param, true, 1, MAX_CODE_CHARS, errors, &ok);
	in->value_ok = ok;
}

static const FieldRule tax_id_fields[] = {
	{"type", TaxIdTypeField, 0},
	{"value", TaxIdValueField, 0},
};

/* taxIds: {type, value} objects, each valid for its type, none repeated */
void
TaxIdsField(JsonbValue *v, const char *param, void *field, List **errors)
{
	List	  **tax_ids = field;
	JsonbContainer *array;

	if (v->type == jbvNull)
		return;
	if (!IsJsonbArray(v))
	{
		AddValidationError(errors, param, "\"%s\" must be an array of tax ids, not %s",
						   param, JsonbValueTypeName(v));
		return;
	}
	array = v->val.binary.data;
	if (JsonContainerSize(array) > MAX_TAX_IDS)
	{
		AddValidationError(errors, param, "\"%s\" holds %d tax ids; at most %d are allowed",
						   param, (int) JsonContainerSize(array), MAX_TAX_IDS);
		return;
	}
	for (int i = 0; i < (int) JsonContainerSize(array); i++)
	{
		char	   *element = psprintf("%s[%d]", param, i);
		JsonbValue *e = getIthJsonbValueFromContainer(array, i);
		TaxIdInput	in = {NULL, NULL, true, true};
		const char *expected;
		TaxId	   *tax_id;
		ListCell   *lc;

		if (!IsJsonbObject(e))
		{
			AddValidationError(errors, element, "\"%s\" must be an object with \"type\" and \"value\", not %s",
							   element, JsonbValueTypeName(e));
			continue;
		}
		DispatchFields(e->val.binary.data, element, tax_id_fields, lengthof(tax_id_fields),
					   &in, errors);
		if (in.type == NULL && in.type_ok)
			AddValidationError(errors, psprintf("%s.type", element), "\"%s.type\" is required", element);
		if (in.value == NULL && in.value_ok)
			AddValidationError(errors, psprintf("%s.value", element), "\"%s.value\" is required", element);
		if (in.type == NULL || in.value == NULL)
			continue;
		tax_id = palloc(sizeof(TaxId));
		tax_id->type = in.type;
		tax_id->value = NormalizeTaxId(in.type, in.value, &expected);
		if (tax_id->value == NULL)
		{
			AddValidationError(errors, psprintf("%s.value", element),
							   "\"%s.value\" is not a valid %s", element, expected);
			continue;
		}
		foreach(lc, *tax_ids)
		{
			TaxId	   *other = lfirst(lc);

			if (strcmp(other->type, tax_id->type) == 0 && strcmp(other->value, tax_id->value) == 0)
			{
				AddValidationError(errors, element, "\"%s\" repeats %s[%d]", element, param,
								   other->index);
				tax_id = NULL;
				break;
			}
		}
		if (tax_id != NULL)
		{
			tax_id->index = i;
			*tax_ids = lappend(*tax_ids, tax_id);
		}
	}
}

/* The us_ein value of an "ein" as it was taken: NNNNNNNNN or NN-NNNNNNN, trimmed; or NULL */
static char *
EinValue(JsonbValue *v)
{
	char	   *s;
	int			len;
	pg_wchar	control;
	const char *expected;

	if (v->type != jbvString)
		return NULL;
	s = ApplyTextRules(v->val.string.val, v->val.string.len, &len, &control);
	if (s == NULL || !(len == 9 || (len == 10 && s[2] == '-')))
		return NULL;
	for (int i = 0; i < len; i++)
		if (!(s[i] >= '0' && s[i] <= '9') && !(i == 2 && len == 10))
			return NULL;
	return NormalizeTaxId("us_ein", s, &expected);
}

/* ein: validated here; its value goes to taxIds (EinToTaxIds) */
void
EinField(JsonbValue *v, const char *param, void *field, List **errors)
{
	bool		ok;
	char	   *text = TextField(v, param, true, 0, MAX_CODE_CHARS, errors, &ok);

	(void) field;
	if (ok && text != NULL && EinValue(v) == NULL)
		AddValidationError(errors, param,
						   "\"%s\" must be 9 digits, written NNNNNNNNN or NN-NNNNNNN", param);
}

/*
 * The input with its "ein" made a tax id: taxIds (the input's, else the
 * stored customer's) with every us_ein replaced by the ein, or removed when
 * ein is null. The input itself when it has no ein, or an invalid one or
 * taxIds (then their own errors are reported).
 */
JsonbContainer *
EinToTaxIds(JsonbContainer *input, Jsonb *stored)
{
	static const char *const ein_key[] = {"ein", "taxIds"};
	JsonbValue *ein = FindKey(input, "ein");
	JsonbValue *given = FindKey(input, "taxIds");
	JsonbValue *base;
	char	   *value = NULL;
	JsonbParseState *state = NULL;

	if (ein == NULL || (ein->type != jbvNull && (value = EinValue(ein)) == NULL))
		return input;
	if (given != NULL && given->type != jbvNull && !IsJsonbArray(given))
		return input;
	base = given != NULL ? given : (stored ? FindKey(&stored->root, "taxIds") : NULL);

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushPairs(&state, &JsonbWithoutKeys(input, ein_key, lengthof(ein_key))->root);
	PushKey(&state, "taxIds");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	if (IsJsonbArray(base))
	{
		JsonbContainer *array = base->val.binary.data;

		for (int i = 0; i < (int) JsonContainerSize(array); i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(array, i);
			JsonbValue *type = IsJsonbObject(e) ? FindKey(e->val.binary.data, "type") : NULL;

			if (type == NULL || !JsonbStringIs(type, "us_ein"))
				pushJsonbValue(&state, WJB_ELEM, e);
		}
	}
	if (value != NULL)
	{
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		PushKeyString(&state, "type", "us_ein");
		PushKeyString(&state, "value", value);
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	return &EndObject(&state)->root;
}

/* Push the taxIds of a customer under their key */
void
PushTaxIds(JsonbParseState **state, List *tax_ids)
{
	ListCell   *lc;

	if (tax_ids == NIL)
		return;
	PushKey(state, "taxIds");
	pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, tax_ids)
	{
		TaxId	   *tax_id = lfirst(lc);

		pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
		PushKeyString(state, "type", tax_id->type);
		PushKeyString(state, "value", tax_id->value);
		pushJsonbValue(state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(state, WJB_END_ARRAY, NULL);
}
