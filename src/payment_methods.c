/*
 * payment_methods.c
 *		A customer's payment methods (docs/api.md §9.2): save, list, get, detach.
 *
 * A payment method is what a payment provider hands back about a card or a
 * bank account, never the card itself:
 *   {"id": "pm_…", "type": "CARD"|"BANK_ACCOUNT",
 *    "card": {"brand", "last4", "expMonth", "expYear"},
 *    "bankAccount": {"bankName", "last4", "accountType"},
 *    "billingDetails": {…}, "isDefault", "createdDateTime"}
 * Anything in the input that looks like a full card number, or a card
 * security code, is refused before anything else (card_data.c).
 *
 * save without "id" creates a method; with the id of one of the customer's
 * methods it updates it, the given top-level fields replacing the stored
 * ones. A customer has at most one default method: a partial unique index
 * enforces it, and saving a method with "isDefault": true clears the old
 * default in the same call. The customer's row is locked for every change,
 * so concurrent saves for one customer take turns instead of colliding on
 * the index. isDefault is kept in its own column and added to the stored
 * document when it is read, so clearing it touches no document.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "call_context.h"
#include "card_data.h"
#include "customer_reference.h"
#include "customer_store.h"
#include "document.h"
#include "envelope.h"
#include "event_store.h"
#include "item_errors.h"
#include "ids.h"
#include "jsonb_build.h"
#include "request.h"
#include "spi_plans.h"
#include "timestamps.h"

#define PAYMENT_METHOD_PREFIX "pm_"
#define MAX_METHOD_BYTES (16 * 1024)
#define MAX_BRAND_CHARS 32

/*
 * The stored document with isDefault. Immutable, as Citus requires of a
 * RETURNING list (jsonb_build_object is only stable).
 */
#define METHOD_OUTPUT \
	"doc OPERATOR(pg_catalog.||) CASE WHEN is_default THEN '{\"isDefault\": true}'::pg_catalog.jsonb" \
	" ELSE '{\"isDefault\": false}'::pg_catalog.jsonb END"

#define LIST_METHODS_SQL \
	"SELECT " METHOD_OUTPUT " FROM customers.payment_method" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND customer_id OPERATOR(pg_catalog.=) $2" \
	" ORDER BY id"

#define GET_METHOD_SQL \
	"SELECT " METHOD_OUTPUT " FROM customers.payment_method" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND customer_id OPERATOR(pg_catalog.=) $2" \
	" AND id OPERATOR(pg_catalog.=) $3"

#define CLEAR_DEFAULT_SQL \
	"UPDATE customers.payment_method SET is_default = false" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND customer_id OPERATOR(pg_catalog.=) $2" \
	" AND is_default AND id OPERATOR(pg_catalog.<>) $3 RETURNING " METHOD_OUTPUT

#define UPSERT_METHOD_SQL \
	"INSERT INTO customers.payment_method (tenant_id, customer_id, id, is_default," \
	" created_at, doc) VALUES ($1, $2, $3, $4, $5, $6)" \
	" ON CONFLICT (tenant_id, customer_id, id) DO UPDATE" \
	" SET is_default = excluded.is_default, doc = excluded.doc" \
	" RETURNING " METHOD_OUTPUT

#define DETACH_METHOD_SQL \
	"DELETE FROM customers.payment_method" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND customer_id OPERATOR(pg_catalog.=) $2" \
	" AND id OPERATOR(pg_catalog.=) $3 RETURNING " METHOD_OUTPUT

#define METHOD_HINT \
	"Pass {\"type\": \"CARD\", \"card\": {\"brand\", \"last4\", \"expMonth\", \"expYear\"}} " \
	"or {\"type\": \"BANK_ACCOUNT\", \"bankAccount\": {\"bankName\", \"last4\", \"accountType\"}}."

#define CARD_DATA_HINT \
	"Store only what the payment provider returns about the card (brand, last4, " \
	"expMonth, expYear), never its number or security code."

