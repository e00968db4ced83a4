/*
 * document.c
 *		Validation and normalization of the customer document (docs/api.md §2).
 *
 * NormalizeCustomer takes a complete set of client fields (a create, or a
 * stored customer with an update or merge patch applied) with aliases
 * already resolved, checks every field, and builds the canonical "content":
 * the client-settable fields with defaults filled in. The server-set fields
 * (id, version, times, actors) are added around it by AssembleDocument, and
 * the result is what is stored and returned.
 *
 * Every field is validated before anything is built, so one call reports all
 * of an item's errors and a failed item never yields a half-built document.
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "nodes/value.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/formatting.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "billing_fields.h"
#include "card_data.h"
#include "class_fields.h"
#include "country_codes.h"
#include "customer_segments.h"
#include "document.h"
#include "email.h"
#include "item_errors.h"
#include "ids.h"
#include "jsonb_build.h"
#include "request.h"
#include "timestamps.h"

#define MAX_INVOICE_PREFIX_CHARS 16
#define CUSTOMER_ID_PREFIX "cus_"
#define DEFAULT_COUNTRY_CODE "USA"

/* invoiceSettings booleans; each defaults to true */
static const char *const invoice_flags[] = {
	"showAdditionalContactName", "showBusinessName", "showName",
	"showEmail", "showAddress", "showPhoneWork",
};
#define NUM_INVOICE_FLAGS lengthof(invoice_flags)

/* address members besides countryCode */
static const char *const address_members[] = {
	"state", "city", "zip", "phoneWork", "address1", "address2",
};
#define NUM_ADDRESS_MEMBERS lengthof(address_members)

/* fields only the server sets: ignored on input so a fetched document can be sent back */
static const char *const server_fields[] = {
	"id", "version", "createdDateTime", "updatedDateTime", "archivedDateTime",
	"createdBy", "updatedBy",
};
#define NUM_SERVER_FIELDS lengthof(server_fields)

/* An address: the customer's, or its shipping address */
typedef struct ParsedAddress
{
	const char *country_code;
	char	   *member[NUM_ADDRESS_MEMBERS];
} ParsedAddress;

/* shipping: where goods go, and who receives them */
typedef struct ParsedShipping
{
	bool		given;
	char	   *name;
	char	   *phone;
	bool		has_address;
	ParsedAddress address;
} ParsedShipping;

/* Everything a customer's input says, validated, before it is built */
typedef struct ParsedCustomer
{
	char	   *name;
	const char *status;
	char	   *external_id;
	char	   *additional_contact_name;
	char	   *business_name;
	char	   *email;
	List	   *cc_emails;
	List	   *bcc_emails;
	char	   *invoice_prefix;
	bool		invoice_flag[NUM_INVOICE_FLAGS];
	ParsedAddress address;
	const char *kept_country_code;	/* when the address gives none */
	ParsedShipping shipping;
	const char *currency;
	char	   *timezone;
	List	   *preferred_locales;	/* of String */
	char	   *phone;
	List	   *tax_ids;		/* of TaxId */
	JsonbValue *custom_data;
	List	   *segment_ids;	/* of String */
	bool		name_ok;		/* false after an error in "name" */
	CustomerValues *values;		/* where id and version go */
} ParsedCustomer;

/* An optional text field: 1 to 255 characters after trimming, at the rule's offset */
static void
ShortTextField(JsonbValue *v, const char *param, void *field, List **errors)
{
	bool		ok;

	*(char **) field = TextField(v, param, true, 1, MAX_TEXT_CHARS, errors, &ok);
}

/* name: required, 1 to 255 characters after trimming */
static void
NameField(JsonbValue *v, const char *param, void *field, List **errors)
{
	ParsedCustomer *c = field;

	c->name = TextField(v, param, true, 1, MAX_TEXT_CHARS, errors, &c->name_ok);
}

/* externalId: 1 to 255 characters after trimming */
static void
ExternalIdField(JsonbValue *v, const char *param, void *field, List **errors)
{
	ParsedCustomer *c = field;
	bool		ok;

	c->external_id = TextField(v, param, true, 1, MAX_TEXT_CHARS, errors, &ok);
}

/* A boolean field at the rule's offset; JSON null means the default true */
static void
FlagField(JsonbValue *v, const char *param, void *field, List **errors)
{
	bool	   *flag = field;

	if (v->type == jbvNull)
		*flag = true;
	else if (v->type == jbvBool)
		*flag = v->val.boolean;
	else
		AddValidationError(errors, param, "\"%s\" must be a boolean, not %s",
						   param, JsonbValueTypeName(v));
}

