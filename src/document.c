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

#include "class_fields.h"
#include "country_codes.h"
#include "customer_segments.h"
#include "document.h"
#include "email.h"
#include "item_errors.h"
#include "ids.h"
#include "jsonb_build.h"
#include "timestamps.h"

#define MAX_INVOICE_PREFIX_CHARS 16
#define EIN_DIGITS 9
#define CUSTOMER_ID_PREFIX "cus_"

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

/* Everything a customer's input says, validated, before it is built */
typedef struct ParsedCustomer
{
	char	   *name;
	const char *status;
	char	   *external_id;
	char	   *additional_contact_name;
	char	   *business_name;
	char	   *ein;
	char	   *email;
	List	   *cc_emails;
	List	   *bcc_emails;
	char	   *invoice_prefix;
	bool		invoice_flag[NUM_INVOICE_FLAGS];
	const char *country_code;
	char	   *address_member[NUM_ADDRESS_MEMBERS];
	JsonbValue *custom_data;
	List	   *segment_ids;	/* of String */
} ParsedCustomer;

/* Whether a jsonb key equals a C string */
static inline bool
KeyIs(JsonbValue *key, const char *name)
{
	return key->val.string.len == (int) strlen(name) &&
		memcmp(key->val.string.val, name, key->val.string.len) == 0;
}

/* The index of key in names, or -1 */
static int
KeyIndex(JsonbValue *key, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (KeyIs(key, names[i]))
			return i;
	return -1;
}

/* The key as a NUL-terminated string, for params and messages */
static char *
KeyText(JsonbValue *key)
{
	return pnstrdup(key->val.string.val, key->val.string.len);
}

/* A param path: parent.key, or key at the top level */
static char *
Path(const char *parent, const char *key)
{
	return parent == NULL ? pstrdup(key) : psprintf("%s.%s", parent, key);
}

/*
 * A string field of at most max_chars characters (after trimming when trim
 * is set; min_chars applies after trimming). JSON null gives NULL with no
 * error; *ok tells errors apart.
 */
char *
TextField(JsonbValue *v, const char *param, bool trim, int min_chars,
		  int max_chars, List **errors, bool *ok)
{
	const char *s;
	int			len;
	int			chars;

	*ok = true;
	if (v->type == jbvNull)
		return NULL;
	if (v->type != jbvString)
	{
		AddValidationError(errors, param, "\"%s\" must be a string, not %s",
						   param, JsonbValueTypeName(v));
		*ok = false;
		return NULL;
	}
	s = v->val.string.val;
	len = v->val.string.len;
	if (trim)
	{
		while (len > 0 && isspace((unsigned char) s[0]))
			s++, len--;
		while (len > 0 && isspace((unsigned char) s[len - 1]))
			len--;
	}
	chars = pg_mbstrlen_with_len(s, len);
	if (chars < min_chars || chars > max_chars)
	{
		if (min_chars > 0)
			AddValidationError(errors, param,
							   "\"%s\" must have %d to %d characters%s, not %d",
							   param, min_chars, max_chars,
							   trim ? " after trimming" : "", chars);
		else
			AddValidationError(errors, param,
							   "\"%s\" must have at most %d characters, not %d",
							   param, max_chars, chars);
		*ok = false;
		return NULL;
	}
	return pnstrdup(s, len);
}