static SPIPlanPtr list_methods_plan = NULL;
static SPIPlanPtr get_method_plan = NULL;
static SPIPlanPtr get_method_for_update_plan = NULL;
static SPIPlanPtr clear_default_plan = NULL;
static SPIPlanPtr upsert_method_plan = NULL;
static SPIPlanPtr detach_method_plan = NULL;

/* A payment method's fields, validated */
typedef struct ParsedMethod
{
	const char *type;
	bool		has_card;
	char	   *brand;
	char	   *card_last4;
	int			exp_month;
	int			exp_year;
	bool		has_bank_account;
	char	   *bank_name;
	char	   *bank_last4;
	const char *account_type;
	JsonbValue *billing_details;
	bool		is_default;
	bool		type_ok;		/* false after an error in "type" */
} ParsedMethod;

/* last4 at the rule's offset: exactly four digits */
static void
Last4Field(JsonbValue *v, const char *param, void *field, List **errors)
{
	if (v->type == jbvString && v->val.string.len == 4 &&
		strspn(pnstrdup(v->val.string.val, 4), "0123456789") == 4)
		*(char **) field = pnstrdup(v->val.string.val, 4);
	else
		AddValidationError(errors, param, "\"%s\" must be a string of the last 4 digits", param);
}

/* An integer from min to max, or -1 after recording an error */
static int
IntegerField(JsonbValue *v, const char *param, int min, int max, List **errors)
{
	int64		value;

	if (IntegerValue(v, min, max, &value))
		return (int) value;
	AddValidationError(errors, param, "\"%s\" must be an integer from %d to %d", param, min, max);
	return -1;
}

/* card.brand */
static void
BrandField(JsonbValue *v, const char *param, void *field, List **errors)
{
	bool		ok;

	((ParsedMethod *) field)->brand = TextField(v, param, true, 1, MAX_BRAND_CHARS, errors, &ok);
}

/* card.expMonth */
static void
ExpMonthField(JsonbValue *v, const char *param, void *field, List **errors)
{
	((ParsedMethod *) field)->exp_month = IntegerField(v, param, 1, 12, errors);
}

/* card.expYear */
static void
ExpYearField(JsonbValue *v, const char *param, void *field, List **errors)
{
	((ParsedMethod *) field)->exp_year = IntegerField(v, param, 1000, 9999, errors);
}

static const FieldRule card_fields[] = {
	{"brand", BrandField, 0},
	{"last4", Last4Field, offsetof(ParsedMethod, card_last4)},
	{"expMonth", ExpMonthField, 0},
	{"expYear", ExpYearField, 0},
};

/* card: brand, last4, expMonth and expYear, all required */
static void
CardField(JsonbValue *v, const char *param, void *field, List **errors)
{
	ParsedMethod *m = field;
	int			nerrors = list_length(*errors);

	if (v->type == jbvNull)
		return;
	m->has_card = true;
	m->exp_month = m->exp_year = -1;
	if (!IsObjectField(v, param, errors))
		return;
	DispatchFields(v->val.binary.data, param, card_fields, lengthof(card_fields), m, errors);
	if (list_length(*errors) > nerrors)
		return;
	if (m->brand == NULL)
		AddValidationError(errors, "card.brand", "\"card.brand\" is required");
	if (m->card_last4 == NULL)
		AddValidationError(errors, "card.last4", "\"card.last4\" is required");
	if (m->exp_month < 0)
		AddValidationError(errors, "card.expMonth", "\"card.expMonth\" is required");
	if (m->exp_year < 0)
		AddValidationError(errors, "card.expYear", "\"card.expYear\" is required");
}

/* bankAccount.bankName */
static void
BankNameField(JsonbValue *v, const char *param, void *field, List **errors)
{
	bool		ok;

	((ParsedMethod *) field)->bank_name = TextField(v, param, false, 0, MAX_TEXT_CHARS,
													 errors, &ok);
}