/* The status field: one of the three statuses */
static void
StatusField(JsonbValue *v, const char *param, void *field, List **errors)
{
	static const char *const statuses[] = {STATUS_ACTIVE, STATUS_INACTIVE, STATUS_ARCHIVED};
	ParsedCustomer *c = field;
	int			status;

	if (v->type == jbvNull)
		return;
	status = JsonbStringIndex(v, statuses, lengthof(statuses));
	if (status >= 0)
		c->status = statuses[status];
	else
		AddValidationError(errors, param,
						   "\"%s\" must be one of ACTIVE, INACTIVE or ARCHIVED", param);
}

/* The email field */
static void
EmailField(JsonbValue *v, const char *param, void *field, List **errors)
{
	ParsedCustomer *c = field;
	bool		ok;
	char	   *email = TextField(v, param, true, 0, MAX_EMAIL_LEN, errors, &ok);

	if (!ok || email == NULL)
		return;
	if (!IsValidEmail(email, strlen(email)))
		AddValidationError(errors, param, "\"%s\" is not a valid email address", param);
	else
		c->email = email;
}

/* ccEmails or bccEmails, the list at the rule's offset */
static void
EmailListField(JsonbValue *v, const char *param, void *field, List **errors)
{
	NormalizeEmailList(v, param, errors, (List **) field);
}

/* invoiceSettings.invoicePrefix */
static void
InvoicePrefixField(JsonbValue *v, const char *param, void *field, List **errors)
{
	ParsedCustomer *c = field;
	bool		ok;

	c->invoice_prefix = TextField(v, param, true, 1, MAX_INVOICE_PREFIX_CHARS, errors, &ok);
}

/* the members of invoiceSettings; the flags in the order of invoice_flags */
static const FieldRule invoice_settings_fields[] = {
	{"invoicePrefix", InvoicePrefixField, 0},
	{"showAdditionalContactName", FlagField, offsetof(ParsedCustomer, invoice_flag[0])},
	{"showBusinessName", FlagField, offsetof(ParsedCustomer, invoice_flag[1])},
	{"showName", FlagField, offsetof(ParsedCustomer, invoice_flag[2])},
	{"showEmail", FlagField, offsetof(ParsedCustomer, invoice_flag[3])},
	{"showAddress", FlagField, offsetof(ParsedCustomer, invoice_flag[4])},
	{"showPhoneWork", FlagField, offsetof(ParsedCustomer, invoice_flag[5])},
};

/* invoiceSettings: invoicePrefix and the six show* flags */
static void
InvoiceSettingsField(JsonbValue *v, const char *param, void *field, List **errors)
{
	if (IsObjectField(v, param, errors))
		DispatchFields(v->val.binary.data, param, invoice_settings_fields,
					   lengthof(invoice_settings_fields), field, errors);
}

/* address.countryCode: alpha-2 or alpha-3, stored alpha-3 */
static void
CountryCodeField(JsonbValue *v, const char *param, void *field, List **errors)
{
	const char **country_code = field;
	bool		ok;
	char	   *code = TextField(v, param, true, 0, MAX_TEXT_CHARS, errors, &ok);

	if (!ok || code == NULL)
		return;
	*country_code = country_alpha3(code, strlen(code));
	if (*country_code == NULL)
		AddValidationError(errors, param,
						   "\"%s\" must be an ISO 3166-1 alpha-2 or alpha-3 country code, not \"%s\"",
						   param, Echo(code));
}

/* the members of address; the strings in the order of address_members */
static const FieldRule address_fields[] = {
	{"countryCode", CountryCodeField, offsetof(ParsedAddress, country_code)},
	{"state", ShortTextField, offsetof(ParsedAddress, member[0])},
	{"city", ShortTextField, offsetof(ParsedAddress, member[1])},
	{"zip", ShortTextField, offsetof(ParsedAddress, member[2])},
	{"phoneWork", ShortTextField, offsetof(ParsedAddress, member[3])},
	{"address1", ShortTextField, offsetof(ParsedAddress, member[4])},
	{"address2", ShortTextField, offsetof(ParsedAddress, member[5])},
};

/* address: countryCode and six strings, into the ParsedAddress at the offset */
static void
AddressField(JsonbValue *v, const char *param, void *field, List **errors)
{
	if (IsObjectField(v, param, errors))
		DispatchFields(v->val.binary.data, param, address_fields, lengthof(address_fields),
					   field, errors);
}

/* shipping.address: as address, without a default country */
static void
ShippingAddressField(JsonbValue *v, const char *param, void *field, List **errors)
{
	ParsedShipping *shipping = field;

	shipping->has_address = IsObjectField(v, param, errors);
	if (shipping->has_address)
		AddressField(v, param, &shipping->address, errors);
}

