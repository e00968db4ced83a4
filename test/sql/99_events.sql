-- customers.events (docs/api.md §3.10): one event per change of every kind,
-- in the order of the feed, with the object after the change; filters,
-- cursors that resume exactly after the last event handed out, events of
-- open transactions held back, tenants kept apart; retention
-- (customers.event_retention, purge_events). Concurrent writers committing
-- out of order: test/specs/events_commit_order.spec.
SET customers.tenant_id = 'events';
SET customers.actor = 'feeder';
\set VERBOSITY default
\set SHOW_CONTEXT never
\pset format unaligned

-- an event as a row; generated ids and times as placeholders
CREATE FUNCTION pg_temp.feed(request jsonb DEFAULT '{}')
RETURNS TABLE (n bigint, type text, object text, version text, customer text, actor text,
			   changed jsonb, data jsonb)
LANGUAGE sql AS $$
	SELECT t.n, e ->> 'type',
		   regexp_replace(e ->> 'objectId', '^(pm|cuu)_[0-9A-HJKMNP-TV-Z]{26}$', '<\1_>'),
		   e ->> 'objectVersion', e ->> 'customerId', e ->> 'actor', e -> 'changedFields',
		   CASE WHEN jsonb_typeof(e -> 'data') = 'object' THEN mask(e -> 'data') - 'invoiceSettings'
				ELSE e -> 'data' END
	FROM jsonb_array_elements(customers.events(request) -> 'data') WITH ORDINALITY AS t(e, n)
	ORDER BY t.n
$$;

-- one change of every kind
SELECT count(*) AS saved FROM items(customers.save('{"data": [
	{"id": "cus_e1", "name": "One"}, {"id": "cus_e2", "name": "Two"}]}')) WHERE status = 200;
SELECT customers.patch('cus_e1', '{"email": "one@example.com"}') ->> 'version' AS version;
SELECT customers.archive('cus_e1') ->> 'version' AS version;
SELECT customers.restore('cus_e1') ->> 'version' AS version;
SELECT count(*) AS updated FROM items(customers.save('{"data": [{"id": "cus_e2", "name": "Two!"}]}'))
WHERE status = 200;
SELECT customers.save_payment_method('cus_e2', '{"type": "CARD", "isDefault": true,
	"card": {"brand": "visa", "last4": "4242", "expMonth": 1, "expYear": 2030}}') ->> 'id' AS pm1 \gset
SELECT customers.save_payment_method('cus_e2', '{"type": "BANK_ACCOUNT", "isDefault": true,
	"bankAccount": {"last4": "6789"}}') ->> 'id' AS pm2 \gset
SELECT customers.save_payment_method('cus_e2', jsonb_build_object('id', :'pm2',
	'billingDetails', jsonb_build_object('name', 'Two'))) ->> 'isDefault' AS still_default;
SELECT customers.detach_payment_method('cus_e2', :'pm1') ->> 'isDefault' AS detached_default;
SELECT customers.create_user('cus_e2', '{"email": "u@example.com"}') ->> 'email' AS email;
SELECT count(*) AS labels FROM items(customers.save_class_labels('{"data": [
	{"id": "cll_e", "name": "Region", "requiredness": "NOT_REQUIRED"}]}')) WHERE status = 200;
SELECT count(*) AS labels FROM items(customers.save_class_labels('{"data": [
	{"id": "cll_e", "name": "Regions", "requiredness": "NOT_REQUIRED"}]}')) WHERE status = 200;
SELECT count(*) AS segments FROM items(customers.save_class_segments('{"data": [
	{"id": "cls_e", "label": "cll_e", "name": "East"}, {"id": "cls_w", "label": "cll_e", "name": "West"}]}'))
WHERE status = 200;
SELECT count(*) AS segments FROM items(customers.save_class_segments('{"data": [
	{"id": "cls_w", "label": "cll_e", "name": "Far West"}]}')) WHERE status = 200;