/* bankAccount.accountType: CHECKING or SAVINGS */
static void
AccountTypeField(JsonbValue *v, const char *param, void *field, List **errors)
{
	ParsedMethod *m = field;
	bool		ok;
	char	   *type = TextField(v, param, false, 0, MAX_TEXT_CHARS, errors, &ok);

	if (type != NULL && strcmp(type, "CHECKING") == 0)
		m->account_type = "CHECKING";
	else if (type != NULL && strcmp(type, "SAVINGS") == 0)
		m->account_type = "SAVINGS";
	else if (ok && type != NULL)
		AddValidationError(errors, param, "\"%s\" must be CHECKING or SAVINGS", param);
}

static const FieldRule bank_account_fields[] = {
	{"bankName", BankNameField, 0},
	{"last4", Last4Field, offsetof(ParsedMethod, bank_last4)},
	{"accountType", AccountTypeField, 0},
};

/* bankAccount: last4 required; bankName and accountType optional */
static void
BankAccountField(JsonbValue *v, const char *param, void *field, List **errors)
{
	ParsedMethod *m = field;
	int			nerrors = list_length(*errors);

	if (v->type == jbvNull)
		return;
	m->has_bank_account = true;
	if (!IsObjectField(v, param, errors))
		return;
	DispatchFields(v->val.binary.data, param, bank_account_fields,
				   lengthof(bank_account_fields), m, errors);
	if (list_length(*errors) == nerrors && m->bank_last4 == NULL)
		AddValidationError(errors, "bankAccount.last4", "\"bankAccount.last4\" is required");
}

/* type: CARD or BANK_ACCOUNT */
static void
TypeField(JsonbValue *v, const char *param, void *field, List **errors)
{
	ParsedMethod *m = field;

	if (JsonbStringIs(v, "CARD"))
		m->type = "CARD";
	else if (JsonbStringIs(v, "BANK_ACCOUNT"))
		m->type = "BANK_ACCOUNT";
	else if (v->type != jbvNull)
	{
		AddValidationError(errors, param, "\"%s\" must be CARD or BANK_ACCOUNT", param);
		m->type_ok = false;
	}
}

/* billingDetails: any object */
static void
BillingDetailsField(JsonbValue *v, const char *param, void *field, List **errors)
{
	ParsedMethod *m = field;

	if (IsJsonbObject(v))
		m->billing_details = palloc_object(JsonbValue), *m->billing_details = *v;
	else if (v->type != jbvNull)
		AddValidationError(errors, param, "\"%s\" must be an object, not %s",
						   param, JsonbValueTypeName(v));
}

/* isDefault: a boolean */
static void
IsDefaultField(JsonbValue *v, const char *param, void *field, List **errors)
{
	ParsedMethod *m = field;

	if (v->type == jbvBool)
		m->is_default = v->val.boolean;
	else if (v->type != jbvNull)
		AddValidationError(errors, param, "\"%s\" must be a boolean, not %s",
						   param, JsonbValueTypeName(v));
}

/* the fields of a method; id and createdDateTime are the server's */
static const FieldRule method_fields[] = {
	{"type", TypeField, 0},
	{"card", CardField, 0},
	{"bankAccount", BankAccountField, 0},
	{"billingDetails", BillingDetailsField, 0},
	{"isDefault", IsDefaultField, 0},
	{"id", NULL, 0},
	{"createdDateTime", NULL, 0},
};

