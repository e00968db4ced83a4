-- A customer by its externalId (docs/api.md §3.6): every function that takes
-- a customer id also takes {"externalId": "…"}; save upserts by externalId
-- when the request opts in with "upsertBy".
SET customers.tenant_id = 'extid';
SET customers.actor = 'alice';
\pset format unaligned

SELECT customers.save('{"data": [{"id": "cus_x1", "name": "Ext One", "externalId": "org-1"},
	{"id": "cus_x2", "name": "Ext Two", "externalId": "org-2"},
	{"id": "cus_x3", "name": "No Ext"}]}') ->> 'result' AS saved;

-- get: the customer, or NULL for an externalId this tenant does not have
SELECT customers.get('{"externalId": "org-1"}') ->> 'id' AS get;
SELECT customers.get('{"externalId": "org-9"}') IS NULL AS unknown_is_null;
SELECT customers.get('{"externalId": "org-1"}') = customers.get('cus_x1') AS same_document;
-- the externalId of a reference follows the text rules of a stored one
-- (docs/api.md §2.2): trimmed of Unicode white space, in NFC
SELECT customers.get('{"externalId": " org-1\t"}') ->> 'id' AS trimmed,
	   customers.get('{"externalId": "\u00a0org-1\u3000"}') ->> 'id' AS unicode_trimmed;
SELECT customers.save('{"data": [{"id": "cus_x4", "name": "Ext Four", "externalId": "  caf\u00e9 "}]}') ->> 'result' AS saved;
SELECT customers.get('cus_x4') ->> 'externalId' AS stored,
	   customers.get('{"externalId": "cafe\u0301"}') ->> 'id' AS nfc;
SELECT customers.archive('{"externalId": " caf\u00e9"}') ->> 'status' AS archived_trimmed;
-- another tenant's externalId is unknown here
SET customers.tenant_id = 'extid-other';
SELECT customers.get('{"externalId": "org-1"}') IS NULL AS other_tenant_null;
SELECT raises($$SELECT customers.patch('{"externalId": "org-1"}', '{"name": "Stolen"}')$$);
SET customers.tenant_id = 'extid';

-- patch, archive, restore by externalId; patch may change the externalId
SELECT mask(customers.patch('{"externalId": "org-1"}', '{"email": "one@example.com"}')) AS patched;
SELECT customers.archive('{"externalId": "org-1"}') ->> 'status' AS archived;
SELECT customers.restore('{"externalId": "org-1"}') ->> 'status' AS restored;
SELECT customers.patch('{"externalId": "org-1"}', '{"externalId": "org-1b"}') ->> 'externalId' AS renamed;
SELECT customers.get('{"externalId": "org-1"}') IS NULL AS old_name_gone;
SELECT customers.patch('{"externalId": "org-1b"}', '{"externalId": "org-1"}') ->> 'externalId' AS renamed_back;
-- the id of a patch by externalId may be repeated, not changed
SELECT customers.patch('{"externalId": "org-1"}', '{"id": "cus_x1", "name": "Ext One"}') ->> 'name' AS same_id;

-- history, users and payment methods by externalId
SELECT page(customers.history('{"externalId": "org-1"}', '{"limit": 2}')) AS history;
SELECT mask(customers.create_user('{"externalId": "org-1"}',
	'{"email": "u@example.com", "customerId": "cus_x1"}')) AS user_created;
SELECT page(customers.users('{"externalId": "org-1"}')) -> 'data' -> 0 ->> 'email' AS users;
SELECT mask(customers.save_payment_method('{"externalId": "org-1"}',
	'{"type": "BANK_ACCOUNT", "bankAccount": {"last4": "6789"}}')) - 'createdDateTime' AS method;
SELECT jsonb_array_length(customers.payment_methods('{"externalId": "org-1"}') -> 'data') AS methods;
SELECT customers.payment_method('{"externalId": "org-1"}',
	customers.payment_methods('cus_x1') -> 'data' -> 0 ->> 'id') ->> 'type' AS method_type;

