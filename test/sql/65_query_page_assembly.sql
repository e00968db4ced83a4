-- The query response is assembled from the stored documents' containers,
-- copied as they are (src/jsonb_assemble.c). For documents of every shape
-- the response must equal, value for value, byte count for byte count and
-- in its text, the one jsonb_build_object and jsonb_agg build from the
-- stored documents; and jsonb operators must read any element of it.
\pset format unaligned
SET customers.tenant_id = 'assembly';

-- expected(request, response): the response built the ordinary way from
-- the table, with the response's own cursor object. predicate is the
-- filter in SQL.
CREATE FUNCTION expected_page(order_by text, lim int, predicate text, cursor jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	data jsonb;
BEGIN
	EXECUTE format('SELECT coalesce(jsonb_agg(doc ORDER BY %s, id), ''[]'') FROM (SELECT doc, %s, id'
				   ' FROM customers.customer WHERE tenant_id = ''assembly'' AND %s'
				   ' ORDER BY %s, id LIMIT %s) AS s', order_by, order_by, predicate, order_by, lim)
		INTO data;
	RETURN jsonb_build_object('result', 'SUCCESS', 'data', data, 'cursor', cursor);
END
$$;
CREATE FUNCTION same_page(response jsonb, expected jsonb) RETURNS text
LANGUAGE sql AS $$
	SELECT concat_ws(', ',
		CASE WHEN response = expected THEN 'equal' ELSE 'NOT EQUAL' END,
		CASE WHEN response::text = expected::text THEN 'same text' ELSE 'OTHER TEXT' END,
		CASE WHEN pg_column_size(response) = pg_column_size(expected) THEN 'same size'
			 ELSE format('SIZE %s vs %s', pg_column_size(response), pg_column_size(expected)) END)
$$;

-- Documents of every shape: the least one (a name), the seed's, unicode and
-- escapes, nested arrays, numbers, booleans and nulls in customData, one
-- with 190 kB of hexadecimal text (stored out of line) and one with 200 kB
-- of repeated text (compressed inline).
SELECT customers.save(jsonb_build_object('data', jsonb_build_array(
	jsonb_build_object('id', 'cus_a01', 'name', 'A minimal'),
	jsonb_build_object('id', 'cus_a02', 'name', 'B seed', 'additionalContactName', 'Jane Smith',
		'businessName', 'Acme Corporation LLC', 'email', 'billing@acme.com',
		'ccEmails', jsonb_build_array('["cc@acme.com"]'), 'bccEmails', jsonb_build_array('["bcc@acme.com"]'),
		'invoiceSettings', jsonb_build_object('invoicePrefix', 'INV-', 'showEmail', false),
		'address', jsonb_build_object('state', 'CA', 'city', 'SF', 'zip', '94107'),
		'customData', jsonb_build_object('internal_key', 'k', 'some_other_field', 23434)),
	jsonb_build_object('id', 'cus_a03', 'name', E'C \u00e9t\u00e9 "quoted" \\ \u65e5\u672c \U0001F600',
		'customData', jsonb_build_object('nested', jsonb_build_array(1, 2.5, -3e10, true, false, null,
			jsonb_build_array(), jsonb_build_object(), jsonb_build_array(jsonb_build_array('deep'))),
			'empty', '', 'n', 0)),
	jsonb_build_object('id', 'cus_a04', 'name', 'D large random',
		'customData', jsonb_build_object('blob', (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 6000) AS i))),
	jsonb_build_object('id', 'cus_a05', 'name', 'E large repeated',
		'customData', jsonb_build_object('blob', repeat('abc', 66000)))))) ->> 'result' AS saved;
-- (a value larger than a heap page is stored out of line)
SELECT id, pg_column_size(doc) > 8160 AS out_of_line, pg_column_size(doc) < octet_length(doc::text) AS compressed
FROM customers.customer WHERE tenant_id = 'assembly' AND id IN ('cus_a04', 'cus_a05') ORDER BY id;

-- every shape, as one page and one by one
WITH r AS (SELECT customers.query('{"limit": 10}') AS response)
SELECT jsonb_array_length(response -> 'data') AS rows,
	   same_page(response, expected_page('name', 10, 'true', response -> 'cursor')) AS page
FROM r;
SELECT d.id, same_page(r.response, expected_page('name', 1, format('id = %L', d.id), r.response -> 'cursor'))
FROM (VALUES ('cus_a01'), ('cus_a02'), ('cus_a03'), ('cus_a04'), ('cus_a05')) AS d(id),
	 LATERAL (SELECT customers.query(jsonb_build_object('limit', 1,
				'filter', jsonb_build_object('id', jsonb_build_object('in', jsonb_build_array(d.id)))))
			  AS response) AS r