/* Check every field of a complete method (errors is empty); false after recording errors */
static bool
ParseMethod(JsonbContainer *input, ParsedMethod *m, List **errors)
{
	memset(m, 0, sizeof(ParsedMethod));
	m->type_ok = true;
	DispatchFields(input, NULL, method_fields, lengthof(method_fields), m, errors);

	if (m->type == NULL && m->type_ok)
		AddValidationError(errors, "type", "\"type\" is required");
	else if (m->type != NULL && strcmp(m->type, "CARD") == 0)
	{
		if (!m->has_card)
			AddValidationError(errors, "card", "\"card\" is required for type CARD");
		if (m->has_bank_account)
			AddValidationError(errors, "bankAccount",
							   "\"bankAccount\" is only for type BANK_ACCOUNT; send \"bankAccount\": null");
	}
	else if (m->type != NULL)
	{
		if (!m->has_bank_account)
			AddValidationError(errors, "bankAccount",
							   "\"bankAccount\" is required for type BANK_ACCOUNT");
		if (m->has_card)
			AddValidationError(errors, "card", "\"card\" is only for type CARD; send \"card\": null");
	}
	return *errors == NIL;
}

/* The stored document of a method (isDefault lives in its own column) */
static Jsonb *
BuildMethod(ParsedMethod *m, const char *id, const char *created)
{
	JsonbParseState *state = NULL;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(&state, "id", id);
	PushKeyString(&state, "type", m->type);
	if (m->has_card)
	{
		PushKey(&state, "card");
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		PushKeyString(&state, "brand", m->brand);
		PushKeyString(&state, "last4", m->card_last4);
		PushKeyInt64(&state, "expMonth", m->exp_month);
		PushKeyInt64(&state, "expYear", m->exp_year);
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	if (m->has_bank_account)
	{
		PushKey(&state, "bankAccount");
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		PushKeyString(&state, "bankName", m->bank_name);
		PushKeyString(&state, "last4", m->bank_last4);
		PushKeyString(&state, "accountType", m->account_type);
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	if (m->billing_details != NULL)
		PushKeyValue(&state, "billingDetails", m->billing_details);
	PushKeyString(&state, "createdDateTime", created);
	return EndObject(&state);
}

/* Raise the error for a method id that the customer does not have */
static void
MethodNotFound(const char *customer_id, const char *id)
{
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("payment method \"%s\" of customer \"%s\" does not exist",
					Echo(id), Echo(customer_id)),
			 errhint("List the customer's payment methods with customers.payment_methods('%s').",
					 customer_id)));
}

/*
 * Run a statement over one method ($1 tenant, $2 customer, $3 method id)
 * that returns at most one method document; NULL when none.
 */
static Jsonb *
MethodStatement(SPIPlanPtr *plan, const char *sql, const char *tenant, const char *customer_id,
				const char *id, bool read_only, int expected)
{
	static Oid	types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];

	values[0] = CStringGetTextDatum(tenant);
	values[1] = CStringGetTextDatum(customer_id);
	values[2] = CStringGetTextDatum(id);
	ExecutePlan(KeptPlan(plan, sql, 3, types), values, read_only, expected);
	return ResultJsonb();
}

/* The method id a save names: NULL for a create; an invalid one is an error */
static char *
SavedMethodId(JsonbContainer *input)
{
	JsonbValue *v = FindKey(input, "id");

	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type != jbvString ||
		!IsValidClientId(PAYMENT_METHOD_PREFIX, v->val.string.val, v->val.string.len))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"id\" must be the id of a saved payment method"),
				 errdetail("Payment method ids are \"%s\" followed by 1 to %d letters, digits or underscores.",
						   PAYMENT_METHOD_PREFIX, MAX_CLIENT_ID_BODY),
				 errhint("Leave \"id\" out to add a payment method; ids are set by the server.")));
	return JsonbStringCopy(v);
}

/*
 * Write a validated method, clearing the customer's old default first; the
 * method's event, and one for the method that lost its default, go to events.
 */
