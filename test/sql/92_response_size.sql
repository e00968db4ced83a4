-- Responses too large (docs/api.md §3.3): past customers.max_response_size
-- (64 MB; 1 MB here, the least it may be) a page, list or batch response is
-- refused with 54000 before it is built, a save before it writes anything,
-- and the hint names what to lower; one at the limit is built.
\pset format unaligned
SET customers.tenant_id = 'response_size';
SET customers.max_response_size = '1MB';
SHOW customers.max_response_size;
-- customers first .. first + n - 1 with about 100 kB of customData (ten
-- fit in 1 MB, eleven do not)
CREATE FUNCTION pg_temp.fat(first int, n int, letter text DEFAULT 'a') RETURNS jsonb
LANGUAGE sql AS $$
	SELECT jsonb_build_object('data', jsonb_agg(jsonb_build_object('id', 'cus_fat' || i, 'name', 'Fat ' || i,
		'customData', jsonb_build_object('blob', repeat(letter, 100000))) ORDER BY i))
	FROM generate_series(first, first + n - 1) AS i
$$;
SELECT table_checksum() AS checksum_before \gset

-- a batch of 11: refused before anything is written; of 10, saved
SELECT raises($$SELECT customers.save(pg_temp.fat(1, 11))$$);
SELECT table_checksum() = :'checksum_before' AS unchanged;
-- in the caller's transaction the refused call is undone with its
-- statement, and what came before it stays; no idempotency key is kept
BEGIN;
SELECT count(*) AS saved FROM items(customers.save(pg_temp.fat(1, 5))) WHERE status = 200;
SAVEPOINT before_refused;
SET LOCAL customers.idempotency_key = 'response-size-1';
\set VERBOSITY default
SELECT customers.save(pg_temp.fat(6, 11)) ->> 'result' AS result;
\set VERBOSITY terse
ROLLBACK TO SAVEPOINT before_refused;
SET LOCAL customers.idempotency_key = 'response-size-1';
SELECT count(*) AS saved FROM items(customers.save(pg_temp.fat(6, 5))) WHERE status = 200;
COMMIT;
SELECT count(*) AS customers,
	   (SELECT count(*) FROM customers.event WHERE tenant_id = 'response_size') AS events,
	   (SELECT count(*) FROM customers.idempotency_key WHERE tenant_id = 'response_size') AS keys
FROM customers.customer WHERE tenant_id = 'response_size';
-- an update is held to it too: its response is the documents after
SELECT table_checksum() AS checksum_before \gset
SELECT raises($$SELECT customers.save(jsonb_build_object('data',
	(pg_temp.fat(1, 10, 'b') -> 'data') || jsonb_build_array(jsonb_build_object('name', 'Eleventh',
	'customData', jsonb_build_object('blob', repeat('c', 100000))))))$$);
SELECT table_checksum() = :'checksum_before' AS unchanged;

-- query pages: "limit" 11 refused, 10 built (history and users pages hold
-- small entries; events pages: test 99_events, as Citus has no feed)
SELECT count(*) AS saved FROM items(customers.save(pg_temp.fat(11, 1))) WHERE status = 200;
SELECT raises($$SELECT customers.query('{"limit": 11}')$$);
SELECT jsonb_array_length(customers.query('{"limit": 10}') -> 'data') AS query_page;
-- from a cursor, forward and back, a page of 10 is built too: the walk also
-- reads the cursor's row and the row past the page, which are not counted
-- (their documents are never read: query.c, ReadPageDocuments)
SELECT count(*) AS saved FROM items(customers.save(pg_temp.fat(12, 3))) WHERE status = 200;
WITH forward AS (
	SELECT customers.query(jsonb_build_object('limit', 10,
		'cursor', customers.query('{"limit": 2}') -> 'cursor' ->> 'after')) AS r),
last AS (
	SELECT customers.query(jsonb_build_object('limit', 10, 'cursor', r -> 'cursor' ->> 'after')) AS r FROM forward)
SELECT jsonb_array_length(forward.r -> 'data') AS after_page, jsonb_array_length(last.r -> 'data') AS last_page,
	   jsonb_array_length(customers.query(jsonb_build_object('limit', 10,
		   'cursor', last.r -> 'cursor' ->> 'before')) -> 'data') AS before_page
FROM forward, last;
SELECT raises($$SELECT customers.query('{"limit": 11, "count": true}')$$);

-- the payment methods of a customer, all in one list: 72 of 15 kB
SELECT count(*) AS methods FROM generate_series(1, 72) AS i,
	LATERAL customers.save_payment_method('cus_fat2', jsonb_build_object('type', 'BANK_ACCOUNT',
		'bankAccount', jsonb_build_object('last4', lpad(i::text, 4, '0')),
		'billingDetails', jsonb_build_object('note', repeat('n', 15000)))) AS m;
SELECT raises($$SELECT customers.payment_methods('cus_fat2')$$);
SELECT table_checksum() AS checksum_before \gset

-- only a superuser sets it (an application role cannot raise it)
CREATE ROLE customers_response_app;
SET ROLE customers_response_app;
SELECT raises($$SET customers.max_response_size = '256MB'$$);
RESET ROLE;
DROP ROLE customers_response_app;
-- (the range PostgreSQL appends to the message shows units from 18 on: cut)
SELECT split_part(raises($$SET customers.max_response_size = '512kB'$$), ' (', 1) AS raises;
SELECT split_part(raises($$SET customers.max_response_size = '1GB'$$), ' (', 1) AS raises;
RESET customers.max_response_size;
SHOW customers.max_response_size;
-- at 64 MB the same calls are built
SELECT jsonb_array_length(customers.query('{"limit": 11}') -> 'data') AS query_page,
	   jsonb_array_length(customers.payment_methods('cus_fat2') -> 'data') AS methods;
