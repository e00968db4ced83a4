-- erase(id, options) (docs/api.md §3.9): every piece of one customer's
-- personal data removed (its document, payment methods, users, segments,
-- history, and the stored results of idempotency keys that named it), a
-- tombstone kept (id, externalId only when asked, when, by whom) that
-- refuses later writes; after VACUUM no heap or index tuple holds the old
-- values, and after VACUUM FULL no page does.
SET customers.tenant_id = 'erase';
SET customers.actor = 'eve';
\pset format unaligned
CREATE EXTENSION IF NOT EXISTS pageinspect;
-- errors and tombstones name the time of the erasure, which differs on every run
CREATE FUNCTION raises_at(sql text) RETURNS text LANGUAGE sql AS $$
	SELECT regexp_replace(raises(sql), '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ', '<time>', 'g')
$$;
CREATE FUNCTION tombstone(doc jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT doc || jsonb_build_object('erasedDateTime',
		CASE WHEN doc ->> 'erasedDateTime' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$' THEN '<time>'
			 ELSE doc ->> 'erasedDateTime' END)
$$;

-- every value of the customer carries the marker "zyxwvut"
SELECT customers.save_class_labels('{"data": [{"id": "cll_er", "name": "Erase"}]}') ->> 'result' AS label;
SELECT customers.save_class_segments('{"data": [{"id": "cls_er", "name": "Seg", "label": "cll_er"}]}') ->> 'result' AS segment;
SELECT customers.save('{"data": [{"id": "cus_e1", "externalId": "zyxwvut-ext-1", "name": "zyxwvut Person",
	"email": "zyxwvut@person.example", "businessName": "zyxwvut Business", "additionalContactName": "zyxwvut Contact",
	"ccEmails": ["zyxwvut-cc@person.example"], "address": {"city": "zyxwvutville", "address1": "1 zyxwvut Street",
	"phoneWork": "zyxwvut-555"}, "customData": {"zyxwvut": "zyxwvut-note"}, "classSegments": ["cls_er"]}]}') ->> 'result' AS saved;
SELECT customers.patch('cus_e1', '{"name": "zyxwvut Person 2", "customData": {"more": "zyxwvut-more"}}') -> 'version' AS version;
SELECT customers.archive('cus_e1') -> 'version' AS version;
SELECT customers.restore('cus_e1') -> 'version' AS version;
SELECT customers.create_user('cus_e1', '{"email": "zyxwvut-user@person.example", "firstName": "zyxwvut"}') ->> 'firstName' AS user;
SET customers.idempotency_key = 'erase-key-1';
SELECT customers.save_payment_method('{"externalId": "zyxwvut-ext-1"}', '{"type": "CARD", "card": {"brand": "visa",
	"last4": "4242", "expMonth": 1, "expYear": 2030}, "billingDetails": {"name": "zyxwvut Billing"}}') ->> 'type' AS method;
SET customers.idempotency_key = 'erase-key-2';
SELECT customers.patch('cus_e1', '{"businessName": "zyxwvut Business 2"}') -> 'version' AS version;
RESET customers.idempotency_key;
SELECT customers.save('{"data": [{"id": "cus_e2", "name": "zyxwvut Second", "externalId": "kept-ext-2"},
	{"id": "cus_keep", "name": "Kept Customer"}]}') ->> 'result' AS saved;

-- another tenant cannot erase it, and errors change nothing
SELECT table_checksum() AS before \gset
SET customers.tenant_id = 'erase-other';
SELECT raises($$SELECT customers.erase('cus_e1')$$);
SET customers.tenant_id = 'erase';
SELECT raises($$SELECT customers.erase(NULL)$$);
SELECT raises($$SELECT customers.erase('cus_nope')$$);
SELECT raises($$SELECT customers.erase('cus_e1', '[]')$$);
SELECT raises($$SELECT customers.erase('cus_e1', '{"keep": true}')$$);
SELECT raises($$SELECT customers.erase('cus_e1', '{"keepExternalId": "yes"}')$$);
SELECT table_checksum() = :'before' AS unchanged;

