-- Input aliases (docs/api.md §2.1): the snake_case names of seed 002 (REST)
-- and seed 003 (Flexprice), through save (create and update) and patch.
-- Aliases are rewritten to canonical fields before validation, and errors
-- about an aliased field name the alias the client sent.
SET customers.tenant_id = 'aliases';
SET customers.actor = 'alias-tester';
\pset format unaligned

-- the fields every document has, to leave out when showing what an alias set
CREATE TEMP TABLE always (k text[]);
INSERT INTO always VALUES ('{id,name,status,ccEmails,bccEmails,invoiceSettings,version,
	createdDateTime,updatedDateTime,createdBy,updatedBy}');

-- each alias alone maps to its canonical field on create (no alias key is
-- kept in the document; country codes are normalized to alpha-3)
SELECT i.n, i.result, i.status, i.data - always.k AS fields, i.error
FROM always, items(customers.save($$
{"data": [
  {"name": "A0",  "legal_name": "Acme Corporation Inc."},
  {"name": "A1",  "id": "cus_al_a1", "external_id": "al-ext-1"},
  {"name": "A2",  "metadata": {"plan": "pro", "seats": 3}},
  {"name": "A3",  "street_address": "123 Main St"},
  {"name": "A4",  "address_line1": "500 Howard St"},
  {"name": "A5",  "sub_premise": "Apt 1"},
  {"name": "A6",  "address_line2": "Floor 3"},
  {"name": "A7",  "city": "New York"},
  {"name": "A8",  "address_city": "San Francisco"},
  {"name": "A9",  "state": "NY"},
  {"name": "A10", "address_state": "CA"},
  {"name": "A11", "postal_code": "10001"},
  {"name": "A12", "address_postal_code": "94105"},
  {"name": "A13", "country": "ca"},
  {"name": "A14", "address_country": "DEU"}
]}$$)) AS i;

-- alias and canonical field (or two aliases of one field) with the same
-- value are accepted
SELECT i.n, i.result, i.status, i.data - always.k AS fields, i.error
FROM always, items(customers.save($$
{"data": [
  {"name": "S0", "legal_name": "Same Inc.", "businessName": "Same Inc."},
  {"name": "S1", "external_id": "al-ext-s1", "externalId": "al-ext-s1"},
  {"name": "S2", "metadata": {"a": 1, "b": [2]}, "customData": {"b": [2], "a": 1}},
  {"name": "S3", "city": "Boston", "address": {"city": "Boston"}},
  {"name": "S4", "country": "GB", "address": {"countryCode": "GB"}},
  {"name": "S5", "city": "Denver", "address_city": "Denver"},
  {"name": "S6", "postal_code": "80202", "address_postal_code": "80202",
   "address": {"zip": "80202"}}
]}$$)) AS i;

-- alias and canonical field with different values: 400 naming the alias
SELECT n, result, status, error FROM items(customers.save($$
{"data": [
  {"name": "D0", "legal_name": "One Inc.", "businessName": "Two Inc."},
  {"name": "D1", "external_id": "al-ext-d1", "externalId": "al-ext-d1x"},
  {"name": "D2", "metadata": {"a": 1}, "customData": {"a": 2}},
  {"name": "D3", "street_address": "1 A St", "address": {"address1": "2 B St"}},
  {"name": "D4", "sub_premise": "Apt 1", "address": {"address2": "Apt 2"}},
  {"name": "D5", "state": "NY", "address": {"state": "NJ"}},
  {"name": "D6", "address_postal_code": "10001", "address": {"zip": "10002"}},
  {"name": "D7", "country": "USA", "address": {"countryCode": "CAN"}}
]}$$));
-- ... and the envelope's top-level error names it under data[i]
SELECT customers.save('{"data": [{"name": "E0"}, {"name": "E1", "city": "A",
	"address": {"city": "B"}}]}') - 'data' AS envelope;

-- two aliases of one field with different values: 400 naming an alias
SELECT n, result, status, error FROM items(customers.save($$
{"data": [
  {"name": "T0", "city": "Boston", "address_city": "Denver"},
  {"name": "T1", "street_address": "1 A St", "address_line1": "2 B St"},
  {"name": "T2", "sub_premise": "Apt 1", "address_line2": "Apt 2"},
  {"name": "T3", "state": "NY", "address_state": "CA"},
  {"name": "T4", "postal_code": "10001", "address_postal_code": "94105"},
  {"name": "T5", "country": "USA", "address_country": "CAN"}
]}$$));