/* the members of shipping */
static const FieldRule shipping_fields[] = {
	{"name", ShortTextField, offsetof(ParsedShipping, name)},
	{"phone", PhoneField, offsetof(ParsedShipping, phone)},
	{"address", ShippingAddressField, 0},
};

/* shipping: a name (required), a phone and an address */
static void
ShippingField(JsonbValue *v, const char *param, void *field, List **errors)
{
	ParsedShipping *shipping = field;
	JsonbValue *name;

	if (!IsObjectField(v, param, errors))
		return;
	shipping->given = true;
	DispatchFields(v->val.binary.data, param, shipping_fields, lengthof(shipping_fields),
				   shipping, errors);
	name = FindKey(v->val.binary.data, "name");
	if (name == NULL || name->type == jbvNull)
		AddValidationError(errors, psprintf("%s.name", param), "\"%s.name\" is required", param);
}

/* customData: any object without card data (card_data.c) */
static void
CustomDataField(JsonbValue *v, const char *param, void *field, List **errors)
{
	ParsedCustomer *c = field;
	int			nerrors = list_length(*errors);

	if (IsJsonbObject(v))
	{
		FindCardData(v->val.binary.data, param, false, errors);
		if (list_length(*errors) == nerrors)
			c->custom_data = palloc_object(JsonbValue), *c->custom_data = *v;
	}
	else if (v->type != jbvNull)
		AddValidationError(errors, param, "\"%s\" must be an object, not %s",
						   param, JsonbValueTypeName(v));
}

/* the largest version precondition: 18 digits */
#define MAX_VERSION INT64CONST(999999999999999999)

/* version: a non-negative integer, used as a precondition */
static void
VersionField(JsonbValue *v, const char *param, void *field, List **errors)
{
	CustomerValues *out = ((ParsedCustomer *) field)->values;

	if (v->type == jbvNull)
		return;
	if (IntegerValue(v, 0, MAX_VERSION, &out->version))
	{
		out->has_version = true;
		return;
	}
	AddValidationError(errors, param, "\"%s\" must be a non-negative integer", param);
}

/* classSegments: segment ids, or {"id": …} objects; duplicates dropped */
static void
ClassSegmentsField(JsonbValue *v, const char *param, void *field, List **errors)
{
	ParsedCustomer *c = field;
	JsonbContainer *array;

	if (v->type == jbvNull)
		return;
	if (!IsJsonbArray(v))
	{
		AddValidationError(errors, param, "\"%s\" must be an array of segment ids, not %s",
						   param, JsonbValueTypeName(v));
		return;
	}
	array = v->val.binary.data;
	if (JsonContainerSize(array) > MAX_CUSTOMER_SEGMENTS)
	{
		AddValidationError(errors, param, "\"%s\" holds %d segments; at most %d are allowed",
						   param, (int) JsonContainerSize(array), MAX_CUSTOMER_SEGMENTS);
		return;
	}
	for (int i = 0; i < (int) JsonContainerSize(array); i++)
	{
		char	   *element = psprintf("%s[%d]", param, i);
		char	   *id = ClassReference(getIthJsonbValueFromContainer(array, i),
										SEGMENT_ID_PREFIX, element, errors);

		if (id != NULL && !list_member(c->segment_ids, makeString(id)))
			c->segment_ids = lappend(c->segment_ids, makeString(id));
	}
}

/*
 * Refuse what an update may not remove: address.countryCode given as null
 * (a customer always has a country; a removed one used to become USA
 * silently). update is the client's input, aliases resolved.
 */
void
CheckUpdateRemovals(JsonbContainer *update, List **errors)
{
	JsonbValue *address = FindKey(update, "address");
	JsonbValue *code;

	if (!IsJsonbObject(address))
		return;
	code = FindKey(address->val.binary.data, "countryCode");
	if (code != NULL && code->type == jbvNull)
		AddValidationError(errors, "address.countryCode",
						   "\"address.countryCode\" cannot be removed; give another country code to change it");
}

/* The valid client id of an item, or NULL when it has none or an invalid one */
char *
ClientId(JsonbContainer *item)
{
	JsonbValue *v = FindKey(item, "id");

	if (v == NULL || v->type != jbvString ||
		!IsValidClientId(CUSTOMER_ID_PREFIX, v->val.string.val, v->val.string.len))
		return NULL;
	return JsonbStringCopy(v);
}