static Jsonb *
WriteMethod(const CallScope *call, const char *customer_id, const char *id,
			ParsedMethod *m, Jsonb *doc, bool created, EventBatch *events)
{
	static Oid	upsert_types[6] = {TEXTOID, TEXTOID, TEXTOID, BOOLOID, TIMESTAMPTZOID, JSONBOID};
	Datum		values[6];
	Jsonb	   *saved;
	List	   *lost_default = NIL;
	ListCell   *lc;

	if (m->is_default)
	{
		static Oid	clear_types[3] = {TEXTOID, TEXTOID, TEXTOID};

		values[0] = CStringGetTextDatum(call->tenant_id);
		values[1] = CStringGetTextDatum(customer_id);
		values[2] = CStringGetTextDatum(id);
		ExecutePlan(KeptPlan(&clear_default_plan, CLEAR_DEFAULT_SQL, 3, clear_types),
					values, false, SPI_OK_UPDATE_RETURNING);
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			bool		isnull;
			lost_default = lappend(lost_default,
								   DatumGetJsonbPCopy(SPI_getbinval(SPI_tuptable->vals[r],
																	SPI_tuptable->tupdesc, 1,
																	&isnull)));
		}
		SPI_freetuptable(SPI_tuptable);
	}

	values[0] = CStringGetTextDatum(call->tenant_id);
	values[1] = CStringGetTextDatum(customer_id);
	values[2] = CStringGetTextDatum(id);
	values[3] = BoolGetDatum(m->is_default);
	values[4] = TimestampTzGetDatum(call->now);
	values[5] = JsonbPGetDatum(doc);
	ExecutePlan(KeptPlan(&upsert_method_plan, UPSERT_METHOD_SQL, 6, upsert_types),
				values, false, SPI_OK_INSERT_RETURNING);
	if (SPI_processed != 1)
		elog(ERROR, "saved " UINT64_FORMAT " payment methods instead of 1", SPI_processed);
	saved = ResultJsonb();
	/* the method's own event first, then the one of the method that lost its default */
	AddEvent(events, created ? "payment_method.attached" : "payment_method.updated", id,
			 customer_id, saved);
	foreach(lc, lost_default)
	{
		Jsonb	   *old = lfirst(lc);

		AddEvent(events, "payment_method.default_changed", DocumentString(old, "id"),
				 customer_id, old);
	}
	return saved;
}

PG_FUNCTION_INFO_V1(customers_save_payment_method);

/* SQL: customers.save_payment_method(customer_id text, method jsonb) */
Datum
customers_save_payment_method(PG_FUNCTION_ARGS)
{
	CustomerRef ref;
	char	   *customer_id;
	Jsonb	   *input;
	JsonbContainer *complete;
	List	   *errors = NIL;
	ParsedMethod method;
	CallScope	call;
	StoredCustomer *customer;
	char	   *id;
	char	   *created;
	Jsonb	   *doc;
	bool		is_new;
	EventBatch	events;

	CustomerRefArgument(fcinfo, 0, "customer_id", &ref);
	input = ObjectArgument(fcinfo, 1, "method", METHOD_HINT);
	complete = &input->root;

	/* card data is refused before anything is read or written */
	FindCardData(&input->root, "", true, &errors);
	if (errors != NIL)
		RaiseItemErrorsWithHint(errors, CARD_DATA_HINT);
	id = SavedMethodId(&input->root);

	BeginCall(&call);
	customer = RequireCustomerRef(call.tenant_id, &ref, true);
	customer_id = customer->id;
	RequireNotArchived(customer);
	is_new = (id == NULL);
	if (id == NULL)
	{
		id = GenerateId(PAYMENT_METHOD_PREFIX);
		created = FormatTimestamp(call.now);
	}
	else
	{
		Jsonb	   *stored = MethodStatement(&get_method_for_update_plan,
											 GET_METHOD_SQL " FOR UPDATE", call.tenant_id,
											 customer_id, id, false, SPI_OK_SELECT);

		if (stored == NULL)
			MethodNotFound(customer_id, id);
		created = DocumentString(stored, "createdDateTime");
		complete = &JsonbMergePatch(&stored->root, &input->root, false)->root;
	}

	if (!ParseMethod(complete, &method, &errors))
		RaiseItemErrorsWithHint(errors, METHOD_HINT);
	doc = BuildMethod(&method, id, created);
	if (VARSIZE(doc) > MAX_METHOD_BYTES)
	{
		if (method.billing_details != NULL)
			AddValidationError(&errors, "billingDetails",
							   "\"billingDetails\" makes the payment method larger than %d kB",
							   MAX_METHOD_BYTES / 1024);
		else
			AddValidationError(&errors, "", "payment method is larger than %d kB",
							   MAX_METHOD_BYTES / 1024);
		RaiseItemErrors(errors);
	}
	InitEventBatch(&events, 2);
	doc = WriteMethod(&call, customer_id, id, &method, doc, is_new, &events);
	WriteEvents(&call, &events);

	EndCall(&call);
	PG_RETURN_JSONB_P(doc);
}