/* A boolean field; JSON null means the default true */
static void
FlagField(JsonbValue *v, const char *param, bool *flag, List **errors)
{
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
StatusField(JsonbValue *v, ParsedCustomer *c, List **errors)
{
	static const char *const statuses[] = {STATUS_ACTIVE, STATUS_INACTIVE, STATUS_ARCHIVED};

	if (v->type == jbvNull)
		return;
	if (v->type == jbvString)
		for (int i = 0; i < (int) lengthof(statuses); i++)
			if (KeyIs(v, statuses[i]))
			{
				c->status = statuses[i];
				return;
			}
	AddValidationError(errors, "status",
					   "\"status\" must be one of ACTIVE, INACTIVE or ARCHIVED");
}

/* A US EIN: nine digits, as NNNNNNNNN or NN-NNNNNNN; stored as NN-NNNNNNN */
static void
EinField(JsonbValue *v, ParsedCustomer *c, List **errors)
{
	bool		ok;
	char	   *text = TextField(v, "ein", true, 0, MAX_TEXT_CHARS, errors, &ok);
	char		digits[EIN_DIGITS + 1];
	int			ndigits = 0;

	if (!ok || text == NULL)
		return;
	for (char *p = text; *p != '\0'; p++)
	{
		if (*p >= '0' && *p <= '9' && ndigits < EIN_DIGITS)
			digits[ndigits++] = *p;
		else if (!(*p == '-' && p - text == 2 && strlen(text) == EIN_DIGITS + 1))
		{
			ndigits = -1;
			break;
		}
	}
	if (ndigits != EIN_DIGITS)
	{
		AddValidationError(errors, "ein",
						   "\"ein\" must be 9 digits, written NNNNNNNNN or NN-NNNNNNN");
		return;
	}
	digits[EIN_DIGITS] = '\0';
	c->ein = psprintf("%.2s-%s", digits, digits + 2);
}

/* The email field */
static void
EmailField(JsonbValue *v, ParsedCustomer *c, List **errors)
{
	bool		ok;
	char	   *email = TextField(v, "email", true, 0, MAX_EMAIL_LEN, errors, &ok);

	if (!ok || email == NULL)
		return;
	if (!IsValidEmail(email, strlen(email)))
		AddValidationError(errors, "email", "\"email\" is not a valid email address");
	else
		c->email = email;
}

/* An iterator over an object field's members; NULL when it is null or not an object */
JsonbIterator *
MembersOf(JsonbValue *v, const char *field, List **errors)
{
	if (v->type == jbvNull)
		return NULL;
	if (!IsJsonbObject(v))
	{
		AddValidationError(errors, field, "\"%s\" must be an object, not %s",
						   field, JsonbValueTypeName(v));
		return NULL;
	}
	return JsonbIteratorInit(v->val.binary.data);
}

/* invoiceSettings: invoicePrefix and the six show* flags */
static void
InvoiceSettingsField(JsonbValue *v, ParsedCustomer *c, List **errors)
{
	JsonbIterator *it = MembersOf(v, "invoiceSettings", errors);
	JsonbValue	key;
	JsonbValue	value;

	if (it == NULL)
		return;
	while (NextPair(&it, &key, &value))
	{
		int			flag;
		char	   *param;
		bool		ok;

		param = Path("invoiceSettings", KeyText(&key));
		if (KeyIs(&key, "invoicePrefix"))
			c->invoice_prefix = TextField(&value, param, false, 0,
										  MAX_INVOICE_PREFIX_CHARS, errors, &ok);
		else if ((flag = KeyIndex(&key, invoice_flags, NUM_INVOICE_FLAGS)) >= 0)
			FlagField(&value, param, &c->invoice_flag[flag], errors);
		else
			AddValidationError(errors, param, "unrecognized field \"%s\"", param);
	}
}

/* address: countryCode (alpha-2 or alpha-3, stored alpha-3) and six strings */
static void
AddressField(JsonbValue *v, ParsedCustomer *c, List **errors)
{
	JsonbIterator *it = MembersOf(v, "address", errors);
	JsonbValue	key;
	JsonbValue	value;

	if (it == NULL)
		return;
	while (NextPair(&it, &key, &value))
	{
		int			member;
		char	   *param;
		bool		ok;

		param = Path("address", KeyText(&key));
		if (KeyIs(&key, "countryCode"))
		{
			char	   *code = TextField(&value, param, true, 0, MAX_TEXT_CHARS, errors, &ok);

			if (ok && code != NULL)
			{
				c->country_code = country_alpha3(code, strlen(code));
				if (c->country_code == NULL)
					AddValidationError(errors, param,
									   "\"%s\" must be an ISO 3166-1 alpha-2 or alpha-3 country code, not \"%s\"",
									   param, code);
			}
		}
		else if ((member = KeyIndex(&key, address_members, NUM_ADDRESS_MEMBERS)) >= 0)
			c->address_member[member] = TextField(&value, param, false, 0,
												  MAX_TEXT_CHARS, errors, &ok);
		else
			AddValidationError(errors, param, "unrecognized field \"%s\"", param);
	}
}

/* version: a non-negative integer, used as a precondition */
static void
VersionField(JsonbValue *v, CustomerValues *out, List **errors)
{
	char	   *text;

	if (v->type == jbvNull)
		return;
	if (v->type == jbvNumeric)
	{
		text = DatumGetCString(DirectFunctionCall1(numeric_out,
												   NumericGetDatum(v->val.numeric)));
		if (strspn(text, "0123456789") == strlen(text) && strlen(text) <= 18)
		{
			out->has_version = true;
			out->version = strtoi64(text, NULL, 10);
			return;
		}
	}
	AddValidationError(errors, "version", "\"version\" must be a non-negative integer");
}

/* classSegments: segment ids, or {"id": …} objects; duplicates dropped */
static void
ClassSegmentsField(JsonbValue *v, ParsedCustomer *c, List **errors)
{
	JsonbContainer *array;

	if (v->type == jbvNull)
		return;
	if (!IsJsonbArray(v))
	{
		AddValidationError(errors, "classSegments",
						   "\"classSegments\" must be an array of segment ids, not %s",
						   JsonbValueTypeName(v));
		return;
	}
	array = v->val.binary.data;
	if (JsonContainerSize(array) > MAX_CUSTOMER_SEGMENTS)
	{
		AddValidationError(errors, "classSegments",
						   "\"classSegments\" holds %d segments; at most %d are allowed",
						   (int) JsonContainerSize(array), MAX_CUSTOMER_SEGMENTS);
		return;
	}
	for (int i = 0; i < (int) JsonContainerSize(array); i++)
	{
		char	   *param = psprintf("classSegments[%d]", i);
		char	   *id = ClassReference(getIthJsonbValueFromContainer(array, i),
										SEGMENT_ID_PREFIX, param, errors);

		if (id != NULL && !list_member(c->segment_ids, makeString(id)))
			c->segment_ids = lappend(c->segment_ids, makeString(id));
	}
}

/* The valid client id of an item, or NULL when it has none or an invalid one */
char *
ClientId(JsonbContainer *item)
{
	JsonbValue *v = FindKey(item, "id");

	if (v == NULL || v->type != jbvString ||
		!IsValidClientId(CUSTOMER_ID_PREFIX, v->val.string.val, v->val.string.len))
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* The id field: null or a valid client id */
static void
IdField(JsonbValue *v, CustomerValues *out, List **errors)
{
	if (v->type == jbvNull)
		return;
	if (v->type != jbvString ||
		!IsValidClientId(CUSTOMER_ID_PREFIX, v->val.string.val, v->val.string.len))
		AddValidationError(errors, "id",
						   "\"id\" must be \"cus_\" followed by 1 to %d letters, digits or underscores",
						   MAX_CLIENT_ID_BODY);
	else
		out->id = pnstrdup(v->val.string.val, v->val.string.len);
}

/* Check every field of input and fill in c and out; false after errors */
static bool
ParseCustomer(JsonbContainer *input, List **errors, ParsedCustomer *c, CustomerValues *out)
{
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;
	int			nerrors = list_length(*errors);
	bool		ok;
	bool		name_ok = true;

	memset(c, 0, sizeof(ParsedCustomer));
	for (int i = 0; i < (int) NUM_INVOICE_FLAGS; i++)
		c->invoice_flag[i] = true;
	c->status = STATUS_ACTIVE;

	it = JsonbIteratorInit(input);
	while (NextPair(&it, &key, &value))
	{

		if (KeyIs(&key, "name"))
			c->name = TextField(&value, "name", true, 1, MAX_TEXT_CHARS, errors, &name_ok);
		else if (KeyIs(&key, "status"))
			StatusField(&value, c, errors);
		else if (KeyIs(&key, "externalId"))
			c->external_id = TextField(&value, "externalId", false, 1, MAX_TEXT_CHARS,
									   errors, &ok);
		else if (KeyIs(&key, "additionalContactName"))
			c->additional_contact_name = TextField(&value, "additionalContactName", false,
												   0, MAX_TEXT_CHARS, errors, &ok);
		else if (KeyIs(&key, "businessName"))
			c->business_name = TextField(&value, "businessName", false, 0,
										 MAX_TEXT_CHARS, errors, &ok);
		else if (KeyIs(&key, "ein"))
			EinField(&value, c, errors);
		else if (KeyIs(&key, "email"))
			EmailField(&value, c, errors);
		else if (KeyIs(&key, "ccEmails"))
			NormalizeEmailList(&value, "ccEmails", errors, &c->cc_emails);
		else if (KeyIs(&key, "bccEmails"))
			NormalizeEmailList(&value, "bccEmails", errors, &c->bcc_emails);
		else if (KeyIs(&key, "invoiceSettings"))
			InvoiceSettingsField(&value, c, errors);
		else if (KeyIs(&key, "address"))
			AddressField(&value, c, errors);
		else if (KeyIs(&key, "customData"))
		{
			if (IsJsonbObject(&value))
				c->custom_data = palloc_object(JsonbValue), *c->custom_data = value;
			else if (value.type != jbvNull)
				AddValidationError(errors, "customData",
								   "\"customData\" must be an object, not %s",
								   JsonbValueTypeName(&value));
		}
		else if (KeyIs(&key, "classSegments"))
			ClassSegmentsField(&value, c, errors);
		else if (KeyIs(&key, "version"))
			VersionField(&value, out, errors);
		else if (KeyIs(&key, "id"))
			IdField(&value, out, errors);
		else if (KeyIndex(&key, server_fields, NUM_SERVER_FIELDS) < 0)
			AddValidationError(errors, KeyText(&key), "unrecognized field \"%s\"",
							   KeyText(&key));
	}

	if (c->name == NULL && name_ok)
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
	PushKeyString(&state, "ein", c->ein);
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
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(&state, "countryCode", c->country_code ? c->country_code : "USA");
	for (int i = 0; i < (int) NUM_ADDRESS_MEMBERS; i++)
		PushKeyString(&state, address_members[i], c->address_member[i]);
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);

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

/*
 * Validate a complete customer input (aliases resolved) and build its
 * canonical content and typed values. False after recording errors.
 */
bool
NormalizeCustomer(JsonbContainer *input, List **errors, CustomerValues *out)
{
	ParsedCustomer c;

	memset(out, 0, sizeof(CustomerValues));
	if (!ParseCustomer(input, errors, &c, out))
		return false;

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
	return pnstrdup(v->val.string.val, v->val.string.len);
}
