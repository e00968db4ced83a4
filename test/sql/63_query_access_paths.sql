-- The access path of a filtered page is chosen for the call's values
-- (issue 15, docs/design.md "Indexes and plans"): a rare status, a range
-- near the end of another column, or a range on the sort key itself read
-- the rows they select, not the tenant's whole sort index. Counted with
-- pg_stat_xact_user_tables (this transaction's rows read), never timed;
-- every page is also compared with plain SQL over the same rows.
\pset format unaligned
SET customers.tenant_id = 'qpaths';

-- 3,000 customers; 10 INACTIVE; every tenth without an email
SELECT count(*) AS saved FROM generate_series(1, 3000, 1000) AS first,
	LATERAL jsonb_array_elements(customers.save(jsonb_build_object('data', (
		SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
			'name', 'Customer ' || lpad(((i * 7919) % 3001)::text, 4, '0'),
			'email', CASE WHEN i % 10 = 0 THEN NULL ELSE 'user' || lpad(((i * 104729) % 3001)::text, 4, '0') || '@example.com' END,
			'status', CASE WHEN i % 300 = 7 THEN 'INACTIVE' ELSE 'ACTIVE' END)))
		FROM generate_series(first, first + 999) AS i))) -> 'data');
ANALYZE customers.customer;

-- the page's ids against plain SQL's, and the rows the call read
CREATE FUNCTION pg_temp.check(request jsonb, plain text) RETURNS TABLE (same boolean, rows_read bigint)
LANGUAGE sql AS $$ SELECT * FROM page_against_plain('qpaths', request, plain) $$;

BEGIN;
-- a rare status sorted by name: the status index, not a walk of the names
SELECT 'status INACTIVE by NAME' AS "case", same, rows_read <= 20 AS few_rows_read
FROM pg_temp.check('{"limit": 20, "sort": {"orderBy": "NAME"}, "filter": {"status": {"equal": "INACTIVE"}}}',
				   $$status = 'INACTIVE' ORDER BY name, id$$);
-- an email range that holds 5 customers, sorted by name
SELECT 'email greaterThan by NAME' AS "case", same, rows_read <= 20 AS few_rows_read
FROM pg_temp.check('{"limit": 20, "sort": {"orderBy": "NAME"}, "filter": {"email": {"greaterThan": "user2995"}}}',
				   $$email > 'user2995' ORDER BY name, id$$);
-- the same range sorted by email, descending: customers without an email
-- come first in that order, but none can match, so they are not walked
SELECT 'email greaterThan by EMAIL DESC' AS "case", same, rows_read <= 20 AS few_rows_read
FROM pg_temp.check('{"limit": 20, "sort": {"orderBy": "EMAIL", "direction": "DESC"}, "filter": {"email": {"greaterThan": "user2995"}}}',
				   $$email > 'user2995' ORDER BY email DESC, id DESC$$);
-- status notEqual and notIn: the statuses left, through the status index
-- (a <> of ACTIVE walked the names to find the INACTIVE ones)
SELECT 'status notEqual ACTIVE by NAME' AS "case", same, rows_read <= 20 AS few_rows_read
FROM pg_temp.check('{"limit": 20, "sort": {"orderBy": "NAME"}, "filter": {"status": {"notEqual": "ACTIVE"}}}',
				   $$status <> 'ACTIVE' ORDER BY name, id$$);
SELECT 'status notIn ACTIVE by EMAIL DESC' AS "case", same, rows_read <= 20 AS few_rows_read
FROM pg_temp.check('{"limit": 20, "sort": {"orderBy": "EMAIL", "direction": "DESC"}, "filter": {"status": {"notIn": ["ACTIVE"]}}}',
				   $$status NOT IN ('ACTIVE') ORDER BY email DESC NULLS FIRST, id DESC$$);
-- notEqual also matches customers without an email: they are walked
SELECT 'email notEqual by EMAIL DESC' AS "case", same
FROM pg_temp.check('{"limit": 20, "sort": {"orderBy": "EMAIL", "direction": "DESC"}, "filter": {"email": {"notEqual": "user2995@example.com"}}}',
				   $$(email IS NULL OR email <> 'user2995@example.com') ORDER BY email DESC NULLS FIRST, id DESC$$);
ROLLBACK;

-- Every sort, direction and page size walked both ways over the strategies
-- (check_all in 00_setup: the same rows as plain SQL, in the same order):
-- a filter that skips the NULL keys, customData contains alone and with a
-- short contain (walked, no trigram serves it), and the NULL keys walked
-- in the sort key's index.
SET customers.tenant_id = 'qpaths_walk';
SELECT count(*) AS saved FROM jsonb_array_elements(customers.save(jsonb_build_object('data', (
	SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
		'name', (ARRAY['Abbot', 'Cabal', 'Delta', 'Zed'])[1 + i % 4] || ' ' || i,
		'email', CASE WHEN i % 3 = 0 THEN NULL ELSE 'u' || (i * 7) % 40 || '@example.com' END,
		'businessName', CASE WHEN i % 4 = 1 THEN NULL ELSE 'Biz ' || (i * 3) % 40 END,
		'status', CASE WHEN i % 9 = 4 THEN 'INACTIVE' ELSE 'ACTIVE' END,
		'customData', jsonb_build_object('plan', CASE WHEN i % 5 = 0 THEN 'gold' ELSE 'tin' END))))
	FROM generate_series(1, 40) AS i))) -> 'data');
SELECT * FROM check_all('{"email": {"greaterThan": "u2"}}', $$email > 'u2' AND status <> 'ARCHIVED'$$);
SELECT * FROM check_all('{"businessName": {"in": ["Biz 3", "Biz 9", "Biz 30"]}, "status": {"equal": "ACTIVE"}}',
						$$business_name IN ('Biz 3', 'Biz 9', 'Biz 30') AND status = 'ACTIVE'$$);
SELECT * FROM check_all('{"customData": {"contains": {"plan": "gold"}}}',
						$$doc -> 'customData' @> '{"plan": "gold"}' AND status <> 'ARCHIVED'$$);
SELECT * FROM check_all('{"customData": {"contains": {"plan": "gold"}}, "name": {"contain": "ab"}}',
						$$doc -> 'customData' @> '{"plan": "gold"}' AND name ILIKE '%ab%' AND status <> 'ARCHIVED'$$);
SELECT * FROM check_all('{"email": {"notEqual": "u7@example.com"}}',
						$$(email IS NULL OR email <> 'u7@example.com') AND status <> 'ARCHIVED'$$);