ORDER BY d.id;
-- reading inside the assembled containers
WITH r AS (SELECT customers.query('{"limit": 10}') AS response)
SELECT response -> 'data' -> 2 ->> 'name' AS third_name,
	   response #> '{data,2,customData,nested,8,0,0}' AS deepest,
	   length(response #>> '{data,3,customData,blob}') AS blob_length,
	   response @> '{"data": [{"id": "cus_a02", "address": {"city": "SF"}}]}' AS contains,
	   response -> 'cursor' AS cursor, response ->> 'result' AS result
FROM r;

-- the empty page: no rows, no cursors
WITH r AS (SELECT customers.query('{"filter": {"name": {"equal": "nobody"}}}') AS response)
SELECT response::text, same_page(response, expected_page('name', 50, 'false', '{}')) FROM r;

-- 1000-row pages (JEntries store an offset every 32 children), first and next
SELECT count(customers.save(jsonb_build_object('data', (
	SELECT jsonb_agg(jsonb_build_object('id', format('cus_b%s', lpad(i::text, 4, '0')),
		'name', 'F bulk ' || (i % 17), 'email', format('bulk%s@example.com', i),
		'customData', jsonb_build_object('i', i, 'pad', repeat('x', i % 300))) ORDER BY i)
	FROM generate_series(k, k + 999) AS i)))) AS batches
FROM generate_series(1, 1500, 1000) AS k;
WITH r AS (SELECT customers.query('{"limit": 1000, "sort": {"orderBy": "EMAIL"}}') AS response)
SELECT jsonb_array_length(response -> 'data') AS rows,
	   response -> 'data' -> 999 ->> 'email' AS last_email,
	   response -> 'data' -> 32 ->> 'email' AS stride_email,
	   (SELECT count(*) FROM jsonb_array_elements(response -> 'data')) AS elements,
	   same_page(response, expected_page('email', 1000, 'email IS NOT NULL', response -> 'cursor')) AS page
FROM r;
WITH first AS (SELECT customers.query('{"limit": 1000, "sort": {"orderBy": "EMAIL"}}') AS response),
	 second AS (SELECT customers.query(jsonb_build_object('limit', 1000, 'sort', '{"orderBy": "EMAIL"}'::jsonb,
				'cursor', response #>> '{cursor,after}')) AS response FROM first)
SELECT jsonb_array_length(response -> 'data') AS rows,
	   same_page(response -> 'data', (SELECT jsonb_agg(doc ORDER BY email, id) FROM (SELECT doc, email, id
		FROM customers.customer WHERE tenant_id = 'assembly' AND email IS NOT NULL
		ORDER BY email, id OFFSET 1000 LIMIT 1000) AS s)) AS page,
	   response -> 'cursor' ? 'before' AS has_before, response -> 'cursor' ? 'after' AS has_after
FROM second;

-- a page of large documents
WITH r AS (SELECT customers.query('{"limit": 2, "filter": {"name": {"contain": "large"}}}') AS response)
SELECT same_page(response, expected_page('name', 2, $$name ILIKE '%large%'$$, response -> 'cursor')) FROM r;

-- contain picks its strategy per pattern (src/query.c, WalkRows): up to
-- 1000 matches are collected through the trigram index and sorted, more are
-- found by walking the sort index. Both must page exactly like plain SQL,
-- forward and backward, for every sort, over the NULL emails too.
SELECT count(*) FILTER (WHERE name ILIKE '%bulk%') AS bulk, count(*) FILTER (WHERE name ILIKE '%bulk 1%') AS bulk_1,
	   count(*) FILTER (WHERE email ILIKE '%example%') AS example, count(*) FILTER (WHERE name ILIKE '%large%') AS large
FROM customers.customer WHERE tenant_id = 'assembly';
SELECT pattern, lim, order_by, direction,
	   check_walk(order_by, direction, lim, jsonb_build_object('name', jsonb_build_object('contain', pattern)),
				  format('name ILIKE %L', '%' || pattern || '%')) AS walk
FROM (VALUES ('bulk'), ('bulk 1'), ('large'), ('nobody')) AS p(pattern),
	 (VALUES (50), (1000)) AS l(lim),
	 (VALUES ('NAME', 'ASC'), ('EMAIL', 'DESC'), ('ID', 'ASC')) AS s(order_by, direction)
ORDER BY 1, 2, 3;
SELECT check_walk('BUSINESS_NAME', 'ASC', 300, '{"email": {"contain": "EXAMPLE"}, "name": {"contain": "bulk"}}',
				  $$email ILIKE '%example%' AND name ILIKE '%bulk%'$$) AS walk_two_contains;

-- A page from a cursor starts at the cursor's own row: while it is there it
-- shows that a page exists before; once it is archived (or no longer
-- matches) a probe looks for any row before the page.
SET customers.tenant_id = 'assembly_edge';
SELECT customers.save(jsonb_build_object('data', (SELECT jsonb_agg(jsonb_build_object(
	'id', 'cus_g' || i, 'name', 'G' || i) ORDER BY i) FROM generate_series(1, 5) AS i))) ->> 'result' AS saved;
CREATE TEMP TABLE edge AS
SELECT customers.query('{"limit": 2}') #>> '{cursor,after}' AS after;
CREATE FUNCTION edge_page() RETURNS TABLE (ids text, has_before boolean, has_after boolean)
LANGUAGE sql AS $$
	SELECT (SELECT string_agg(d ->> 'id', ',') FROM jsonb_array_elements(r -> 'data') AS d),
		   r -> 'cursor' ? 'before', r -> 'cursor' ? 'after'
	FROM (SELECT customers.query(jsonb_build_object('limit', 2, 'cursor', after)) AS r FROM edge) AS q
$$;
SELECT * FROM edge_page();
SELECT customers.archive('cus_g2') ->> 'status' AS cursor_row;
SELECT * FROM edge_page();
SELECT customers.archive('cus_g1') ->> 'status' AS row_before;
SELECT * FROM edge_page();
SELECT customers.restore('cus_g1') ->> 'status' AS row_before;
SELECT customers.query(jsonb_build_object('limit', 2, 'cursor',
	customers.query(jsonb_build_object('limit', 2, 'cursor', after)) #>> '{cursor,before}')) -> 'data' @? '$[*] ? (@.id == "cus_g1")'
	AS back_to_g1
FROM edge;
