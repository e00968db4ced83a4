-- history(id, request) (docs/api.md §3.4): one entry per create, update,
-- patch, archive and restore that changes a customer, newest first, with
-- version, action, actor, time and the top-level fields whose value changed;
-- paginated like users with signed cursors.
SET customers.tenant_id = 'history';
SET customers.actor = 'alice';
\set VERBOSITY default
\set SHOW_CONTEXT never
\pset format unaligned

-- a create lists every field of the new document
SELECT customers.save('{"data": [{"id": "cus_h1", "name": "Hist", "email": "h@example.com",
	"customData": {"a": 1}}]}') ->> 'result' AS saved;
SELECT page(customers.history('cus_h1')) AS after_create;

-- save as update (actor bob): only the fields whose value differs
SET customers.actor = 'bob';
SELECT customers.save('{"data": [{"id": "cus_h1", "name": "Hist 2", "email": "h@example.com",
	"customData": {"a": 2}}]}') ->> 'result' AS saved;
-- a save or patch that changes nothing adds nothing
SELECT customers.save('{"data": [{"id": "cus_h1", "name": "Hist 2"}]}') ->> 'result' AS saved;
SELECT customers.patch('cus_h1', '{"email": "h@example.com"}') -> 'version' AS version;
-- patch: a field removed by null and a nested change name their top-level field
SELECT customers.patch('cus_h1', '{"email": null, "address": {"city": "Oslo"}}') -> 'version' AS version;
-- archive, archive again (no change), restore, restore again (no change)
SELECT customers.archive('cus_h1') -> 'version' AS version;
SELECT customers.archive('cus_h1') -> 'version' AS version;
SELECT customers.restore('cus_h1') -> 'version' AS version;
SELECT customers.restore('cus_h1') -> 'version' AS version;
-- a save with status ARCHIVED is an update
SELECT customers.save('{"data": [{"id": "cus_h1", "status": "ARCHIVED"}]}') ->> 'result' AS saved;
SELECT jsonb_pretty(page(customers.history('cus_h1')));

-- every version has exactly one entry; times and actors are the documents'
SELECT customers.get('cus_h1') ->> 'version' AS h1_version \gset
SELECT count(*) AS entries, count(DISTINCT version) AS versions, max(version) AS last_version,
	   max(version) = :h1_version AS matches_document
FROM customers.event WHERE tenant_id = 'history' AND customer_id = 'cus_h1';
SELECT (SELECT e ->> 'changedDateTime' FROM jsonb_array_elements(customers.history('cus_h1') -> 'data') AS e
		WHERE e ->> 'version' = '1') = customers.get('cus_h1') ->> 'createdDateTime' AS created_time,
	   customers.history('cus_h1', '{"limit": 1}') -> 'data' -> 0 ->> 'changedDateTime'
		= customers.get('cus_h1') ->> 'updatedDateTime' AS updated_time;

-- a batch writes one entry per saved item; failed items write none
SELECT n, status FROM items(customers.save('{"data": [
	{"id": "cus_h2", "name": "Two"}, {"id": "cus_h3", "name": ""},
	{"id": "cus_h1", "name": "Hist 3", "version": 1}, {"id": "cus_h4", "name": "Four"}]}'));
SELECT customer_id, version, type, actor, changed_fields FROM customers.event
WHERE tenant_id = 'history' AND customer_id IN ('cus_h2', 'cus_h3', 'cus_h4') ORDER BY customer_id;
SELECT max(version) AS h1_unchanged FROM customers.event
WHERE tenant_id = 'history' AND customer_id = 'cus_h1';
-- a failed patch writes none
SELECT raises($$SELECT customers.patch('cus_h2', '{"email": "bad"}')$$);
SELECT count(*) AS h2_entries FROM customers.event WHERE tenant_id = 'history' AND customer_id = 'cus_h2';

-- pagination, newest first: 30 patches, walked forward then backward
SELECT count(customers.patch('cus_h2', jsonb_build_object('customData', jsonb_build_object('n', i))))
	AS patched FROM generate_series(1, 30) AS i;
SELECT lim, walk_list('history', 'cus_h2', lim) FROM unnest('{1,7,31,50}'::int[]) AS lim;
SELECT page(customers.history('cus_h2', '{"limit": 2}')) AS newest_two;

