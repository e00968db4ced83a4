-- Pagination property: for several data sets full of duplicate sort keys,
-- NULL emails and business names, and equal timestamps, walking every sort
-- key in both directions at limits 1, 2, 7 and 50 forward to the end and
-- then backward to the start visits exactly the rows of one plain
-- "ORDER BY key, id" query, each once and in order; the first page has no
-- cursor.before and the last no cursor.after. check_walk() and check_all()
-- are defined in 00_setup.
\pset format unaligned

-- Data set 1: 60 customers saved in one batch (equal created times), names
-- from 5 values, a third without email, a quarter without business name,
-- some inactive, some archived; a quarter patched later (two groups of equal
-- updated times).
SET customers.tenant_id = 'qpage1';
SELECT customers.save(jsonb_build_object('data', (
	SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
		'id', format('cus_p%s', lpad(i::text, 3, '0')),
		'name', 'Name ' || (i % 5),
		'email', CASE WHEN i % 3 <> 0 THEN format('E%s@example.com', i % 7) END,
		'businessName', CASE WHEN i % 4 <> 0 THEN 'Biz ' || (i % 3) END,
		'status', CASE WHEN i % 5 = 0 THEN 'INACTIVE' ELSE 'ACTIVE' END)) ORDER BY i)
	FROM generate_series(1, 60) AS i))) ->> 'result' AS saved;
SELECT count(customers.patch(format('cus_p%s', lpad(i::text, 3, '0')), '{"customData": {"patched": true}}'))
	AS patched FROM generate_series(4, 60, 4) AS i;
SELECT count(customers.archive(format('cus_p%s', lpad(i::text, 3, '0')))) AS archived
FROM generate_series(11, 60, 11) AS i;
SELECT count(*) AS rows, count(DISTINCT name) AS names, count(*) FILTER (WHERE email IS NULL) AS null_emails,
	   count(DISTINCT created_at) AS created_times, count(DISTINCT updated_at) AS updated_times
FROM customers.customer WHERE tenant_id = 'qpage1';
SELECT * FROM check_all(NULL, $$status <> 'ARCHIVED'$$);
-- the same with filters, one of them bringing archived customers back
SELECT * FROM check_all('{"status": {"in": ["ACTIVE", "ARCHIVED"]}}',
								$$status IN ('ACTIVE', 'ARCHIVED')$$);
SELECT * FROM check_all('{"name": {"contain": "e 1"}, "email": {"notEqual": "e2@example.com"}}',
								$$status <> 'ARCHIVED' AND name ILIKE '%e 1%'
								  AND (email IS NULL OR email <> 'e2@example.com')$$);

-- Data set 2: 25 customers with one name, no email and no business name
SET customers.tenant_id = 'qpage2';
SELECT customers.save(jsonb_build_object('data', (
	SELECT jsonb_agg(jsonb_build_object('name', 'Same')) FROM generate_series(1, 25)))) ->> 'result' AS saved;
SELECT * FROM check_all(NULL, $$status <> 'ARCHIVED'$$);

-- Data set 3: a single customer; data set 4: none
SET customers.tenant_id = 'qpage3';
SELECT customers.save('{"data": [{"name": "Only", "email": "only@example.com"}]}') ->> 'result' AS saved;
SELECT * FROM check_all(NULL, $$status <> 'ARCHIVED'$$);
SET customers.tenant_id = 'qpage4';
SELECT * FROM check_all(NULL, $$status <> 'ARCHIVED'$$);
SELECT customers.query('{}') AS empty_tenant;