-- address aliases merge into a given address object; with "address" null or
-- not an object they are an error naming the alias
SELECT n, result, status, data -> 'address' AS address, error FROM items(customers.save($$
{"data": [
  {"name": "M0", "address": {"countryCode": "CA", "zip": "H2X 1Y4", "phoneWork": "+1 514 555 0100"},
   "city": "Montreal", "state": "QC", "street_address": "1 Rue Sainte-Catherine"},
  {"name": "M1", "city": "Montreal", "address": null},
  {"name": "M2", "postal_code": "10001", "address": "123 Main St"},
  {"name": "M3", "country": "USA", "address": []}
]}$$));

-- an invalid value given through an alias names the alias (also the 256 kB
-- document limit, reached through metadata); a bad canonical member next to
-- an alias keeps its own name
SELECT n, result, status, error FROM items(customers.save(jsonb_build_object('data', jsonb_build_array(
	jsonb_build_object('name', 'V0', 'country', 'XX'),
	jsonb_build_object('name', 'V1', 'address_country', 'ZZZ'),
	jsonb_build_object('name', 'V2', 'postal_code', repeat('9', 256)),
	jsonb_build_object('name', 'V3', 'legal_name', repeat('L', 256)),
	jsonb_build_object('name', 'V4', 'external_id', ''),
	jsonb_build_object('name', 'V5', 'metadata', 'not an object'),
	jsonb_build_object('name', 'V6', 'city', 42),
	jsonb_build_object('name', 'V7', 'address_line2', repeat('x', 256)),
	jsonb_build_object('name', 'V8', 'city', 'Boston', 'address', jsonb_build_object('zip', 2110)),
	jsonb_build_object('name', 'V9', 'metadata', jsonb_build_object('blob', repeat('x', 300000)))))));

-- an external_id already taken is a 409 naming the alias
SELECT n, result, status, error FROM items(customers.save(
	'{"data": [{"name": "Dup", "external_id": "al-ext-1"}]}'));

-- unknown snake_case fields that are not aliases are rejected as unrecognized
SELECT n, result, status, error FROM items(customers.save($$
{"data": [
  {"name": "U0", "company_name": "Acme"},
  {"name": "U1", "first_name": "Wile"},
  {"name": "U2", "address_zip": "10001"},
  {"name": "U3", "zip_code": "10001", "city": "New York"}
]}$$));
SELECT count(*) AS stored FROM customers.customer WHERE tenant_id = 'aliases';

-- update through save: aliases replace their canonical fields (an address
-- alias gives the address, which replaces the stored one wholesale)
SELECT n, result, status, data - always.k AS fields, error
FROM always, items(customers.save($$
{"data": [{"id": "cus_al_upd", "name": "Update Me", "businessName": "Old Inc.",
  "externalId": "al-ext-old", "customData": {"old": true},
  "address": {"countryCode": "CAN", "city": "Toronto", "zip": "M5V", "state": "ON"}}]}$$));
SELECT n, result, status, data -> 'version' AS version, data - always.k AS fields, error
FROM always, items(customers.save($$
{"data": [{"id": "cus_al_upd", "legal_name": "New Inc.", "external_id": "al-ext-new",
  "metadata": {"new": true}, "city": "Ottawa", "address_country": "CA"}]}$$));
-- ... the same values again through aliases are no change: the version stays
SELECT n, result, status, data -> 'version' AS version, error FROM items(customers.save($$
{"data": [{"id": "cus_al_upd", "legal_name": "New Inc.", "city": "Ottawa", "country": "CAN"}]}$$));
-- ... and a conflict on update fails without changing the stored customer
SELECT n, result, status, error FROM items(customers.save($$
{"data": [{"id": "cus_al_upd", "city": "Ottawa", "address": {"city": "Hull"}}]}$$));
SELECT c -> 'version' AS version, c -> 'address' AS address FROM customers.get('cus_al_upd') AS c;