/* The id field: null or a valid client id */
static void
IdField(JsonbValue *v, const char *param, void *field, List **errors)
{
	CustomerValues *out = ((ParsedCustomer *) field)->values;

	if (v->type == jbvNull)
		return;
	if (v->type != jbvString ||
		!IsValidClientId(CUSTOMER_ID_PREFIX, v->val.string.val, v->val.string.len))
		AddValidationError(errors, param,
						   "\"%s\" must be \"%s\" followed by 1 to %d letters, digits or underscores",
						   param, CUSTOMER_ID_PREFIX, MAX_CLIENT_ID_BODY);
	else
		out->id = JsonbStringCopy(v);
}

/* the fields of a customer; those only the server sets are ignored */
static const FieldRule customer_fields[] = {
	{"name", NameField, 0},
	{"status", StatusField, 0},
	{"externalId", ExternalIdField, 0},
	{"additionalContactName", ShortTextField, offsetof(ParsedCustomer, additional_contact_name)},
	{"businessName", ShortTextField, offsetof(ParsedCustomer, business_name)},
	{"ein", EinField, 0},
	{"taxIds", TaxIdsField, offsetof(ParsedCustomer, tax_ids)},
	{"currency", CurrencyField, offsetof(ParsedCustomer, currency)},
	{"preferredLocales", PreferredLocalesField, offsetof(ParsedCustomer, preferred_locales)},
	{"timezone", TimeZoneField, offsetof(ParsedCustomer, timezone)},
	{"phone", PhoneField, offsetof(ParsedCustomer, phone)},
	{"shipping", ShippingField, offsetof(ParsedCustomer, shipping)},
	{"email", EmailField, 0},
	{"ccEmails", EmailListField, offsetof(ParsedCustomer, cc_emails)},
	{"bccEmails", EmailListField, offsetof(ParsedCustomer, bcc_emails)},
	{"invoiceSettings", InvoiceSettingsField, 0},
	{"address", AddressField, offsetof(ParsedCustomer, address)},
	{"customData", CustomDataField, 0},
	{"classSegments", ClassSegmentsField, 0},
	{"version", VersionField, 0},
	{"id", IdField, 0},
	{"createdDateTime", NULL, 0},
	{"updatedDateTime", NULL, 0},
	{"archivedDateTime", NULL, 0},
	{"createdBy", NULL, 0},
	{"updatedBy", NULL, 0},
};

/* Check every field of input and fill in c and out; false after errors */
static bool
ParseCustomer(JsonbContainer *input, List **errors, ParsedCustomer *c, CustomerValues *out)
{
	int			nerrors = list_length(*errors);

	memset(c, 0, sizeof(ParsedCustomer));
	for (int i = 0; i < (int) NUM_INVOICE_FLAGS; i++)
		c->invoice_flag[i] = true;
	c->status = STATUS_ACTIVE;
	c->name_ok = true;
	c->values = out;

	DispatchFields(input, NULL, customer_fields, lengthof(customer_fields), c, errors);

	if (c->name == NULL && c->name_ok)
		AddValidationError(errors, "name", "\"name\" is required");

	return list_length(*errors) == nerrors;
}

/* Push an array of strings under key */
static void
PushKeyStringList(JsonbParseState **state, const char *key, List *strings)
{
	ListCell   *lc;

	PushKey(state, key);
	pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, strings)
		PushString(state, WJB_ELEM, lfirst(lc), strlen(lfirst(lc)));
	pushJsonbValue(state, WJB_END_ARRAY, NULL);
}

