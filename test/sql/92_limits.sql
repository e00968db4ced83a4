-- Inputs far past the limits (10 MB strings, 10,000-deep nesting, lists of
-- 200,000 addresses): each gets its documented answer quickly, and a
-- refused one changes nothing.
\pset format unaligned
SET customers.tenant_id = 'limits';
-- a regression to quadratic work shows up as a timeout here
SET statement_timeout = '20s';
SELECT customers.save('{"data": [{"id": "cus_limits", "name": "Limits"}]}') ->> 'result' AS saved;
SELECT table_checksum() AS checksum_before \gset

-- ccEmails of 200,000 distinct addresses: refused once the list passes 50
-- (comparing every pair for duplicates took minutes)
SELECT i.status, i.error
FROM items(customers.save(jsonb_build_object('data', jsonb_build_array(jsonb_build_object(
	'name', 'Many', 'ccEmails', (SELECT jsonb_agg(format('a%s@example.com', n))
								 FROM generate_series(1, 200000) AS n)))))) AS i;
-- ... also as one JSON-encoded element, and on patch
SELECT i.status, i.error
FROM items(customers.save(jsonb_build_object('data', jsonb_build_array(jsonb_build_object(
	'name', 'Many', 'bccEmails', jsonb_build_array((SELECT jsonb_agg(format('b%s@example.com', n))
												   FROM generate_series(1, 200000) AS n)::text)))))) AS i;
SELECT raises(format('SELECT customers.patch(%L, %L)', 'cus_limits', jsonb_build_object('ccEmails',
	(SELECT jsonb_agg(format('a%s@example.com', n)) FROM generate_series(1, 200000) AS n))));
-- 50 distinct addresses among 200,000 duplicates are fine
SELECT i.status, jsonb_array_length(i.data -> 'ccEmails') AS cc
FROM items(customers.save(jsonb_build_object('data', jsonb_build_array(jsonb_build_object(
	'id', 'cus_limits', 'ccEmails', (SELECT jsonb_agg(format('a%s@example.com', n % 50))
									 FROM generate_series(1, 200000) AS n)))))) AS i;
SELECT customers.save('{"data": [{"id": "cus_limits", "ccEmails": []}]}') -> 'data' -> 0 -> 'data' -> 'version' AS version;
SELECT table_checksum() AS checksum_before \gset

-- 10 MB strings
SELECT i.status, i.error
FROM items(customers.save(jsonb_build_object('data', jsonb_build_array(
	jsonb_build_object('name', repeat('x', 10 * 1024 * 1024)),
	jsonb_build_object('name', 'Big data', 'customData', jsonb_build_object('k', repeat('x', 10 * 1024 * 1024))),
	jsonb_build_object('id', 'cus_' || repeat('x', 10 * 1024 * 1024), 'name', 'Big id'),
	jsonb_build_object('name', 'Big email', 'email', repeat('x', 10 * 1024 * 1024) || '@example.com'))))) AS i;
SELECT customers.get('cus_' || repeat('x', 10 * 1024 * 1024)) AS big_id;
SELECT left(raises(format('SELECT customers.archive(%L)', repeat('x', 10 * 1024 * 1024))), 60) AS archive_big_id;
SELECT customers.query(jsonb_build_object('filter', jsonb_build_object(
	'name', jsonb_build_object('contain', repeat('x', 10 * 1024 * 1024))))) AS contain_10mb;
SELECT left(raises(format('SELECT customers.query(%L)', jsonb_build_object('cursor', repeat('A', 10 * 1024 * 1024)))), 120)
	AS cursor_10mb;
SELECT left(raises(format('SELECT customers.query(%L)', jsonb_build_object('sort',
	jsonb_build_object('orderBy', repeat('N', 10 * 1024 * 1024))))), 60) AS sort_10mb;
SELECT table_checksum() = :'checksum_before' AS unchanged;

-- 10,000-deep nesting: customData may be any JSON object, however deep;
-- containment that deep is past PostgreSQL's stack depth (54001)
SELECT e -> 'data' -> 0 ->> 'statusCode' AS status, length(e -> 'data' -> 0 -> 'data' ->> 'customData') AS custom_data_length
FROM customers.save(jsonb_build_object('data', jsonb_build_array(jsonb_build_object(
	'id', 'cus_deep', 'name', 'Deep',
	'customData', (repeat('{"a":', 10000) || '1' || repeat('}', 10000))::jsonb)))) AS e;
SELECT length(customers.patch('cus_deep', jsonb_build_object('customData',
	(repeat('{"a":', 10000) || '2' || repeat('}', 10000))::jsonb)) ->> 'customData') AS patched_length;
SELECT customers.get('cus_deep') #>> ('{customData}' || array_fill('a'::text, ARRAY[10000])) AS deepest;
SELECT table_checksum() AS checksum_before \gset
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('filter', jsonb_build_object(
	'customData', jsonb_build_object('contains', (repeat('{"a":', 10000) || '2' || repeat('}', 10000))::jsonb)))));
SELECT i.status, i.error
FROM items(customers.save(jsonb_build_object('data', jsonb_build_array(
	jsonb_build_object('name', (repeat('[', 10000) || repeat(']', 10000))::jsonb),
	jsonb_build_object('name', 'Deep address', 'address', (repeat('{"a":', 10000) || '1' || repeat('}', 10000))::jsonb))))) AS i;
SELECT table_checksum() = :'checksum_before' AS unchanged;
RESET statement_timeout;
