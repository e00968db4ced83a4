-- customers.patch (RFC 7396 merge patch), archive and restore, and save of
-- an ARCHIVED status. Customers here have client-given ids, so documents
-- need mask() only for their times.
SET customers.tenant_id = 'patch';
SET customers.actor = 'alice';
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Two customers to patch: cus_patch1 with every kind of field, cus_patch2
-- holding externalId ext-p2.
SELECT n, result, status, data, error FROM items(customers.save('{"data": [
	{"id": "cus_patch1", "name": "Acme Corp", "externalId": "ext-p1",
	 "email": "billing@acme.com", "businessName": "Acme Corporation",
	 "additionalContactName": "Wile E.", "ccEmails": ["a@acme.com", "b@acme.com"],
	 "invoiceSettings": {"invoicePrefix": "ACME", "showEmail": false},
	 "address": {"countryCode": "US", "state": "AZ", "city": "Phoenix",
	             "zip": "85001", "address1": "1 Desert Rd"},
	 "customData": {"tier": "gold", "tags": ["a", "b"],
	                "limits": {"seats": 5, "credit": {"amount": 100, "currency": "USD"}}}},
	{"id": "cus_patch2", "name": "Globex", "externalId": "ext-p2"}]}'));
SELECT customers.get('cus_patch1') ->> 'createdDateTime' AS p1_created \gset

-- Nested objects merge: address (a member changed, one removed by null)
SELECT p -> 'address' AS address, p -> 'version' AS version
FROM customers.patch('cus_patch1', '{"address": {"city": "Tucson", "zip": null}}') AS p;
-- ... invoiceSettings (invoicePrefix and showEmail kept)
SELECT p -> 'invoiceSettings' AS invoice_settings, p -> 'version' AS version
FROM customers.patch('cus_patch1', '{"invoiceSettings": {"showName": false}}') AS p;
-- ... customData several levels deep (deep change, deep null, new member)
SELECT p -> 'customData' AS custom_data, p -> 'version' AS version
FROM customers.patch('cus_patch1', '{"customData": {"limits": {"credit":
	{"amount": 250, "currency": null}}, "region": {"x": 1}}}') AS p;

-- null removes a top-level optional field
SELECT p ? 'additionalContactName' AS has_contact, p -> 'version' AS version
FROM customers.patch('cus_patch1', '{"additionalContactName": null}') AS p;

-- Arrays replace wholesale (ccEmails, and an array inside customData)
SELECT p -> 'ccEmails' AS cc, p -> 'customData' -> 'tags' AS tags, p -> 'version' AS version
FROM customers.patch('cus_patch1', '{"ccEmails": ["c@acme.com"], "customData": {"tags": ["z"]}}') AS p;

-- A patch creating a nested object drops the nulls inside it
SELECT p -> 'customData' AS custom_data, p -> 'version' AS version
FROM customers.patch('cus_patch1', '{"customData": {"prefs": {"theme": "dark", "beta": null,
	"deep": {"gone": null, "kept": true}}}}') AS p;

-- The whole document after those patches
SELECT mask(customers.get('cus_patch1'));
SELECT customers.get('cus_patch1') AS doc7 \gset

-- Patches that change nothing keep the version (and the whole document):
-- {}, a patch of current values (countryCode "us" is stored "USA"), and
-- the fetched document sent back
SELECT p = :'doc7' AS unchanged, p -> 'version' AS version
FROM customers.patch('cus_patch1', '{}') AS p;
SELECT p = :'doc7' AS unchanged, p -> 'version' AS version
FROM customers.patch('cus_patch1', '{"name": "Acme Corp", "address": {"city": "Tucson", "countryCode": "us"},
	"ccEmails": ["c@acme.com"], "customData": {"tier": "gold"}, "invoiceSettings": {"showEmail": false}}') AS p;
SELECT p = :'doc7' AS unchanged, p -> 'version' AS version
FROM customers.patch('cus_patch1', :'doc7') AS p;

-- updatedBy follows customers.actor; createdBy and createdDateTime are kept
SET customers.actor = 'bob';
SELECT p ->> 'email' AS email, p -> 'version' AS version, p ->> 'createdBy' AS created_by,
	   p ->> 'updatedBy' AS updated_by, p ->> 'createdDateTime' = :'p1_created' AS created_kept
FROM customers.patch('cus_patch1', '{"email": "ap@acme.com"}') AS p;
RESET customers.actor;
SELECT p -> 'version' AS version, p ->> 'createdBy' AS created_by,
	   p ->> 'updatedBy' = current_user AS updated_by_current_user
FROM customers.patch('cus_patch1', '{"businessName": "Acme Inc"}') AS p;
SET customers.actor = 'alice';