-- errors: unknown customer (P0002), NULL id, invalid request or cursor (22023)
SELECT customers.history('cus_h2', '{"limit": 2}') -> 'cursor' ->> 'after' AS cursor \gset
SELECT raises($$SELECT customers.history('cus_nobody', '{}')$$);
SELECT raises($$SELECT customers.history(NULL, '{}')$$);
SELECT raises($$SELECT customers.history('cus_h2', NULL)$$);
SELECT raises($$SELECT customers.history('cus_h2', '{"limit": 0, "cursor": null}')$$);
SELECT raises($$SELECT customers.history('cus_h2', '{"filter": {}}')$$);
SELECT raises(format('SELECT customers.history(%L, %L)', 'cus_h1', jsonb_build_object('cursor', :'cursor')));
SELECT raises(format('SELECT customers.users(%L, %L)', 'cus_h2', jsonb_build_object('cursor', :'cursor')));
SELECT jsonb_array_length(customers.history('cus_h2', jsonb_build_object('cursor', :'cursor')) -> 'data') AS valid_here;

-- another tenant sees no history, and its own customer of the same id has its own
SET customers.tenant_id = 'history_other';
SELECT raises($$SELECT customers.history('cus_h1', '{}')$$);
SELECT raises(format('SELECT customers.history(%L, %L)', 'cus_h2', jsonb_build_object('cursor', :'cursor')));
SELECT customers.save('{"data": [{"id": "cus_h1", "name": "Other"}]}') ->> 'result' AS saved;
SELECT page(customers.history('cus_h1')) -> 'data' AS other_tenant_history;

-- deleting customers directly (never done by the API) deletes their history
-- (their events) with them, so a customer created again under the same id
-- starts a new one; so does TRUNCATE (the events of class labels and
-- segments stay)
SET customers.tenant_id = 'history';
SELECT count(*) AS h4_entries FROM customers.event WHERE tenant_id = 'history' AND customer_id = 'cus_h4';
DELETE FROM customers.customer WHERE tenant_id = 'history' AND id IN ('cus_h4', 'cus_nobody');
SELECT count(*) AS h4_entries_after_delete, (SELECT count(*) FROM customers.event
	WHERE tenant_id = 'history' AND customer_id = 'cus_h2') AS h2_kept
FROM customers.event WHERE tenant_id = 'history' AND customer_id = 'cus_h4';
SELECT customers.save('{"data": [{"id": "cus_h4", "name": "Four again"}]}') ->> 'result' AS saved;
SELECT page(customers.history('cus_h4')) -> 'data' AS new_history;
BEGIN;
SET LOCAL client_min_messages = warning;
TRUNCATE customers.customer CASCADE;
SELECT count(*) AS history_after_truncate FROM customers.event WHERE customer_id IS NOT NULL;
ROLLBACK;
SELECT count(*) > 0 AS history_back FROM customers.event;

-- history, payment methods and users work for an ordinary role (no table
-- privileges, not the owner, RLS in force), which reads nothing directly
CREATE ROLE customers_surface_app;
GRANT USAGE ON SCHEMA customers TO customers_surface_app;
SET ROLE customers_surface_app;
SET customers.tenant_id = 'history_app';
SET customers.actor = 'app';
SELECT customers.save('{"data": [{"id": "cus_app", "name": "App"}]}') ->> 'result' AS saved;
SELECT customers.patch('cus_app', '{"name": "App 2"}') -> 'version' AS version;
SELECT page(customers.history('cus_app', '{"limit": 1}')) AS history;
SELECT customers.save_payment_method('cus_app', '{"type": "BANK_ACCOUNT", "isDefault": true,
	"bankAccount": {"last4": "1234"}}') -> 'isDefault' AS is_default;
SELECT jsonb_array_length(customers.payment_methods('cus_app') -> 'data') AS methods;
SELECT customers.create_user('cus_app', '{"email": "app@example.com"}') ->> 'email' AS email;
SELECT jsonb_array_length(customers.users('cus_app') -> 'data') AS users;
SELECT raises('SELECT count(*) FROM customers.event');
SELECT raises('SELECT count(*) FROM customers.payment_method');
SELECT raises('SELECT count(*) FROM customers.customer_user');
RESET ROLE;
-- granted DELETE on customers only, the role deleting its customer takes
-- the customer's history along (the trigger runs as the extension owner)
GRANT SELECT, DELETE ON customers.customer TO customers_surface_app;
SET ROLE customers_surface_app;
SELECT customers.save('{"data": [{"id": "cus_app2", "name": "Kept"}]}') ->> 'result' AS saved;
DELETE FROM customers.customer WHERE id = 'cus_app';
RESET ROLE;
SELECT customer_id, count(*) AS entries FROM customers.event
WHERE tenant_id = 'history_app' GROUP BY customer_id ORDER BY customer_id;
REVOKE ALL ON customers.customer FROM customers_surface_app;
REVOKE ALL ON SCHEMA customers FROM customers_surface_app;
DROP ROLE customers_surface_app;
