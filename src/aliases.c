/*
 * aliases.c
 *		The one table of input aliases, and the rewrite into canonical fields.
 *
 * The REST API (docs/api.md §9.2) and Flexprice send snake_case names and
 * a flat address, and Stripe's names of the billing fields are accepted
 * where they are plain renames; they are rewritten to the canonical document before
 * validation, so every rule is written once. An alias given together with
 * its canonical field (or another alias of it) must carry the same value.
 * Errors about a rewritten field name the alias the client sent.
 */
#include "postgres.h"

#include "utils/jsonb.h"

#include "aliases.h"
#include "item_errors.h"
#include "jsonb_build.h"

typedef struct FieldAlias
{
	const char *alias;
	const char *field;			/* canonical top-level field */
	const char *subfield;		/* member of address, or NULL */
} FieldAlias;

static const FieldAlias field_aliases[] = {
	{"legal_name", "businessName", NULL},
	{"external_id", "externalId", NULL},
	{"metadata", "customData", NULL},
	{"preferred_locales", "preferredLocales", NULL},
	{"tax_id_data", "taxIds", NULL},
	{"street_address", "address", "address1"},
	{"address_line1", "address", "address1"},
	{"sub_premise", "address", "address2"},
	{"address_line2", "address", "address2"},
	{"city", "address", "city"},
	{"address_city", "address", "city"},
	{"state", "address", "state"},
	{"address_state", "address", "state"},
	{"postal_code", "address", "zip"},
	{"address_postal_code", "address", "zip"},
	{"country", "address", "countryCode"},
	{"address_country", "address", "countryCode"},
};

#define NUM_ALIASES lengthof(field_aliases)

/* Where a canonical path came from, to name the alias in errors */
typedef struct AliasOrigin
{
	char	   *path;
	const char *alias;
} AliasOrigin;

/* The alias entry for a key, or NULL */
static const FieldAlias *
LookupAlias(const char *key, int len)
{
	for (int i = 0; i < (int) NUM_ALIASES; i++)
		if ((int) strlen(field_aliases[i].alias) == len &&
			memcmp(field_aliases[i].alias, key, len) == 0)
			return &field_aliases[i];
	return NULL;
}

/* The canonical path an alias stands for */
static char *
AliasPath(const FieldAlias *a)
{
	return a->subfield ? psprintf("%s.%s", a->field, a->subfield) : pstrdup(a->field);
}

/* The value the item gives an alias' target under its canonical name */
static JsonbValue *
CanonicalValue(JsonbContainer *item, const FieldAlias *a)
{
	JsonbValue *v;

	if (a->subfield == NULL)
		return FindKey(item, a->field);
	v = FindKey(item, a->field);
	if (!IsJsonbObject(v))
		return NULL;
	return FindKey(v->val.binary.data, a->subfield);
}

/*
 * The item with aliases rewritten to canonical fields; the item itself when
 * it uses none. Conflicting values are recorded as errors.
 */
