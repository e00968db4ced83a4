/*
 * customer_users.c
 *		A customer's users (docs/api.md §9.2): create one, list them page by page.
 *
 * A user is {"id": "cuu_…", "customerId", "email", "firstName", "lastName",
 * "createdDateTime"}. The email is required and unique among the
 * customer's users ignoring case (a unique key on the lower-cased address);
 * "first_name" and "last_name" are accepted for "firstName" and "lastName".
 * Users are listed oldest first (their ids are time-ordered) with the
 * signed keyset cursors of keyset_list.c, bound to the tenant and the customer.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "call_context.h"
#include "customer_reference.h"
#include "customer_store.h"
#include "document.h"
#include "email.h"
#include "event_store.h"
#include "item_errors.h"
#include "ids.h"
#include "jsonb_build.h"
#include "keyset_list.h"
#include "request.h"
#include "spi_plans.h"
#include "timestamps.h"

#define USER_ID_PREFIX "cuu_"

#define INSERT_USER_SQL \
	"INSERT INTO customers.customer_user (tenant_id, customer_id, id, email, created_at, doc)" \
	" VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING doc"

#define USER_COLUMNS \
	"SELECT id, doc FROM customers.customer_user" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND customer_id OPERATOR(pg_catalog.=) $2"

/* oldest first */
#define USERS_FIRST_SQL USER_COLUMNS " ORDER BY id LIMIT $3"
#define USERS_AFTER_SQL USER_COLUMNS " AND id OPERATOR(pg_catalog.>) $4 ORDER BY id LIMIT $3"
#define USERS_BEFORE_SQL USER_COLUMNS \
	" AND id OPERATOR(pg_catalog.<) $4 ORDER BY id DESC LIMIT $3"

/* a code no query sort uses, so a users cursor is refused by query */
#define USERS_CURSOR_CODE 102

#define USER_HINT "Pass {\"email\", \"firstName\", \"lastName\"}; only \"email\" is required."

static SPIPlanPtr insert_user_plan = NULL;

/* A name field as given under its name or its alias */
typedef struct NameField
{
	const char *given_as;		/* the key the client used, or NULL */
	JsonbValue	value;
} NameField;

/* A user's fields, validated */
typedef struct ParsedUser
{
	char	   *email;
	char	   *first_name;
	char	   *last_name;
} ParsedUser;

/* A user's input as it is read */
typedef struct UserInput
{
	ParsedUser *user;
	const char *customer_id;	/* the customer the user is created for */
	bool		email_ok;		/* false after an error in "email" */
	NameField	names[2];		/* firstName, lastName */
} UserInput;

/* firstName or lastName, under its name or its alias; both must agree */
static void
GiveName(JsonbValue *value, const char *key, void *field, List **errors)
{
	NameField  *name = field;

	if (name->given_as != NULL && !JsonbValuesEqual(&name->value, value))
	{
		AddValidationError(errors, key, "\"%s\" and \"%s\" have different values",
						   key, name->given_as);
		return;
	}
	name->given_as = key;
	name->value = *value;
}

/* email: required, a valid address */
static void
UserEmailField(JsonbValue *v, const char *param, void *field, List **errors)
{
	UserInput  *input = field;
	ParsedUser *user = input->user;

	user->email = TextField(v, param, true, 0, MAX_EMAIL_LEN, errors, &input->email_ok);
	if (input->email_ok && user->email != NULL && !IsValidEmail(user->email, strlen(user->email)))
	{
		AddValidationError(errors, param, "\"%s\" is not a valid email address", param);
		input->email_ok = false;
	}
}

/* customerId: may only repeat the customer the user is created for */
static void
CustomerIdField(JsonbValue *v, const char *param, void *field, List **errors)
{
	const char *customer_id = ((UserInput *) field)->customer_id;

	if (!JsonbStringIs(v, customer_id))
		AddValidationError(errors, param,
						   "\"%s\" must be \"%s\", the customer the user is created for",
						   param, customer_id);
}

/* the fields of a new user, the names also in snake_case */
static const FieldRule user_fields[] = {
	{"firstName", GiveName, offsetof(UserInput, names[0])},
	{"first_name", GiveName, offsetof(UserInput, names[0])},
	{"lastName", GiveName, offsetof(UserInput, names[1])},
	{"last_name", GiveName, offsetof(UserInput, names[1])},
	{"email", UserEmailField, 0},
	{"customerId", CustomerIdField, 0},
};

