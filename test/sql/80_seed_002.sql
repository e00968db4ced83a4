-- Seed 002 (a REST customers API) and seed 003 (Flexprice "Create a
-- customer"): every endpoint through the SQL call that serves it, with the
-- seeds' example bodies, and the canonical documents that come back.
-- docs/api.md §9.2 maps each endpoint and field.
SET customers.tenant_id = 'seed002';
SET customers.actor = 'seed-test';
\set VERBOSITY default
\set SHOW_CONTEXT never
\getenv abs_srcdir PG_ABS_SRCDIR
\set seed_002_patch `cat :'abs_srcdir'/fixtures/seed_002_patch_customer.json`
\set seed_003_request `cat :'abs_srcdir'/fixtures/seed_003_create_customer_request.json`

-- POST /customers (create): the seed lists the body fields without values;
-- these are the patch example's kind of values. The snake_case fields come
-- out canonical (legal_name -> businessName, street_address -> address1,
-- sub_premise -> address2, postal_code -> zip, country -> countryCode, ...)
SELECT result, status, error, jsonb_pretty(data) AS data FROM items(customers.save($$
{"data": [{
  "city": "Springfield",
  "country": "US",
  "ein": "987654321",
  "email": "Billing@Globex.example",
  "external_id": "globex-001",
  "legal_name": "Globex Corporation",
  "name": "Globex",
  "postal_code": "62701",
  "state": "IL",
  "street_address": "1 Globex Way",
  "sub_premise": "Suite 100"
}]}$$));
SELECT id AS globex FROM customers.customer WHERE tenant_id = 'seed002' AND external_id = 'globex-001' \gset

-- GET /customers/{id}
SELECT jsonb_pretty(mask(customers.get(:'globex')));

-- PATCH /customers/{id} with the seed's example body
-- (test/fixtures/seed_002_patch_customer.json): every field is an
-- alias or canonical, the address members merge into the stored address
SELECT jsonb_pretty(mask(customers.patch(:'globex', :'seed_002_patch')));

-- DELETE /customers/{id} archives; POST /customers/{id}/restore undoes it
SELECT p ->> 'status' AS status, p ? 'archivedDateTime' AS has_archived_time, p -> 'version' AS version
FROM customers.archive(:'globex') AS p;
SELECT p ->> 'status' AS status, p ? 'archivedDateTime' AS has_archived_time, p -> 'version' AS version
FROM customers.restore(:'globex') AS p;

-- GET /customers: limit, after/before, created_at_start/created_at_end and
-- company_name map to query's limit, cursor, createdDateTime
-- greaterThanEqual/lessThanEqual and name contain. Times compare to the
-- second, as documents show them, so two more customers are created a
-- second later and the range tells them apart by the documents' own times.
DO $$ BEGIN PERFORM pg_sleep(1.05); END $$;
SELECT count(*) AS created FROM items(customers.save('{"data": [
	{"name": "Initech", "legal_name": "Initech LLC"},
	{"name": "Initrode", "legal_name": "Initrode Inc."}]}')) WHERE status = 200;
SELECT customers.get(:'globex') ->> 'createdDateTime' AS first_created,
	   customers.query('{"filter": {"name": {"equal": "Initech"}}}') -> 'data' -> 0 ->> 'createdDateTime'
	   AS later_created \gset
SELECT :'later_created'::timestamptz > :'first_created'::timestamptz AS a_second_apart;
-- created_at_start: the two later ones, by name
SELECT jsonb_path_query_array(customers.query(jsonb_build_object('filter',
	jsonb_build_object('createdDateTime', jsonb_build_object('greaterThanEqual', :'later_created')))),
	'$.data[*].name') AS names;
-- created_at_end: the first one
SELECT jsonb_path_query_array(customers.query(jsonb_build_object('filter',
	jsonb_build_object('createdDateTime', jsonb_build_object('lessThanEqual', :'first_created')))),
	'$.data[*].name') AS names;
-- company_name
SELECT jsonb_path_query_array(customers.query('{"filter": {"name": {"contain": "inIT"}}}'),
	'$.data[*].name') AS names;
-- limit and after (end_cursor), then before (start_cursor)
SELECT customers.query('{"limit": 2}') AS page1 \gset
SELECT jsonb_path_query_array(:'page1', '$.data[*].name') AS names,
	   :'page1'::jsonb -> 'cursor' ? 'after' AS has_after,
	   :'page1'::jsonb -> 'cursor' ? 'before' AS has_before;
SELECT customers.query(jsonb_build_object('limit', 2, 'cursor', :'page1'::jsonb -> 'cursor' ->> 'after')) AS page2 \gset
SELECT jsonb_path_query_array(:'page2', '$.data[*].name') AS names,
	   :'page2'::jsonb -> 'cursor' ? 'after' AS has_after,
	   :'page2'::jsonb -> 'cursor' ? 'before' AS has_before;
SELECT jsonb_path_query_array(customers.query(jsonb_build_object('limit', 2,
	'cursor', :'page2'::jsonb -> 'cursor' ->> 'before')), '$.data[*].name') AS names_before;

-- GET /customers/{id}/payment-methods and .../payment-methods/{payment_method_id}
SELECT jsonb_pretty(mask(customers.payment_methods(:'globex'))) AS none_yet;
SELECT customers.save_payment_method(:'globex', '{"type": "CARD", "isDefault": true,
	"card": {"brand": "visa", "last4": "4242", "expMonth": 12, "expYear": 2030},
	"billingDetails": {"name": "Acme Corp", "email": "billing@acme.com"}}') ->> 'id' AS pm \gset
SELECT jsonb_pretty(mask(customers.payment_methods(:'globex')));
SELECT jsonb_pretty(mask(customers.payment_method(:'globex', :'pm')));

-- POST /customers/{id}/users with the seed's body fields, then
-- GET /customers/{id}/users (limit, after, before)
SELECT jsonb_pretty(mask(customers.create_user(:'globex',
	'{"email": "Jane.Doe@Acme.com", "first_name": "Jane", "last_name": "Doe"}')));
SELECT mask(customers.create_user(:'globex', '{"email": "john@acme.com", "first_name": "John"}'));
SELECT jsonb_pretty(page(customers.users(:'globex', '{"limit": 1}')));
SELECT customers.users(:'globex', '{"limit": 1}') -> 'cursor' ->> 'after' AS after \gset
SELECT jsonb_pretty(page(customers.users(:'globex', jsonb_build_object('limit', 1, 'cursor', :'after'))));
SELECT customers.users(:'globex', jsonb_build_object('limit', 1, 'cursor', :'after')) -> 'cursor' ->> 'before' AS before \gset
SELECT page(customers.users(:'globex', jsonb_build_object('limit', 1, 'cursor', :'before'))) -> 'data' -> 0 ->> 'email' AS email_before;

-- Seed 003: Flexprice "Create a customer", its body with values for the
-- "<string>" placeholders (address_country must be a country code), comes
-- out as a canonical document
SELECT result, status, error, jsonb_pretty(data) AS data FROM items(customers.save($$
{"data": [{
  "address_city": "San Francisco",
  "address_country": "US",
  "address_line1": "500 Howard St",
  "address_line2": "Floor 3",
  "address_postal_code": "94105",
  "address_state": "CA",
  "email": "billing@initech.com",
  "external_id": "flex-cust-002",
  "metadata": {},
  "name": "Initech West"
}]}$$));
-- ... and the seed body exactly as published
-- (test/fixtures/seed_003_create_customer_request.json) is refused only
-- for its placeholder email and country code, the fields with a format
SELECT n, result, status, error FROM items(customers.save(
	jsonb_build_object('data', jsonb_build_array(:'seed_003_request'::jsonb))));