-- erase: the tombstone, without the externalId unless asked
SELECT tombstone(customers.erase('cus_e1')) AS tombstone;
SELECT tombstone(customers.erase('{"externalId": "kept-ext-2"}', '{"keepExternalId": true}')) AS tombstone_with_external_id;
SELECT tenant_id, id, external_id, erased_by FROM customers.erased_customer ORDER BY id;

-- nothing of it is readable through any function ...
SELECT customers.get('cus_e1') IS NULL AS get_null, customers.get('{"externalId": "zyxwvut-ext-1"}') IS NULL AS by_external_id_null;
SELECT raises_at($$SELECT customers.history('cus_e1')$$);
SELECT raises_at($$SELECT customers.users('cus_e1')$$);
SELECT raises_at($$SELECT customers.payment_methods('cus_e1')$$);
SELECT raises_at($$SELECT customers.history('{"externalId": "kept-ext-2"}')$$);
SELECT jsonb_array_length(customers.query('{"filter": {"status": {"in": ["ACTIVE", "INACTIVE", "ARCHIVED"]}}}') -> 'data') AS customers_left;
-- ... nor any table (read as the owner, past row level security)
SELECT (SELECT count(*) FROM customers.customer WHERE id IN ('cus_e1', 'cus_e2')) AS customers,
	(SELECT count(*) FROM customers.payment_method WHERE customer_id = 'cus_e1') AS methods,
	(SELECT count(*) FROM customers.customer_user WHERE customer_id = 'cus_e1') AS users,
	(SELECT count(*) FROM customers.customer_segment WHERE customer_id = 'cus_e1') AS segments,
	(SELECT count(*) FROM customers.event WHERE customer_id IN ('cus_e1', 'cus_e2')) AS events;
-- the feed keeps one customer.erased event of each, without data
SELECT type, object_id, customer_id, version, data FROM customers.event
WHERE object_id IN ('cus_e1', 'cus_e2') ORDER BY object_id;
SELECT key, function, response FROM customers.idempotency_key WHERE tenant_id = 'erase' ORDER BY key;
-- a retry of a keyed call whose result was erased is refused
SET customers.idempotency_key = 'erase-key-2';
SELECT raises_at($$SELECT customers.patch('cus_e1', '{"businessName": "zyxwvut Business 2"}')$$);
RESET customers.idempotency_key;

-- the tombstone refuses every write to the id, and to a kept externalId
SELECT status, error FROM items(customers.save('{"data": [{"id": "cus_e1", "name": "Back Again"}]}'));
SELECT status, error FROM items(customers.save('{"data": [{"name": "Takes Its Place", "externalId": "kept-ext-2"}]}'));
SELECT status, error FROM items(customers.save('{"upsertBy": "externalId", "data": [{"name": "Upsert", "externalId": "kept-ext-2"}]}'));
SELECT raises_at($$SELECT customers.patch('cus_keep', '{"externalId": "kept-ext-2"}')$$);
SELECT raises_at($$SELECT customers.patch('cus_e1', '{"name": "Back"}')$$);
SELECT raises_at($$SELECT customers.archive('{"externalId": "kept-ext-2"}')$$);
SELECT raises_at($$SELECT customers.create_user('cus_e1', '{"email": "new@example.com"}')$$);
SELECT raises_at($$SELECT customers.save_payment_method('cus_e1', '{"type": "BANK_ACCOUNT", "bankAccount": {"last4": "1111"}}')$$);
SELECT raises_at($$SELECT customers.delete('cus_e1')$$);
-- the externalId that was not kept is free again
SELECT customers.save('{"data": [{"id": "cus_e3", "name": "New Holder", "externalId": "zyxwvut-ext-1"}]}')
	#>> '{data,0,statusCode}' AS status;