-- seed 002 "Create a customer" body through save: the canonical document
SELECT result, status, error, jsonb_pretty(data) AS data FROM items(customers.save($$
{"data": [{
  "name": "Acme Corp",
  "legal_name": "Acme Corporation Inc.",
  "ein": "123456789",
  "email": "billing@acme.com",
  "external_id": "acme-001",
  "street_address": "123 Main St",
  "sub_premise": "Suite 400",
  "city": "New York",
  "state": "NY",
  "postal_code": "10001",
  "country": "USA"
}]}$$));

-- seed 003 (Flexprice) "Create a customer" body through save
SELECT result, status, error, jsonb_pretty(data) AS data FROM items(customers.save($$
{"data": [{
  "address_city": "San Francisco",
  "address_country": "US",
  "address_line1": "500 Howard St",
  "address_line2": "Floor 3",
  "address_postal_code": "94105",
  "address_state": "CA",
  "email": "billing@initech.com",
  "external_id": "flex-cust-001",
  "metadata": {"plan": "enterprise", "seats": 25, "tags": ["beta"]},
  "name": "Initech"
}]}$$));

-- seed 002 "Patch customer" example body (docs/api.md §9.2) applied with
-- patch: address aliases merge into the stored address (phoneWork is kept)
SELECT n, result, status, error FROM items(customers.save($$
{"data": [{"id": "cus_al_patch", "name": "Acme", "email": "ap@acme.com",
  "address": {"countryCode": "CAN", "city": "Toronto", "phoneWork": "+1 416 555 0100"}}]}$$));
\getenv abs_srcdir PG_ABS_SRCDIR
\set seed_002_patch `cat :'abs_srcdir'/fixtures/seed_002_patch_customer.json`
SELECT jsonb_pretty(mask(customers.patch('cus_al_patch', :'seed_002_patch'))) AS patched;

-- patch: the other aliases, alias + canonical with the same value, and null
-- through an alias removes the field
SELECT p -> 'version' AS version, p - always.k AS fields
FROM always, customers.patch('cus_al_patch', $${"external_id": "al-ext-patch",
	"metadata": {"source": "flexprice"}, "address_line1": "1 Broadway",
	"address_line2": "Floor 2", "address_city": "New York", "address_state": "NY",
	"address_postal_code": "10004", "address_country": "us"}$$) AS p;
SELECT p -> 'version' AS version, p - always.k AS fields
FROM always, customers.patch('cus_al_patch', $${"legal_name": "Acme LLC",
	"businessName": "Acme LLC", "city": "Brooklyn", "address_city": "Brooklyn",
	"address": {"city": "Brooklyn"}}$$) AS p;
SELECT p -> 'version' AS version, p - always.k AS fields
FROM always, customers.patch('cus_al_patch', $${"legal_name": null, "sub_premise": null,
	"metadata": {"source": null}}$$) AS p;

-- patch errors raise 22023 naming the alias, and change nothing
SELECT table_checksum() AS before \gset
SELECT raises($$SELECT customers.patch('cus_al_patch', '{"country": "XX"}')$$);
SELECT raises($$SELECT customers.patch('cus_al_patch', jsonb_build_object('postal_code', repeat('9', 256)))$$);
SELECT raises($$SELECT customers.patch('cus_al_patch', '{"legal_name": "A", "businessName": "B"}')$$);
SELECT raises($$SELECT customers.patch('cus_al_patch', '{"city": "A", "address": {"city": "B"}}')$$);
SELECT raises($$SELECT customers.patch('cus_al_patch', '{"state": "NY", "address_state": "NJ"}')$$);
SELECT raises($$SELECT customers.patch('cus_al_patch', '{"city": "A", "address": null}')$$);
SELECT raises($$SELECT customers.patch('cus_al_patch', '{"address_line1": "A", "address": "B"}')$$);
SELECT raises($$SELECT customers.patch('cus_al_patch', '{"metadata": [1]}')$$);
SELECT raises($$SELECT customers.patch('cus_al_patch', '{"external_id": ""}')$$);
SELECT raises($$SELECT customers.patch('cus_al_patch', '{"company_name": "Acme"}')$$);
-- ... an external_id taken by another customer is 23505, naming the alias
SELECT raises($$SELECT customers.patch('cus_al_patch', '{"external_id": "al-ext-1"}')$$);
SELECT table_checksum() = :'before' AS unchanged;