-- Failing patches raise and change nothing
SELECT table_checksum() AS sum_before, customers.get('cus_patch1') AS doc_before \gset
-- ... validation errors (22023): the first message, the detail lists the others
SELECT raises($$SELECT customers.patch('cus_patch1', '{"email": "not-an-email"}')$$);
SELECT raises($$SELECT customers.patch('cus_patch1', '{"email": "x@", "ein": "123"}')$$);
SELECT raises($$SELECT customers.patch('cus_patch1', '{"name": null}')$$);
SELECT raises($$SELECT customers.patch('cus_patch1', '{"foo": 1}')$$);
-- ... stale version precondition (40001)
SELECT raises($$SELECT customers.patch('cus_patch1', '{"version": 3, "name": "Stale"}')$$);
-- ... externalId held by another customer (23505)
SELECT raises($$SELECT customers.patch('cus_patch1', '{"externalId": "ext-p2"}')$$);
-- ... "id" different from the id (22023)
SELECT raises($$SELECT customers.patch('cus_patch1', '{"id": "cus_patch2"}')$$);
-- ... unknown id (P0002)
SELECT raises($$SELECT customers.patch('cus_nope', '{"name": "X"}')$$);
-- ... NULL id, NULL patch, non-object patches (22023)
SELECT raises($$SELECT customers.patch(NULL, '{"name": "X"}')$$);
SELECT raises($$SELECT customers.patch('cus_patch1', NULL)$$);
SELECT raises($$SELECT customers.patch('cus_patch1', '[{"name": "X"}]')$$);
SELECT raises($$SELECT customers.patch('cus_patch1', '"X"')$$);
SELECT raises($$SELECT customers.patch('cus_patch1', '42')$$);
SELECT raises($$SELECT customers.patch('cus_patch1', 'null')$$);
SELECT table_checksum() = :'sum_before' AS table_unchanged,
	   customers.get('cus_patch1') = :'doc_before' AS doc_unchanged;

-- A matching version precondition succeeds; the same id is accepted
SELECT p ->> 'businessName' AS business_name, p -> 'version' AS version
FROM customers.patch('cus_patch1', '{"version": 9, "businessName": "Acme Holdings"}') AS p;
SELECT p -> 'taxIds' AS tax_ids, p -> 'version' AS version
FROM customers.patch('cus_patch1', '{"id": "cus_patch1", "ein": "123456789"}') AS p;

-- archive: ARCHIVED with archivedDateTime, version + 1
SELECT mask(customers.archive('cus_patch1'));
SELECT customers.get('cus_patch1') AS archived_doc \gset
-- ... archiving again returns the same document, same version
SELECT a = :'archived_doc' AS unchanged, a -> 'version' AS version
FROM customers.archive('cus_patch1') AS a;
-- ... get() returns an archived customer
SELECT g ->> 'status' AS status, g ? 'archivedDateTime' AS has_archived_time
FROM customers.get('cus_patch1') AS g;

-- restore: back to ACTIVE, archivedDateTime removed, version + 1
SELECT r ->> 'status' AS status, r ? 'archivedDateTime' AS has_archived_time, r -> 'version' AS version
FROM customers.restore('cus_patch1') AS r;
-- ... restoring a customer that is not archived returns it unchanged
SELECT customers.get('cus_patch1') AS restored_doc \gset
SELECT r = :'restored_doc' AS unchanged, r -> 'version' AS version
FROM customers.restore('cus_patch1') AS r;

-- A customer INACTIVE before archive is INACTIVE after restore
SELECT p ->> 'status' AS status, p -> 'version' AS version
FROM customers.patch('cus_patch2', '{"status": "INACTIVE"}') AS p;
SELECT a ->> 'status' AS status, a ? 'archivedDateTime' AS has_archived_time, a -> 'version' AS version
FROM customers.archive('cus_patch2') AS a;
SELECT r ->> 'status' AS status, r ? 'archivedDateTime' AS has_archived_time, r -> 'version' AS version
FROM customers.restore('cus_patch2') AS r;

-- archive/restore errors: unknown id (P0002), NULL id (22023); nothing changes
SELECT table_checksum() AS sum_before \gset
SELECT raises($$SELECT customers.archive('cus_nope')$$);
SELECT raises($$SELECT customers.restore('cus_nope')$$);
SELECT raises($$SELECT customers.archive(NULL)$$);
SELECT raises($$SELECT customers.restore(NULL)$$);
SELECT table_checksum() = :'sum_before' AS table_unchanged;

-- patch of status ARCHIVED archives; patch of status ACTIVE un-archives
SELECT p ->> 'status' AS status, mask(p) -> 'archivedDateTime' AS archived_time, p -> 'version' AS version
FROM customers.patch('cus_patch1', '{"status": "ARCHIVED"}') AS p;
SELECT p ->> 'status' AS status, p ? 'archivedDateTime' AS has_archived_time, p -> 'version' AS version
FROM customers.patch('cus_patch1', '{"status": "ACTIVE"}') AS p;

-- save with status ARCHIVED archives an existing customer; the same save
-- again, and the fetched document saved back, keep the version
SELECT n, result, status, data ->> 'status' AS doc_status, data -> 'archivedDateTime' AS archived_time,
	   data -> 'version' AS version, error
FROM items(customers.save('{"data": [{"id": "cus_patch1", "status": "ARCHIVED"}]}'));
SELECT n, result, status, data ->> 'status' AS doc_status, data -> 'version' AS version, error
FROM items(customers.save('{"data": [{"id": "cus_patch1", "status": "ARCHIVED"}]}'));
SELECT customers.get('cus_patch1') AS saved_doc \gset
SELECT e ->> 'result' AS result, e -> 'data' -> 0 -> 'data' = :'saved_doc' AS same_doc,
	   e -> 'data' -> 0 -> 'data' -> 'version' AS version
FROM customers.save(jsonb_build_object('data', jsonb_build_array(:'saved_doc'::jsonb))) AS e;
-- ... and restore brings it back to ACTIVE
SELECT r ->> 'status' AS status, r ? 'archivedDateTime' AS has_archived_time, r -> 'version' AS version
FROM customers.restore('cus_patch1') AS r;