PG_FUNCTION_INFO_V1(customers_payment_methods);

/* SQL: customers.payment_methods(customer_id text) lists them, oldest first */
Datum
customers_payment_methods(PG_FUNCTION_ARGS)
{
	static Oid	types[2] = {TEXTOID, TEXTOID};
	CustomerRef ref;
	char	   *customer_id;
	CallScope	call;
	Datum		values[2];
	Jsonb	  **docs;
	int			n;
	Jsonb	   *list;

	CustomerRefArgument(fcinfo, 0, "customer_id", &ref);
	BeginCall(&call);
	customer_id = RequireCustomerRef(call.tenant_id, &ref, false)->id;
	values[0] = CStringGetTextDatum(call.tenant_id);
	values[1] = CStringGetTextDatum(customer_id);
	ExecutePlan(KeptPlan(&list_methods_plan, LIST_METHODS_SQL, 2, types), values, true,
				SPI_OK_SELECT);
	n = (int) SPI_processed;
	CheckRowsResponseSize(RESPONSE_PAYMENT_METHODS, SPI_tuptable, n);
	docs = palloc(sizeof(Jsonb *) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		bool		isnull;

		CHECK_FOR_INTERRUPTS();	/* a customer's methods are not paginated */
		docs[i] = DatumGetJsonbPCopy(SPI_getbinval(SPI_tuptable->vals[i],
												   SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);
	list = BuildList(docs, n);
	EndCall(&call);
	PG_RETURN_JSONB_P(list);
}

/*
 * One of the customer's methods by id: fetched, or with detach deleted and
 * returned as it was; P0002 when the customer does not have it.
 */
static Jsonb *
OneMethod(FunctionCallInfo fcinfo, bool detach)
{
	CustomerRef ref;
	char	   *customer_id;
	char	   *id;
	CallScope	call;
	Jsonb	   *doc;

	CustomerRefArgument(fcinfo, 0, "customer_id", &ref);
	id = TextArgument(fcinfo, 1, "id", "Pass the id of one of the customer's payment methods.");

	BeginCall(&call);
	customer_id = RequireCustomerRef(call.tenant_id, &ref, detach)->id;
	if (detach)
		doc = MethodStatement(&detach_method_plan, DETACH_METHOD_SQL, call.tenant_id,
							  customer_id, id, false, SPI_OK_DELETE_RETURNING);
	else
		doc = MethodStatement(&get_method_plan, GET_METHOD_SQL, call.tenant_id, customer_id,
							  id, true, SPI_OK_SELECT);
	if (doc == NULL)
		MethodNotFound(customer_id, id);
	if (detach)
	{
		EventBatch	events;

		InitEventBatch(&events, 1);
		AddEvent(&events, "payment_method.detached", id, customer_id, doc);
		WriteEvents(&call, &events);
	}
	EndCall(&call);
	return doc;
}

PG_FUNCTION_INFO_V1(customers_payment_method);

/* SQL: customers.payment_method(customer_id text, id text) returns one */
Datum
customers_payment_method(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(OneMethod(fcinfo, false));
}

PG_FUNCTION_INFO_V1(customers_detach_payment_method);

/* SQL: customers.detach_payment_method(customer_id text, id text) removes one */
Datum
customers_detach_payment_method(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(OneMethod(fcinfo, true));
}
