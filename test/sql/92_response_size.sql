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
