/*
 * customer_reference.c
 *		The customer a function's id argument names (docs/api.md §3.6).
 *
 * Wherever a function takes a customer id, it also takes the JSON text
 * {"externalId": "…"}, which names the customer by the application's own
 * id. A customer id never starts with "{" (it is "cus_" and letters, digits
 * or underscores), so the two cannot be confused and no function needs a
 * second signature. An externalId is found through the unique index on
 * (tenant_id, external_id): a get by externalId is one index lookup, as a
 * get by id is.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/jsonapi.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "customer_erase.h"
#include "customer_reference.h"
#include "item_errors.h"
#include "pg_compat.h"
#include "request.h"
#include "spi_plans.h"
#include "text_rules.h"

/* the longest externalId (docs/api.md §2) */
#define MAX_EXTERNAL_ID_CHARS 255

#define REFERENCE_HINT \
	"Pass the id of a customer, such as 'cus_01JD5XQ5X8V4ZK7C0H3M2Y6P9N', or {\"externalId\": \"...\"}."

#define BY_EXTERNAL_ID_SQL \
	" FROM customers.customer WHERE tenant_id OPERATOR(pg_catalog.=) $1" \
	" AND external_id OPERATOR(pg_catalog.=) $2"

static SPIPlanPtr id_plan = NULL;
static SPIPlanPtr id_for_update_plan = NULL;
static SPIPlanPtr doc_plan = NULL;

/* The JSON type a token starts, for messages */
static const char *
TokenTypeName(JsonTokenType token)
{
	switch (token)
	{
		case JSON_TOKEN_NUMBER:
			return "number";
		case JSON_TOKEN_TRUE:
		case JSON_TOKEN_FALSE:
			return "boolean";
		case JSON_TOKEN_NULL:
			return "null";
		case JSON_TOKEN_OBJECT_START:
			return "object";
		case JSON_TOKEN_ARRAY_START:
			return "array";
		default:
			return "string";
	}
}

/*
 * Read an id argument's text: a customer id, or exactly the JSON object
 * {"externalId": string}, read token by token with PostgreSQL's JSON lexer
 * so that any other text is refused with 22023 like any invalid argument.
 * The externalId follows the text rules of a stored one, so " org-42 "
 * names the customer saved with " org-42 " (stored "org-42").
 */
void
ParseCustomerRef(const char *text, CustomerRef *ref)
{
	JsonLexContext *lex;
	int			len;
	pg_wchar	control;

	ref->id = NULL;
	ref->external_id = NULL;
	if (text[0] != '{')
	{
		ref->id = pstrdup(text);
		return;
	}

	/* the first token is the "{" seen above */
	lex = JsonLexer(pstrdup(text), strlen(text), true);
	if (json_lex(lex) != JSON_SUCCESS || json_lex(lex) != JSON_SUCCESS ||
		lex->token_type != JSON_TOKEN_STRING || strcmp(lex->strval->data, "externalId") != 0 ||
		json_lex(lex) != JSON_SUCCESS || lex->token_type != JSON_TOKEN_COLON ||
		json_lex(lex) != JSON_SUCCESS)
		RequestError(REFERENCE_HINT,
					 "customer reference must be a JSON object with exactly one key, \"externalId\"");
	if (lex->token_type != JSON_TOKEN_STRING)
		RequestError(REFERENCE_HINT, "\"externalId\" must be a string, not %s",
					 TokenTypeName(lex->token_type));
	/* as an externalId is stored: trimmed, in NFC (text_rules.c) */
	ref->external_id = ApplyTextRules(lex->strval->data, lex->strval->len, &len, &control);
	if (ref->external_id == NULL)
		RequestError(REFERENCE_HINT,
					 "\"externalId\" must not contain control characters, such as U+%04X",
					 (unsigned int) control);
	if (json_lex(lex) != JSON_SUCCESS || lex->token_type != JSON_TOKEN_OBJECT_END ||
		json_lex(lex) != JSON_SUCCESS || lex->token_type != JSON_TOKEN_END)
		RequestError(REFERENCE_HINT,
					 "customer reference must be a JSON object with exactly one key, \"externalId\"");
	if (len == 0 || pg_mbstrlen_with_len(ref->external_id, len) > MAX_EXTERNAL_ID_CHARS)
		RequestError(REFERENCE_HINT, "\"externalId\" must be 1 to %d characters long",
					 MAX_EXTERNAL_ID_CHARS);
}

/* A customer id argument, which must not be null */
void
CustomerRefArgument(FunctionCallInfo fcinfo, int argno, const char *name, CustomerRef *ref)
{
	ParseCustomerRef(TextArgument(fcinfo, argno, name, CUSTOMER_ID_HINT), ref);
}

/* The id of the customer holding an externalId, or NULL; locked when for_update */
static char *
ResolveExternalId(const char *tenant, const char *external_id, bool for_update)
{
	static Oid	types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	char	   *id = NULL;

	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(external_id);
	if (for_update)
		ExecutePlan(KeptPlan(&id_for_update_plan, "SELECT id" BY_EXTERNAL_ID_SQL " FOR UPDATE",
							 2, types), values, false, SPI_OK_SELECT);
	else
		ExecutePlan(KeptPlan(&id_plan, "SELECT id" BY_EXTERNAL_ID_SQL, 2, types),
					values, true, SPI_OK_SELECT);
	if (SPI_processed > 0)
		id = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	SPI_freetuptable(SPI_tuptable);
	return id;
}

/*
 * The stored customer a reference names (locked when for_update), or NULL.
 * Under READ COMMITTED a lock that waited for a concurrent change of the
 * externalId checks it again, so the customer found still holds it.
 */
StoredCustomer *
FindCustomerRef(const char *tenant, const CustomerRef *ref, bool for_update)
{
	char	   *id = ref->id;

	if (id == NULL)
		id = ResolveExternalId(tenant, ref->external_id, for_update);
	return id == NULL ? NULL : FetchCustomer(tenant, id, for_update);
}

/* P0002 for a reference to no customer: erased (when and by whom), or unknown */
void
RaiseCustomerNotFound(const char *tenant, const CustomerRef *ref)
{
	RaiseIfErased(tenant, ref->id, ref->external_id);
	if (ref->id != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("customer \"%s\" does not exist", Echo(ref->id)),
				 errhint("Check the id, and that customers.tenant_id names the customer's tenant.")));
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("customer with externalId \"%s\" does not exist", Echo(ref->external_id)),
			 errhint("Check the externalId, and that customers.tenant_id names the customer's tenant.")));
	pg_unreachable();
}

/* The stored customer a reference names (locked when for_update), or P0002 */
StoredCustomer *
RequireCustomerRef(const char *tenant, const CustomerRef *ref, bool for_update)
{
	StoredCustomer *customer = FindCustomerRef(tenant, ref, for_update);

	if (customer == NULL)
		RaiseCustomerNotFound(tenant, ref);
	return customer;
}

/* The stored document a reference names, or NULL; read-only, one index lookup */
Jsonb *
FetchDocumentRef(const char *tenant, const CustomerRef *ref)
{
	static Oid	types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];

	if (ref->id != NULL)
		return FetchDocument(tenant, ref->id);
	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(ref->external_id);
	ExecutePlan(KeptPlan(&doc_plan, "SELECT doc" BY_EXTERNAL_ID_SQL, 2, types),
				values, true, SPI_OK_SELECT);
	return ResultJsonb();
}