SELECT customers.delete_class_segment('cls_e') ->> 'deleted' AS deleted;
-- calls that change nothing, or fail, add no event
SELECT customers.restore('cus_e2') ->> 'version' AS version;
SELECT count(*) AS unchanged FROM items(customers.save('{"data": [{"id": "cus_e2", "name": "Two!"}]}'))
WHERE status = 200;
SELECT raises($$SELECT customers.patch('cus_e1', '{"email": "bad"}')$$);
SELECT raises($$SELECT customers.create_user('cus_e2', '{"email": "U@example.com"}')$$);
-- a rolled-back change has none
BEGIN;
SELECT customers.patch('cus_e1', '{"name": "Rolled back"}') ->> 'version' AS version;
ROLLBACK;

-- the feed: every change once, in the order of the calls (one transaction
-- each); the object after the change; a detached method as it was
SELECT * FROM pg_temp.feed();
SELECT count(*) AS events, bool_and(id ~ '^evt_[0-9A-HJKMNP-TV-Z]{26}$') AS ids,
	   bool_and(time ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$') AS times,
	   bool_and(id > previous) AS ids_ascending
FROM (SELECT e ->> 'id' AS id, e ->> 'createdDateTime' AS time, lag(e ->> 'id', 1, '') OVER () AS previous
	  FROM jsonb_array_elements(customers.events('{}') -> 'data') AS e) AS t;
-- a customer event's data is the document of that version; history reads
-- the same events
SELECT e -> 'data' = customers.get('cus_e1') AS latest_is_stored,
	   e ->> 'createdDateTime' = customers.get('cus_e1') ->> 'updatedDateTime' AS time
FROM jsonb_array_elements(customers.events('{"objectId": "cus_e1"}') -> 'data') AS e
WHERE e ->> 'objectVersion' = '4';
SELECT string_agg(e ->> 'version' || ' ' || (e ->> 'action'), ', ') AS history
FROM jsonb_array_elements(customers.history('cus_e1') -> 'data') AS e;

-- filters
SELECT n, type, object FROM pg_temp.feed('{"types": ["customer.created", "class_segment.deleted"]}');
SELECT n, type, object FROM pg_temp.feed('{"objectId": "cus_e1"}');
SELECT n, type, object FROM pg_temp.feed(jsonb_build_object('objectId', :'pm2'));
SELECT count(*) AS none FROM pg_temp.feed('{"objectId": "cus_nobody"}');

-- pages of 4 walk the same events; the last page's cursor stays the place
-- to ask again, and gets only what is new
CREATE TEMP TABLE walked (page int, n bigint, id text);
DO $$
DECLARE
	request jsonb := '{"limit": 4}';
	r jsonb;
	page int := 0;
BEGIN
	LOOP
		r := customers.events(request);
		page := page + 1;
		INSERT INTO walked SELECT page, t.n, t.e ->> 'id'
		FROM jsonb_array_elements(r -> 'data') WITH ORDINALITY AS t(e, n);
		EXIT WHEN jsonb_array_length(r -> 'data') = 0 OR page > 20;
		request := jsonb_build_object('limit', 4, 'cursor', r -> 'cursor' -> 'after');
	END LOOP;
	PERFORM set_config('feed.cursor', r -> 'cursor' ->> 'after', false);
END
$$;
SELECT max(page) AS pages, count(*) AS events,
	   array_agg(id ORDER BY page, n) = (SELECT array_agg(e ->> 'id')
		FROM jsonb_array_elements(customers.events('{"limit": 100}') -> 'data') AS e) AS same_order
FROM walked;
SELECT current_setting('feed.cursor') AS cursor \gset
SELECT jsonb_array_length(r -> 'data') AS nothing_new, r -> 'cursor' ->> 'after' = :'cursor' AS same_cursor
FROM customers.events(jsonb_build_object('cursor', :'cursor')) AS r;
SELECT customers.patch('cus_e2', '{"name": "Two again"}') ->> 'version' AS version;
SELECT n, type, object, version FROM pg_temp.feed(jsonb_build_object('cursor', :'cursor'));

-- a change of the reader's own open transaction is held back until commit
BEGIN;
SELECT customers.patch('cus_e2', '{"name": "In flight"}') ->> 'version' AS version;
SELECT count(*) AS own_uncommitted FROM pg_temp.feed(jsonb_build_object('cursor', :'cursor'))
WHERE version = '4';
COMMIT;
SELECT n, type, object, version FROM pg_temp.feed(jsonb_build_object('cursor', :'cursor'));

-- delete and erase: the customer's events go with it (they are its
-- history); one customer.deleted or customer.erased event, without data,
-- tells a consumer that follows from the cursor
SELECT count(*) AS saved FROM items(customers.save('{"data": [{"id": "cus_e3", "name": "Three"},
	{"id": "cus_e4", "name": "Four"}]}')) WHERE status = 200;