SELECT table_checksum() = :'checksum_before' AS unchanged;

-- Class segment listings (docs/api.md §5) are held to the same setting,
-- from the stored sizes of the labels and segments before the tree is
-- built: 10,010 segments of about 100 bytes take about 1 MB. {} hints at
-- one label at a time; one label too large, at what to delete.
SET customers.tenant_id = 'response_size_segments';
SELECT customers.save_class_labels('{"data": [{"id": "cll_big", "name": "Big"},
	{"id": "cll_small", "name": "Small"}]}') ->> 'result' AS labels;
SELECT count(*) FILTER (WHERE customers.save_class_segments(jsonb_build_object('data',
	(SELECT jsonb_agg(jsonb_build_object('id', 'cls_' || i, 'name', 'segment number ' || i || ' of a long list',
		'label', 'cll_big', 'parent', CASE WHEN i > 1000 THEN 'cls_' || (i - 1000) END))
	 FROM generate_series(b * 1000 + 1, b * 1000 + 1000) AS i))) ->> 'result' = 'SUCCESS') AS batches
FROM generate_series(0, 9) AS b;
SELECT customers.save_class_segments('{"data": [{"id": "cls_s1", "name": "One", "label": "cll_small"},
	{"id": "cls_s2", "name": "Two", "label": "cll_small", "parent": "cls_s1"}]}') ->> 'result' AS small;
SELECT md5(string_agg(s::text, '|' ORDER BY id)) AS segments_before
FROM customers.class_segment AS s WHERE tenant_id = 'response_size_segments' \gset
SET customers.max_response_size = '1MB';
SELECT raises($$SELECT customers.class_segments('{}')$$);
SELECT raises($$SELECT customers.class_segments(NULL)$$);
SELECT raises($$SELECT customers.class_segments('{"label": "cll_big"}')$$);
SELECT jsonb_array_length(customers.class_segments('{"label": "cll_small"}') -> 'data') AS labels,
	   customers.class_segments('{"label": "cll_small"}') #>> '{data,0,segments,0,children,0,id}' AS child;
RESET customers.max_response_size;
SELECT jsonb_array_length(customers.class_segments() -> 'data') AS labels,
	   pg_column_size(customers.class_segments()) < 1024 * 1024 AS under_1mb;
SELECT md5(string_agg(s::text, '|' ORDER BY id)) = :'segments_before' AS unchanged
FROM customers.class_segment AS s WHERE tenant_id = 'response_size_segments';

-- A batch's item errors count with its documents: one per unrecognized
-- field, each shown twice, they outgrow the request (20,000 fields of 10
-- bytes, about 4 MB of errors). Refused before the envelope is built.
SET customers.tenant_id = 'response_size';
SET customers.max_response_size = '1MB';
SELECT table_checksum() AS checksum_before \gset
SELECT raises($$SELECT customers.save(jsonb_build_object('data', jsonb_build_array(
	jsonb_build_object('name', 'Errors') || (SELECT jsonb_object_agg('k' || i, 0) FROM generate_series(1, 20000) AS i))))$$);
SELECT table_checksum() = :'checksum_before' AS unchanged;
-- a few hundred of them are listed as before
SELECT jsonb_array_length(customers.save(jsonb_build_object('data', jsonb_build_array(
	jsonb_build_object('name', 'Errors') || (SELECT jsonb_object_agg('k' || i, 0) FROM generate_series(1, 300) AS i)))) -> 'error') AS errors;

-- A replay of an idempotency key (docs/api.md §3.8) is the first call's
-- stored result: past a setting lowered since (15 documents of 100 kB,
-- kept under 64 MB), refused, stored size first; the key stays, and at the
-- setting of its first call the retry replays it.
RESET customers.max_response_size;
BEGIN;
SET LOCAL customers.idempotency_key = 'response-size-replay';
SELECT customers.save(pg_temp.fat(20, 15)) ->> 'result' AS first_call;
COMMIT;
SELECT table_checksum() AS checksum_before \gset
SET customers.max_response_size = '1MB';
BEGIN;
SET LOCAL customers.idempotency_key = 'response-size-replay';
SELECT raises($$SELECT customers.save(pg_temp.fat(20, 15))$$);
COMMIT;
RESET customers.max_response_size;
BEGIN;
SET LOCAL customers.idempotency_key = 'response-size-replay';
SELECT jsonb_array_length(customers.save(pg_temp.fat(20, 15)) -> 'data') AS replayed;
COMMIT;
-- (the checksum apart: on Citus a statement reading the distributed table
-- for one tenant runs on a worker, where the test's function is not)
SELECT table_checksum() = :'checksum_before' AS unchanged;
SELECT count(*) AS keys FROM customers.idempotency_key
WHERE tenant_id = 'response_size' AND key = 'response-size-replay';

-- statement_timeout ends a batch of errors being built (57014; the
-- envelope's loops check for interrupts, bench/cancel.sh measures how
-- soon), and the call changes nothing
CREATE TEMP TABLE errors_request AS
SELECT jsonb_build_object('data', jsonb_agg(jsonb_build_object('name', 'Errors')
	|| (SELECT jsonb_object_agg('k' || i, 0) FROM generate_series(1, 20000) AS i))) AS r
FROM generate_series(1, 8);
SELECT table_checksum() AS checksum_before \gset
SET statement_timeout = '10ms';
\set VERBOSITY sqlstate
SELECT customers.save(r) ->> 'result' FROM errors_request;
\set VERBOSITY terse
RESET statement_timeout;
SELECT table_checksum() = :'checksum_before' AS unchanged;