/* Check every field of a new user; false after recording errors */
static bool
ParseUser(JsonbContainer *input, const char *customer_id, ParsedUser *user, List **errors)
{
	UserInput	in = {.user = user, .customer_id = customer_id, .email_ok = true};
	bool		ok;

	memset(user, 0, sizeof(ParsedUser));
	DispatchFields(input, NULL, user_fields, lengthof(user_fields), &in, errors);

	if (user->email == NULL && in.email_ok)
		AddValidationError(errors, "email", "\"email\" is required");
	for (int i = 0; i < (int) lengthof(in.names); i++)
	{
		char	  **target = i == 0 ? &user->first_name : &user->last_name;

		if (in.names[i].given_as != NULL)
			*target = TextField(&in.names[i].value, in.names[i].given_as, false, 0,
								MAX_TEXT_CHARS, errors, &ok);
	}
	return *errors == NIL;
}

/* The document of a new user */
static Jsonb *
BuildUser(ParsedUser *user, const char *id, const char *customer_id, const char *created)
{
	JsonbParseState *state = NULL;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	PushKeyString(&state, "id", id);
	PushKeyString(&state, "customerId", customer_id);
	PushKeyString(&state, "email", user->email);
	PushKeyString(&state, "firstName", user->first_name);
	PushKeyString(&state, "lastName", user->last_name);
	PushKeyString(&state, "createdDateTime", created);
	return EndObject(&state);
}

PG_FUNCTION_INFO_V1(customers_create_user);

/* SQL: customers.create_user(customer_id text, "user" jsonb) returns the new user */
Datum
customers_create_user(PG_FUNCTION_ARGS)
{
	static Oid	types[6] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, JSONBOID};
	CustomerRef ref;
	char	   *customer_id;
	Jsonb	   *input;
	List	   *errors = NIL;
	ParsedUser	user;
	CallScope	call;
	StoredCustomer *customer = NULL;
	char	   *id;
	Datum		values[6];
	Jsonb	   *doc;
	EventBatch	events;

	CustomerRefArgument(fcinfo, 0, "customer_id", &ref);
	input = ObjectArgument(fcinfo, 1, "user", USER_HINT);
	BeginCall(&call);
	/* by externalId the customer's id, which customerId may repeat, is found first */
	if (ref.id == NULL)
		customer = RequireCustomerRef(call.tenant_id, &ref, true);
	customer_id = customer != NULL ? customer->id : ref.id;
	if (!ParseUser(&input->root, customer_id, &user, &errors))
		RaiseItemErrorsWithHint(errors, USER_HINT);
	if (customer == NULL)
		customer = RequireCustomerRef(call.tenant_id, &ref, true);
	RequireNotArchived(customer);
	id = GenerateId(USER_ID_PREFIX);
	doc = BuildUser(&user, id, customer_id, FormatTimestamp(call.now));

	values[0] = CStringGetTextDatum(call.tenant_id);
	values[1] = CStringGetTextDatum(customer_id);
	values[2] = CStringGetTextDatum(id);
	values[3] = CStringGetTextDatum(asc_tolower(user.email, strlen(user.email)));
	values[4] = TimestampTzGetDatum(call.now);
	values[5] = JsonbPGetDatum(doc);
	ExecutePlan(KeptPlan(&insert_user_plan, INSERT_USER_SQL, 6, types), values, false,
				SPI_OK_INSERT_RETURNING);
	doc = ResultJsonb();
	/* the customer is locked, so only an existing user can take the email */
	if (doc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("customer \"%s\" already has a user with email \"%s\"",
						customer_id, user.email),
				 errdetail("Emails of a customer's users are unique, ignoring case."),
				 errhint("Use another email address, or the existing user.")));
	InitEventBatch(&events, 1);
	AddEvent(&events, "customer_user.created", id, customer_id, doc);
	WriteEvents(&call, &events);

	EndCall(&call);
	PG_RETURN_JSONB_P(doc);
}

/* A user from a row of the listing statements */
static Jsonb *
UserDocument(HeapTuple tuple, TupleDesc desc)
{
	bool		isnull;

	return DatumGetJsonbPCopy(SPI_getbinval(tuple, desc, 2, &isnull));
}

static KeysetList users_list = {
	.what = "users",
	.id_argument = "customer_id",
	.cursor_code = USERS_CURSOR_CODE,
	.key_type = TEXTOID,
	.first_sql = USERS_FIRST_SQL,
	.after_sql = USERS_AFTER_SQL,
	.before_sql = USERS_BEFORE_SQL,
	.row_document = UserDocument,
};

PG_FUNCTION_INFO_V1(customers_users);

/* SQL: customers.users(customer_id text, request jsonb) lists a page of users */
Datum
customers_users(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(CustomerListPage(fcinfo, &users_list));
}