SELECT customers.delete('cus_e3') ->> 'deleted' AS deleted;
SELECT customers.erase('cus_e4') ->> 'erased' AS erased;
SELECT n, type, object, version, data FROM pg_temp.feed(jsonb_build_object('cursor', :'cursor',
	'types', '["customer.created", "customer.deleted", "customer.erased"]'::jsonb));

-- invalid requests and cursors: 22023
SELECT raises('SELECT customers.events(NULL)');
SELECT raises($$SELECT customers.events('[]')$$);
SELECT raises($$SELECT customers.events('{"from": 1}')$$);
SELECT raises($$SELECT customers.events('{"limit": 0}')$$);
SELECT raises($$SELECT customers.events('{"types": "customer.created"}')$$);
SELECT raises($$SELECT customers.events('{"types": []}')$$);
SELECT raises($$SELECT customers.events('{"types": ["customer.deleted_forever"]}')$$);
SELECT raises($$SELECT customers.events('{"types": [1]}')$$);
SELECT raises($$SELECT customers.events('{"objectId": ""}')$$);
SELECT raises($$SELECT customers.events('{"objectId": 7}')$$);
SELECT raises($$SELECT customers.events('{"cursor": "AAAA"}')$$);
SELECT raises(format('SELECT customers.events(%L)', jsonb_build_object('cursor',
	customers.history('cus_e2', '{"limit": 1}') -> 'cursor' ->> 'after')));
SELECT raises(format('SELECT customers.events(%L)', jsonb_build_object('cursor',
	customers.query('{"limit": 1}') -> 'cursor' ->> 'after')));

-- tenants: another tenant sees none of these and cannot use the cursor
SET customers.tenant_id = 'events_other';
SELECT count(*) AS other_tenant_events FROM pg_temp.feed();
SELECT raises(format('SELECT customers.events(%L)', jsonb_build_object('cursor', :'cursor')));
-- an ordinary application role reads its tenant's feed through the function
-- only
CREATE ROLE customers_events_app;
GRANT USAGE ON SCHEMA customers TO customers_events_app;
SET ROLE customers_events_app;
SET customers.tenant_id = 'events';
SELECT jsonb_array_length(customers.events('{"limit": 3}') -> 'data') AS app_events;
SELECT raises('SELECT count(*) FROM customers.event');
SELECT raises('SELECT customers.purge_events(10)');
RESET ROLE;
REVOKE ALL ON SCHEMA customers FROM customers_events_app;
DROP ROLE customers_events_app;

-- retention: a cursor older than customers.event_retention is refused
-- (72000), and purge_events removes older events in batches, of every
-- tenant; history is the same events, so it loses them too
SET customers.tenant_id = 'events_old';
SELECT count(*) AS saved FROM items(customers.save('{"data": [{"id": "cus_o1", "name": "Old"},
	{"id": "cus_o2", "name": "Old too"}, {"id": "cus_o3", "name": "Older"}]}')) WHERE status = 200;