JsonbContainer *
ResolveAliases(JsonbContainer *item, List **errors, List **origins)
{
	JsonbValue	given[NUM_ALIASES];
	bool		used[NUM_ALIASES];
	bool		any = false;
	bool		any_address = false;
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;
	JsonbValue *address;
	JsonbParseState *state = NULL;
	int			nerrors = list_length(*errors);
	Jsonb	   *result;

	memset(used, 0, sizeof(used));
	it = JsonbIteratorInit(item);
	while (NextPair(&it, &key, &value))
	{
		const FieldAlias *a;

		a = LookupAlias(key.val.string.val, key.val.string.len);
		if (a == NULL)
			continue;
		given[a - field_aliases] = value;
		used[a - field_aliases] = true;
		any = true;
		any_address |= (a->subfield != NULL);
	}
	if (!any)
		return item;

	/* every alias must agree with its canonical field and with its twin */
	address = FindKey(item, "address");
	for (int i = 0; i < (int) NUM_ALIASES; i++)
	{
		const FieldAlias *a = &field_aliases[i];
		JsonbValue *canonical;

		if (!used[i])
			continue;
		if (a->subfield != NULL && address != NULL && !IsJsonbObject(address))
		{
			AddValidationError(errors, a->alias,
							   "\"%s\" cannot be combined with \"address\" that is not an object",
							   a->alias);
			continue;
		}
		canonical = CanonicalValue(item, a);
		if (canonical != NULL && !JsonbValuesEqual(canonical, &given[i]))
			AddValidationError(errors, a->alias,
							   "\"%s\" and \"%s\" have different values",
							   a->alias, AliasPath(a));
		for (int j = 0; j < i; j++)
			if (used[j] && field_aliases[j].field == a->field &&
				field_aliases[j].subfield == a->subfield &&
				!JsonbValuesEqual(&given[j], &given[i]))
				AddValidationError(errors, a->alias,
								   "\"%s\" and \"%s\" have different values",
								   a->alias, field_aliases[j].alias);
	}
	if (list_length(*errors) > nerrors)
		return item;

	/* canonical fields first, then aliased ones that the item lacks */
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	it = JsonbIteratorInit(item);
	while (NextPair(&it, &key, &value))
	{
		if (LookupAlias(key.val.string.val, key.val.string.len) != NULL)
			continue;
		if (any_address && JsonbStringIs(&key, "address"))
			continue;
		pushJsonbValue(&state, WJB_KEY, &key);
		pushJsonbValue(&state, WJB_VALUE, &value);
	}
	for (int i = 0; i < (int) NUM_ALIASES; i++)
	{
		const FieldAlias *a = &field_aliases[i];
		AliasOrigin *origin;

		if (!used[i])
			continue;
		origin = palloc(sizeof(AliasOrigin));
		origin->path = AliasPath(a);
		origin->alias = a->alias;
		*origins = lappend(*origins, origin);
		if (a->subfield == NULL && FindKey(item, a->field) == NULL)
			PushKeyValue(&state, a->field, &given[i]);
	}
	if (any_address)
	{
		/* the address members given, then those from aliases (duplicates collapse) */
		PushKey(&state, "address");
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		for (int i = 0; i < (int) NUM_ALIASES; i++)
			if (used[i] && field_aliases[i].subfield != NULL)
				PushKeyValue(&state, field_aliases[i].subfield, &given[i]);
		if (address != NULL)
			PushPairs(&state, address->val.binary.data);
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	result = EndObject(&state);
	return &result->root;
}

/*
 * Whether item gives address members through aliases only, without an
 * "address" object: then they merge into the stored address on update
 * (docs/api.md §2.1) instead of replacing it.
 */
bool
AliasesOnlyAddress(JsonbContainer *item)
{
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;

	if (FindKey(item, "address") != NULL)
		return false;
	it = JsonbIteratorInit(item);
	while (NextPair(&it, &key, &value))
	{
		const FieldAlias *a = LookupAlias(key.val.string.val, key.val.string.len);

		if (a != NULL && a->subfield != NULL)
			return true;
	}
	return false;
}

/* Rename params of errors that concern an aliased field to the alias sent */
void
NameAliasesInErrors(List *errors, List *origins)
{
	ListCell   *le;
	ListCell   *lo;

	foreach(le, errors)
	{
		ItemError  *error = lfirst(le);

		foreach(lo, origins)
		{
			AliasOrigin *origin = lfirst(lo);
			int			len = strlen(origin->path);

			if (strncmp(error->param, origin->path, len) == 0 &&
				(error->param[len] == '\0' || error->param[len] == '.' ||
				 error->param[len] == '['))
			{
				char	   *quoted = psprintf("\"%s\"", error->param);
				char	   *at = strstr(error->message, quoted);

				error->param = psprintf("%s%s", origin->alias, error->param + len);
				/* the message quotes the param it is about: name the alias there too */
				if (at != NULL)
					error->message = psprintf("%.*s\"%s\"%s",
											  (int) (at - error->message), error->message,
											  error->param, at + strlen(quoted));
				break;
			}
		}
	}
}
