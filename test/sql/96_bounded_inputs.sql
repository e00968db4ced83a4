-- Every input bounded before work (docs/api.md §3.3): a filter value longer
-- than any stored value of its field matches nothing without a scan, a
-- page whose expanded class segments would be too large is refused with
-- 54000 before it is built, and a long save stops at statement_timeout
-- (57014).
\pset format unaligned
SET customers.tenant_id = 'bounded';
-- a regression to scanning with a huge pattern shows up as a timeout here
SET statement_timeout = '20s';
-- the ids a query returns
CREATE FUNCTION pg_temp.ids(filter jsonb) RETURNS text
LANGUAGE sql AS $$
	SELECT coalesce(string_agg(d ->> 'id', ' ' ORDER BY o), '(none)')
	FROM jsonb_array_elements(customers.query(jsonb_build_object('limit', 1000, 'filter', filter)) -> 'data')
		 WITH ORDINALITY AS t(d, o)
$$;

-- customers whose fields are as long as they may be
SELECT i.result
FROM items(customers.save(jsonb_build_object('data', jsonb_build_array(
	jsonb_build_object('id', 'cus_long', 'name', repeat('n', 255), 'businessName', repeat('b', 255),
					   'externalId', repeat('x', 255),
					   'email', repeat('e', 64) || '@' || repeat('d', 63) || '.' || repeat('d', 63) || '.' || repeat('d', 57) || '.com'),
	jsonb_build_object('id', 'cus_short', 'name', 'N', 'email', 'n@example.com'))))) AS i;
SELECT length(customers.get('cus_long') ->> 'email') AS email_length;

-- at the limit: found; past it: nothing, as plain SQL says (a contain
-- matches nothing without a scan only past twice the limit, since case
-- folding may turn one character into two)
SELECT f.field, f.op, length(f.value) AS chars,
	   pg_temp.ids(jsonb_build_object(f.field, jsonb_build_object(f.op, f.value))) AS ids
FROM (VALUES
	('name', 'equal', repeat('n', 255)), ('name', 'equal', repeat('n', 256)),
	('name', 'contain', repeat('N', 255)), ('name', 'contain', repeat('N', 256)),
	('name', 'contain', repeat('N', 511)),
	('businessName', 'equal', repeat('b', 255)), ('businessName', 'equal', repeat('b', 256)),
	('businessName', 'contain', repeat('b', 511)),
	('externalId', 'equal', repeat('x', 255)), ('externalId', 'equal', repeat('x', 256)),
	('externalId', 'contain', repeat('x', 511)),
	('email', 'equal', upper(customers.get('cus_long') ->> 'email')),
	('email', 'equal', 'e' || (customers.get('cus_long') ->> 'email')),
	('email', 'contain', repeat('e', 509))
) AS f(field, op, value);
-- 400,000 characters and 10 MB: answered at once (they scanned for
-- minutes), also beside other conditions and under other sorts
SELECT pg_temp.ids(jsonb_build_object('name', jsonb_build_object('contain', repeat('ab', 200000)))) AS ids;
SELECT pg_temp.ids(jsonb_build_object('email', jsonb_build_object('contain', repeat('é', 5000000)),
									  'status', '{"equal": "ACTIVE"}'::jsonb)) AS ids;
SELECT customers.query(jsonb_build_object('sort', '{"orderBy": "EMAIL", "direction": "DESC"}'::jsonb,
	'filter', jsonb_build_object('businessName', jsonb_build_object('contain', repeat('b', 10000000)),
								 'name', '{"contain": "n"}'::jsonb))) AS response;
SELECT pg_temp.ids(jsonb_build_object('externalId', jsonb_build_object('equal', repeat('x', 10000000)))) AS ids;
-- a value of the wrong type is still an error, however long the rest
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('filter', jsonb_build_object(
	'name', jsonb_build_object('contain', repeat('n', 1000)), 'email', '{"contain": 5}'::jsonb))));

-- classSegments.expand: 100 labels of 32-level chains, 50 customers holding
-- the deepest segment of each label
SELECT customers.save_class_labels(jsonb_build_object('data',
	(SELECT jsonb_agg(jsonb_build_object('id', 'cll_deep' || l, 'name', 'Deep label ' || l))
	 FROM generate_series(1, 100) AS l))) ->> 'result' AS labels;
SELECT g, customers.save_class_segments(jsonb_build_object('data',
	(SELECT jsonb_agg(jsonb_build_object('id', format('cls_deep%s_%s', l, d),
										 'name', format('Segment %s of a deep tree %s', d, l),
										 'label', 'cll_deep' || l)
					  || CASE WHEN d > 1 THEN jsonb_build_object('parent', format('cls_deep%s_%s', l, d - 1))
							  ELSE '{}' END ORDER BY l, d)
	 FROM generate_series(g * 25 - 24, g * 25) AS l, generate_series(1, 32) AS d))) ->> 'result' AS segments
FROM generate_series(1, 4) AS g;
SELECT count(*) AS saved FROM items(customers.save(jsonb_build_object('data',
	(SELECT jsonb_agg(jsonb_build_object('id', 'cus_deep' || c, 'name', 'Deep ' || c, 'classSegments',
		(SELECT jsonb_agg(format('cls_deep%s_32', l)) FROM generate_series(1, 100) AS l)))
	 FROM generate_series(1, 50) AS c)))) AS i WHERE i.result = 'SUCCESS';
-- a page of 50 would hold 160,000 chain levels: refused before it is built
SELECT raises(format('SELECT customers.query(%L)',
	'{"limit": 50, "filter": {"name": {"contain": "deep"}, "classSegments": {"expand": true}}}'));
-- a smaller page is built
SELECT jsonb_array_length(r -> 'data') AS customers,
	   jsonb_array_length(r -> 'data' -> 0 -> 'classSegments') AS chains,
	   (SELECT count(*) FROM regexp_matches((r -> 'data' -> 0 -> 'classSegments' -> 0)::text, 'cls_deep', 'g'))
		   AS levels
FROM customers.query('{"limit": 5, "filter": {"name": {"contain": "deep"}, "classSegments": {"expand": true}}}') AS r;

-- statement_timeout stops a long save (57014) and it changes nothing
RESET statement_timeout;
CREATE TEMP TABLE big_save AS
SELECT jsonb_build_object('data', jsonb_agg(jsonb_build_object('name', 'Big ' || i, 'customData',
	(SELECT jsonb_object_agg('key' || k, k) FROM generate_series(1, 1000) AS k)))) AS request
FROM generate_series(1, 1000) AS i;
SELECT count(*) AS before FROM customers.customer WHERE tenant_id = 'bounded';
SET statement_timeout = '10ms';
\set VERBOSITY sqlstate
SELECT customers.save(request) ->> 'result' FROM big_save;
\set VERBOSITY default
RESET statement_timeout;
SELECT count(*) AS after FROM customers.customer WHERE tenant_id = 'bounded';
