-- delete(id) (docs/api.md §3.7): a customer removed for good with its
-- payment methods, users, segments and history; returns what it removed;
-- a second delete is P0002; an archived customer needs no restore first.
SET customers.tenant_id = 'delete';
SET customers.actor = 'dora';
\pset format unaligned

-- a customer holding everything: a segment, payment methods, users, history
SELECT customers.save_class_labels('{"data": [{"id": "cll_del", "name": "Del"}]}') ->> 'result' AS label;
SELECT customers.save_class_segments('{"data": [{"id": "cls_del", "name": "Seg", "label": "cll_del"}]}') ->> 'result' AS segment;
SELECT customers.save('{"data": [{"id": "cus_d1", "name": "Del One", "externalId": "del-1",
	"classSegments": ["cls_del"]}, {"id": "cus_d2", "name": "Del Two"}, {"id": "cus_d3", "name": "Del Three"}]}') ->> 'result' AS saved;
SELECT customers.patch('cus_d1', '{"email": "d1@example.com"}') -> 'version' AS version;
SELECT customers.save_payment_method('cus_d1', '{"type": "BANK_ACCOUNT", "bankAccount": {"last4": "1234"},
	"isDefault": true}') ->> 'type' AS method;
SELECT customers.save_payment_method('cus_d1', '{"type": "CARD", "card": {"brand": "visa", "last4": "4242",
	"expMonth": 1, "expYear": 2030}}') ->> 'type' AS method;
SELECT customers.create_user('cus_d1', '{"email": "u1@example.com"}') ->> 'email' AS user1;
SELECT customers.create_user('cus_d1', '{"email": "u2@example.com"}') ->> 'email' AS user2;
-- a query cursor whose page ends at cus_d1
SELECT customers.query('{"limit": 1, "sort": {"orderBy": "ID"}}') #>> '{cursor,after}' AS cursor \gset

-- another tenant cannot delete it, by id or externalId
SELECT table_checksum() AS before \gset
SET customers.tenant_id = 'delete-other';
SELECT raises($$SELECT customers.delete('cus_d1')$$);
SELECT raises($$SELECT customers.delete('{"externalId": "del-1"}')$$);
SET customers.tenant_id = 'delete';
-- errors change nothing
SELECT raises($$SELECT customers.delete(NULL)$$);
SELECT raises($$SELECT customers.delete('cus_nope')$$);
SELECT raises($$SELECT customers.delete('{"externalId": 1}')$$);
SELECT table_checksum() = :'before' AS unchanged;

-- the delete returns the customer as it was and counts what went with it
SELECT mask(customers.delete('cus_d1')) AS deleted;
-- nothing of it is left, in any table
SELECT customers.get('cus_d1') IS NULL AS get_null,
	customers.get('{"externalId": "del-1"}') IS NULL AS by_external_id_null;
SELECT (SELECT count(*) FROM customers.customer WHERE id = 'cus_d1') AS customers,
	(SELECT count(*) FROM customers.payment_method WHERE customer_id = 'cus_d1') AS methods,
	(SELECT count(*) FROM customers.customer_user WHERE customer_id = 'cus_d1') AS users,
	(SELECT count(*) FROM customers.customer_segment WHERE customer_id = 'cus_d1') AS segments,
	(SELECT count(*) FROM customers.event WHERE customer_id = 'cus_d1') AS events;
-- the feed keeps one event of it: customer.deleted, without data (docs/api.md §3.10)
SELECT type, object_id, customer_id, version, changed_fields, data, actor
FROM customers.event WHERE object_id = 'cus_d1';
-- a second delete, and every call on it, is P0002
SELECT raises($$SELECT customers.delete('cus_d1')$$);
SELECT raises($$SELECT customers.history('cus_d1')$$);
SELECT raises($$SELECT customers.payment_methods('cus_d1')$$);
SELECT raises($$SELECT customers.patch('cus_d1', '{"name": "Back"}')$$);
-- a query cursor whose edge row was deleted goes on from where it was
SELECT array_agg(d ->> 'id') AS next_page
FROM jsonb_array_elements(customers.query(jsonb_build_object('limit', 5, 'sort', '{"orderBy": "ID"}'::jsonb,
	'cursor', :'cursor')) -> 'data') AS d;
-- the segment no customer holds any more can be deleted
SELECT customers.delete_class_segment('cls_del') AS segment_deleted;

-- an archived customer is deleted without a restore; by externalId too
SELECT customers.archive('cus_d2') ->> 'status' AS archived;
SELECT customers.delete('cus_d2') -> 'removed' AS removed;
SELECT customers.patch('cus_d3', '{"externalId": "del-3"}') ->> 'externalId' AS ext;
SELECT customers.delete('{"externalId": "del-3"}') ->> 'id' AS deleted_by_external_id;

-- the id and externalId can be used again: a new customer, a new history
SELECT customers.save('{"data": [{"id": "cus_d1", "name": "Again", "externalId": "del-1"}]}')
	#> '{data,0,data,version}' AS version;
SELECT page(customers.history('cus_d1')) AS history;

-- a delete rolled back leaves the customer and everything it holds
SELECT customers.create_user('cus_d1', '{"email": "again@example.com"}') ->> 'email' AS user;
SELECT table_checksum() AS before \gset
BEGIN;
SELECT customers.delete('cus_d1') -> 'removed' AS removed;
ROLLBACK;
SELECT table_checksum() = :'before' AS unchanged;