-- errors: an unknown externalId is P0002, a malformed reference 22023 (also
-- when it is not JSON); each changes nothing
SELECT table_checksum() AS before \gset
SELECT raises($$SELECT customers.patch('{"externalId": "org-9"}', '{"name": "X"}')$$);
SELECT raises($$SELECT customers.archive('{"externalId": "org-9"}')$$);
SELECT raises($$SELECT customers.restore('{"externalId": "org-9"}')$$);
SELECT raises($$SELECT customers.history('{"externalId": "org-9"}')$$);
SELECT raises($$SELECT customers.users('{"externalId": "org-9"}')$$);
SELECT raises($$SELECT customers.create_user('{"externalId": "org-9"}', '{"email": "a@example.com"}')$$);
SELECT raises($$SELECT customers.payment_methods('{"externalId": "org-9"}')$$);
SELECT raises($$SELECT customers.get('{"externalId": ""}')$$);
SELECT raises($$SELECT customers.get('{"externalId": " \u2003 "}')$$);
SELECT raises($$SELECT customers.get('{"externalId": "org\n1"}')$$);
SELECT raises($$SELECT customers.patch('{"externalId": " org-9 "}', '{"name": "X"}')$$);
SELECT raises($$SELECT customers.get('{"externalId": 7}')$$);
SELECT raises($$SELECT customers.get('{"id": "cus_x1"}')$$);
SELECT raises($$SELECT customers.get('{"externalId": "org-1", "x": 1}')$$);
SELECT raises(format($$SELECT customers.get('{"externalId": "%s"}')$$, repeat('e', 256)));
SELECT raises($$SELECT customers.get('{"externalId": "org-1"')$$);
-- a user's customerId must name the customer found by externalId
SELECT raises($$SELECT customers.create_user('{"externalId": "org-1"}', '{"email": "b@example.com", "customerId": "cus_x2"}')$$);
-- a taken externalId through patch by externalId: 23505
SELECT raises($$SELECT customers.patch('{"externalId": "org-1"}', '{"externalId": "org-2"}')$$);
SELECT table_checksum() = :'before' AS unchanged;

-- save: without "upsertBy" a create with a held externalId is 409, as before
SELECT status, error FROM items(customers.save('{"data": [{"name": "Dup", "externalId": "org-2"}]}'));
-- with "upsertBy": "externalId" it updates the customer holding it
SELECT n, result, status, data ->> 'id' AS id, data ->> 'name' AS name, data -> 'version' AS version
FROM items(customers.save('{"upsertBy": "externalId", "data": [
	{"name": "Ext Two Updated", "externalId": "org-2"},
	{"name": "Brand New", "externalId": "org-new"},
	{"name": "Ext Two Again", "externalId": "org-2"},
	{"id": "cus_x3", "name": "No Ext Updated"}]}'));
SELECT customers.get('{"externalId": "org-new"}') ->> 'name' AS created;
-- an item that names its id is saved by id, whatever its externalId
SELECT status, error FROM items(customers.save('{"upsertBy": "externalId", "data": [
	{"id": "cus_x3", "name": "Takes org-2", "externalId": "org-2"}]}'));
-- an item naming the customer's id beside one upserting by its externalId
SELECT n, status, data ->> 'id' AS id FROM items(customers.save('{"upsertBy": "externalId", "data": [
	{"id": "cus_x2", "name": "By Id"}, {"name": "By Ext", "externalId": "org-2"}]}'));
SELECT raises($$SELECT customers.save('{"upsertBy": "id", "data": [{"name": "A"}]}')$$);
SELECT raises($$SELECT customers.save('{"upsertBy": 1, "data": [{"name": "A"}]}')$$);
SELECT raises($$SELECT customers.save('{"upsertBy": "externalId"}')$$);
SELECT raises($$SELECT customers.save('{"data": [{"name": "A"}], "other": 1}')$$);
-- "upsertBy": null is the default
SELECT status FROM items(customers.save('{"upsertBy": null, "data": [{"name": "Dup", "externalId": "org-2"}]}'));