SELECT customers.delete('cus_e3') ->> 'deleted' AS deleted;
-- erasing again returns the same tombstone and changes nothing
SELECT table_checksum() AS before \gset
SELECT customers.erase('cus_e1') = customers.erase('cus_e1', '{"keepExternalId": true}') AS same_tombstone,
	customers.erase('cus_e1') ? 'externalId' AS external_id_kept;
SELECT table_checksum() = :'before' AS unchanged;

-- no heap or index tuple of any table holds the old values after VACUUM
-- (the trigram and jsonb GIN indexes hold trigrams and hashes, not values)
CREATE FUNCTION tuples_holding(marker text) RETURNS TABLE (relation text, tuples bigint)
LANGUAGE sql AS $$
	WITH rels AS (
		SELECT c.oid, c.relkind, am.amname FROM pg_class c LEFT JOIN pg_am am ON am.oid = c.relam
		WHERE c.relnamespace = 'customers'::regnamespace AND c.relkind IN ('r', 'i')
		UNION ALL
		SELECT t.oid, t.relkind, 'heap' FROM pg_class c JOIN pg_class t ON t.oid = c.reltoastrelid
		WHERE c.relnamespace = 'customers'::regnamespace
	), pages AS (
		SELECT r.oid::regclass::text AS rel, r.relkind, r.amname, b::int AS blkno
		FROM rels r, generate_series(CASE WHEN r.amname = 'btree' THEN 1 ELSE 0 END,
									 pg_relation_size(r.oid) / 8192 - 1) AS b
		WHERE r.relkind IN ('r', 't') OR r.amname = 'btree'
	)
	SELECT p.rel, count(*)
	FROM pages p, LATERAL (
		SELECT h.t_data AS data FROM heap_page_items(get_raw_page(p.rel, p.blkno)) AS h
		WHERE p.relkind IN ('r', 't')
		UNION ALL
		SELECT decode(replace(i.data, ' ', ''), 'hex') FROM bt_page_items(get_raw_page(p.rel, p.blkno)) AS i
		WHERE p.amname = 'btree'
	) AS items
	WHERE position(convert_to(marker, 'UTF8') IN items.data) > 0
	GROUP BY p.rel ORDER BY p.rel
$$;
CREATE FUNCTION pages_holding(marker text) RETURNS TABLE (relation text, pages bigint)
LANGUAGE sql AS $$
	SELECT r.oid::regclass::text, count(*)
	FROM pg_class r, generate_series(0, pg_relation_size(r.oid) / 8192 - 1) AS b
	WHERE (r.relnamespace = 'customers'::regnamespace AND r.relkind IN ('r', 'i'))
	   OR r.oid IN (SELECT reltoastrelid FROM pg_class WHERE relnamespace = 'customers'::regnamespace)
	GROUP BY r.oid
	HAVING count(*) FILTER (WHERE position(convert_to(marker, 'UTF8') IN get_raw_page(r.oid::regclass::text, b::int)) > 0) > 0
$$;
-- (INDEX_CLEANUP ON: a plain VACUUM skips the indexes when few rows died)
VACUUM (INDEX_CLEANUP ON) customers.customer, customers.event, customers.payment_method,
	customers.customer_user, customers.customer_segment, customers.idempotency_key, customers.erased_customer;
SELECT * FROM tuples_holding('zyxwvut');
-- the bytes of removed tuples can stay in a page's free space until it is
-- reused; VACUUM FULL rewrites the tables, and then no page holds them
VACUUM FULL customers.customer, customers.event, customers.payment_method, customers.customer_user,
	customers.customer_segment, customers.idempotency_key, customers.erased_customer;
SELECT * FROM pages_holding('zyxwvut');
-- the customers that were not erased keep their data
SELECT customers.get('cus_keep') ->> 'name' AS kept;
DROP FUNCTION tuples_holding(text);
DROP FUNCTION raises_at(text);
DROP FUNCTION tombstone(jsonb);
DROP FUNCTION pages_holding(text);
DROP EXTENSION pageinspect;