/* Push an address object; default_country when it gives none (NULL: none) */
static void
PushAddress(JsonbParseState **state, ParsedAddress *address, const char *default_country)
{
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(state, "countryCode",
				  address->country_code ? address->country_code : default_country);
	for (int i = 0; i < (int) NUM_ADDRESS_MEMBERS; i++)
		PushKeyString(state, address_members[i], address->member[i]);
	pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/* Build the canonical content of a parsed customer */
static Jsonb *
BuildContent(ParsedCustomer *c)
{
	JsonbParseState *state = NULL;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(&state, "name", c->name);
	PushKeyString(&state, "status", c->status);
	PushKeyString(&state, "externalId", c->external_id);
	PushKeyString(&state, "additionalContactName", c->additional_contact_name);
	PushKeyString(&state, "businessName", c->business_name);
	PushTaxIds(&state, c->tax_ids);
	PushKeyString(&state, "currency", c->currency);
	if (c->preferred_locales != NIL)
	{
		ListCell   *lc;

		PushKey(&state, "preferredLocales");
		pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
		foreach(lc, c->preferred_locales)
			PushString(&state, WJB_ELEM, strVal(lfirst(lc)), strlen(strVal(lfirst(lc))));
		pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	}
	PushKeyString(&state, "timezone", c->timezone);
	PushKeyString(&state, "phone", c->phone);
	PushKeyString(&state, "email", c->email);
	PushKeyStringList(&state, "ccEmails", c->cc_emails);
	PushKeyStringList(&state, "bccEmails", c->bcc_emails);

	PushKey(&state, "invoiceSettings");
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(&state, "invoicePrefix", c->invoice_prefix);
	for (int i = 0; i < (int) NUM_INVOICE_FLAGS; i++)
		PushKeyBool(&state, invoice_flags[i], c->invoice_flag[i]);
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);

	PushKey(&state, "address");
	PushAddress(&state, &c->address, c->kept_country_code);
	if (c->shipping.given)
	{
		PushKey(&state, "shipping");
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		PushKeyString(&state, "name", c->shipping.name);
		PushKeyString(&state, "phone", c->shipping.phone);
		if (c->shipping.has_address)
		{
			PushKey(&state, "address");
			PushAddress(&state, &c->shipping.address, NULL);
		}
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}

	if (c->segment_ids != NIL)
	{
		ListCell   *lc;

		PushKey(&state, "classSegments");
		pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
		foreach(lc, c->segment_ids)
		{
			pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
			PushKeyString(&state, "id", strVal(lfirst(lc)));
			pushJsonbValue(&state, WJB_END_OBJECT, NULL);
		}
		pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	}

	PushKey(&state, "customData");
	if (c->custom_data != NULL)
		pushJsonbValue(&state, WJB_VALUE, c->custom_data);
	else
	{
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	return EndObject(&state);
}

/* The address.countryCode of a stored document, or NULL */
static const char *
StoredCountryCode(Jsonb *doc)
{
	JsonbValue *address = FindKey(&doc->root, "address");
	JsonbValue *code;

	if (!IsJsonbObject(address))
		return NULL;
	code = FindKey(address->val.binary.data, "countryCode");
	return code != NULL && code->type == jbvString ? JsonbStringCopy(code) : NULL;
}

/*
 * Validate a complete customer input (aliases resolved) and build its
 * canonical content and typed values; stored is the customer it updates, or
 * NULL. An address without countryCode gets USA on create and keeps the
 * stored country on update (docs/api.md §2). False after recording errors.
 */
bool
NormalizeCustomer(JsonbContainer *input, Jsonb *stored, List **errors, CustomerValues *out)
{
	ParsedCustomer c;

	memset(out, 0, sizeof(CustomerValues));
	if (!ParseCustomer(input, errors, &c, out))
		return false;
	c.kept_country_code = stored ? StoredCountryCode(stored) : NULL;
	if (c.kept_country_code == NULL)
		c.kept_country_code = DEFAULT_COUNTRY_CODE;

	out->content = BuildContent(&c);
	out->external_id = c.external_id;
	out->name = c.name;
	out->email = c.email ? asc_tolower(c.email, strlen(c.email)) : NULL;
	out->business_name = c.business_name;
	out->status = c.status;
	out->segment_ids = c.segment_ids;
	return true;
}

/* The stored document: content and server fields */
Jsonb *
AssembleDocument(Jsonb *content, const ServerFields *server)
{
	JsonbParseState *state = NULL;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushPairs(&state, &content->root);
	PushKeyString(&state, "id", server->id);
	PushKeyInt64(&state, "version", server->version);
	PushKeyString(&state, "createdDateTime", server->created);
	PushKeyString(&state, "createdBy", server->created_by);
	PushKeyString(&state, "updatedDateTime", FormatTimestamp(server->updated));
	PushKeyString(&state, "updatedBy", server->updated_by);
	if (server->archived)
		PushKeyString(&state, "archivedDateTime", FormatTimestamp(server->archived_at));
	return EndObject(&state);
}

/* Whether a top-level key is one of the fields only the server sets */
bool
IsServerField(const char *key, int len)
{
	for (int i = 0; i < (int) NUM_SERVER_FIELDS; i++)
		if ((int) strlen(server_fields[i]) == len && memcmp(server_fields[i], key, len) == 0)
			return true;
	return false;
}

/* The client-settable content of a stored document */
Jsonb *
DocumentContent(Jsonb *doc)
{
	return JsonbWithoutKeys(&doc->root, server_fields, NUM_SERVER_FIELDS);
}

/* A string member of a stored document, or NULL */
char *
DocumentString(Jsonb *doc, const char *key)
{
	JsonbValue *v = FindKey(&doc->root, key);

	if (v == NULL || v->type != jbvString)
		return NULL;
	return JsonbStringCopy(v);
}