SELECT customers.patch('cus_o1', '{"name": "Old!"}') ->> 'version' AS version;
UPDATE customers.event SET created_at = created_at - interval '40 days'
WHERE tenant_id = 'events_old' AND version = 1;
SELECT customers.events('{"limit": 1}') -> 'cursor' ->> 'after' AS old_cursor \gset
SELECT customers.purge_events(10) AS purged_without_retention;
SHOW customers.event_retention;
SET customers.event_retention = '30d';
SHOW customers.event_retention;
SELECT raises(format('SELECT customers.events(%L)', jsonb_build_object('cursor', :'old_cursor')));
SELECT customers.purge_events(2) AS purged, customers.purge_events(2) AS purged, customers.purge_events(2) AS purged;
SELECT n, type, object, version FROM pg_temp.feed();
SELECT string_agg(e ->> 'version' || ' ' || (e ->> 'action'), ', ') AS history
FROM jsonb_array_elements(customers.history('cus_o1') -> 'data') AS e;
SET customers.tenant_id = 'events';
SELECT count(*) AS recent_events_kept FROM pg_temp.feed('{"limit": 100}');
SELECT raises('SELECT customers.purge_events(0)');
SELECT raises('SELECT customers.purge_events(NULL)');
RESET customers.event_retention;

-- "objectId" reads only that object's events (event_object_idx), however
-- long the feed before them: rows of customers.event read in this
-- transaction, never timed (the whole feed was read before)
SET customers.tenant_id = 'events_many';
SELECT count(*) AS saved FROM items(customers.save((SELECT jsonb_build_object('data',
	jsonb_agg(jsonb_build_object('id', 'cus_m' || i, 'name', 'Many ' || i)))
	FROM generate_series(1, 1000) AS i))) WHERE status = 200;
SELECT customers.patch('cus_m1', '{"name": "Many one"}') ->> 'version' AS version;
SELECT customers.events('{"limit": 1}') -> 'cursor' ->> 'after' AS first_cursor \gset
-- rows of customers.event read so far in this transaction
CREATE FUNCTION pg_temp.event_rows_read() RETURNS bigint LANGUAGE sql AS $$
	SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_catalog.pg_stat_xact_user_tables
	WHERE relid = 'customers.event'::regclass
$$;
BEGIN;
SELECT pg_temp.event_rows_read() AS before \gset
SELECT n, type, object, version FROM pg_temp.feed('{"objectId": "cus_m1"}');
SELECT n, type, object, version FROM pg_temp.feed(jsonb_build_object('objectId', 'cus_m1',
	'cursor', :'first_cursor', 'types', '["customer.patched"]'::jsonb));
SELECT count(*) AS none FROM pg_temp.feed(jsonb_build_object('objectId', 'cus_m999',
	'cursor', :'first_cursor', 'types', '["customer.patched"]'::jsonb));
SELECT pg_temp.event_rows_read() - :before AS event_rows_read;
COMMIT;

-- a page whose events' documents take more than customers.max_response_size
-- is refused (54000) from their stored sizes, before they are read
-- (docs/api.md §3.3; the other calls in test 92_response_size)
SET customers.tenant_id = 'events_fat';
SELECT count(*) AS saved FROM items(customers.save((SELECT jsonb_build_object('data',
	jsonb_agg(jsonb_build_object('id', 'cus_big' || i, 'name', 'Big ' || i,
		'customData', jsonb_build_object('blob', repeat('e', 100000)))))
	FROM generate_series(1, 11) AS i))) WHERE status = 200;
SET customers.max_response_size = '1MB';
SELECT raises($$SELECT customers.events('{"limit": 11}')$$);
SELECT jsonb_array_length(customers.events('{"limit": 10}') -> 'data') AS events_page;
SELECT count(*) AS object_page
FROM jsonb_array_elements(customers.events('{"limit": 11, "objectId": "cus_big3"}') -> 'data');
RESET customers.max_response_size;
