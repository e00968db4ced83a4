-- customData path filters served by indexes (docs/design.md "Indexes and
-- plans", docs/operations.md "Indexes for customData paths"): exists
-- through the index of every customer's key paths, ranges and contain
-- through indexes declared for their path with
-- customers.custom_data_index(). Rows read are this transaction's
-- (pg_stat_xact_user_tables), never timed; every page is also compared
-- with plain SQL over the same rows. A test of its own, after the other
-- query tests: its 3,000 customers move the table's statistics, and so the
-- plans of their bounded cases.
\pset format unaligned

-- the page's ids against plain SQL's, and the rows the call read
CREATE FUNCTION pg_temp.check(request jsonb, plain text) RETURNS TABLE (same boolean, rows_read bigint)
LANGUAGE sql AS $$ SELECT * FROM page_against_plain('qpaths_data', request, plain) $$;

-- 3,000 customers, seats 1..3000, since one day apart, plan "platinum" for 5,
-- "trial" held by 4; without a declared index a rare range or contain
-- walks the whole sort index, with one it reads the matches.
SET customers.tenant_id = 'qpaths_data';
SELECT count(*) FILTER (WHERE r ->> 'result' = 'SUCCESS') AS saved FROM generate_series(1, 3000, 1000) AS first,
	LATERAL jsonb_array_elements(customers.save(jsonb_build_object('data', (
		SELECT jsonb_agg(jsonb_build_object(
			'name', 'Member ' || lpad(((i * 7919) % 3001)::text, 4, '0'),
			'customData', jsonb_build_object(
				'seats', i,
				'since', to_char(timestamptz '2020-01-01 00:00Z' + i * interval '1 day', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
				'plan', CASE WHEN i % 600 = 17 THEN 'Platinum ' || i ELSE 'tin' END)
				|| CASE WHEN i % 750 = 3 THEN '{"trial": {"ends": null}}'::jsonb ELSE '{}'::jsonb END))
		FROM generate_series(first, first + 999) AS i))) -> 'data') AS r;
ANALYZE customers.customer;

-- the key paths the index holds: objects only, never through an array, at
-- most 8 keys deep, none longer than a GIN entry may be
SELECT customers.custom_data_keys('{"a": {"b": [{"c": 1}], "d\"": {"e": null}}, "x": 1}') AS keys,
	   customers.custom_data_keys('[{"a": 1}]') AS of_array,
	   cardinality(customers.custom_data_keys('{"k1": {"k2": {"k3": {"k4": {"k5": {"k6": {"k7": {"k8": {"k9": 1}}}}}}}}}')) AS deep,
	   customers.custom_data_keys(jsonb_build_object(repeat('k', 2000), 1, 'b', 2)) AS long_key;
SELECT customers.custom_data_number('7.50') AS number, customers.custom_data_number('"7"') AS string_number,
	   customers.custom_data_text('"Gold"') AS text, customers.custom_data_text('7') AS number_text,
	   customers.custom_data_time('"2024-01-15T10:00:00+03:00"') AT TIME ZONE 'UTC' AS time;

BEGIN;
-- rare: 4 customers hold "trial"; a first window of 400 rows of the name
-- index holds too few, and the key paths' index reads them (exists takes
-- the window strategy, whatever the statistics say of an absent key)
SELECT 'exists rare by NAME' AS "case", same, rows_read <= 500 AS window_and_matches
FROM pg_temp.check('{"limit": 20, "filter": {"customData": {"path": ["trial", "ends"], "exists": true}}}',
				   $$doc -> 'customData' -> 'trial' -> 'ends' IS NOT NULL ORDER BY name, id$$);
SELECT 'exists none by NAME' AS "case", same, rows_read <= 500 AS window_and_matches
FROM pg_temp.check('{"limit": 20, "filter": {"customData": {"path": ["nokey"], "exists": true}}}',
				   $$doc -> 'customData' -> 'nokey' IS NOT NULL ORDER BY name, id$$);
SELECT 'exists none by EMAIL DESC' AS "case", same, rows_read <= 900 AS windows_of_both_segments
FROM pg_temp.check('{"limit": 20, "sort": {"orderBy": "EMAIL", "direction": "DESC"}, "filter": {"customData": {"path": ["nokey"], "exists": true}}}',
				   $$doc -> 'customData' -> 'nokey' IS NOT NULL ORDER BY email DESC NULLS FIRST, id DESC$$);
-- common: every customer has seats; the first window fills the page
SELECT 'exists all by NAME' AS "case", same, rows_read <= 40 AS few_rows_read
FROM pg_temp.check('{"limit": 20, "filter": {"customData": {"path": ["seats"], "exists": true}}}',
				   $$doc -> 'customData' -> 'seats' IS NOT NULL ORDER BY name, id$$);
-- no index declared: the rare range and contain walk the name index (the
-- same rows)
SELECT 'seats greaterThan, undeclared' AS "case", same
FROM pg_temp.check('{"limit": 20, "filter": {"customData": {"path": ["seats"], "greaterThan": 2995}}}',
				   $$(doc -> 'customData' ->> 'seats')::numeric > 2995 ORDER BY name, id$$);
SELECT 'plan contain, undeclared' AS "case", same
FROM pg_temp.check('{"limit": 20, "filter": {"customData": {"path": ["plan"], "contain": "PLAT"}}}',
				   $$doc -> 'customData' ->> 'plan' ILIKE '%plat%' ORDER BY name, id$$);
ROLLBACK;

-- the owner declares indexes for three paths: the statements to run
SELECT customers.custom_data_index('{seats}', 'number');
SELECT customers.custom_data_index('{since}', 'time')
UNION ALL SELECT customers.custom_data_index('{seats}', 'number')
UNION ALL SELECT customers.custom_data_index('{plan}', 'text') \gexec

BEGIN;
SELECT 'seats greaterThan by NAME' AS "case", same, rows_read <= 20 AS few_rows_read
FROM pg_temp.check('{"limit": 20, "filter": {"customData": {"path": ["seats"], "greaterThan": 2995}}}',
				   $$(doc -> 'customData' ->> 'seats')::numeric > 2995 ORDER BY name, id$$);
SELECT 'seats range by EMAIL DESC' AS "case", same, rows_read <= 20 AS few_rows_read
FROM pg_temp.check('{"limit": 20, "sort": {"orderBy": "EMAIL", "direction": "DESC"}, "filter": {"customData": {"path": ["seats"], "greaterThanEqual": 100, "lessThan": 103.5}}}',
				   $$(doc -> 'customData' ->> 'seats')::numeric >= 100 AND (doc -> 'customData' ->> 'seats')::numeric < 103.5 ORDER BY email DESC NULLS FIRST, id DESC$$);
SELECT 'since lessThan by NAME' AS "case", same, rows_read <= 20 AS few_rows_read
FROM pg_temp.check('{"limit": 20, "filter": {"customData": {"path": ["since"], "lessThan": "2020-01-05T00:00:00+01:00"}}}',
				   $$(doc -> 'customData' ->> 'since')::timestamptz < '2020-01-05T00:00:00+01:00' ORDER BY name, id$$);
-- a common range still walks the name index
SELECT 'seats greaterThan common by NAME' AS "case", same, rows_read <= 100 AS few_rows_read
FROM pg_temp.check('{"limit": 20, "filter": {"customData": {"path": ["seats"], "greaterThan": 100}}}',
				   $$(doc -> 'customData' ->> 'seats')::numeric > 100 ORDER BY name, id$$);
-- contain: a first window of 400 rows of the name index holds no match,
-- so the 5 matches are read by the index
SELECT 'plan contain by NAME' AS "case", same, rows_read <= 500 AS window_and_matches
FROM pg_temp.check('{"limit": 20, "filter": {"customData": {"path": ["plan"], "contain": "PLAT"}}}',
				   $$doc -> 'customData' ->> 'plan' ILIKE '%plat%' ORDER BY name, id$$);
-- search: the same for a rare word (each row of a window folds six fields;
-- how the matches are read, by the trigram index or by the tenant, is the
-- planner's choice at this size)
SELECT 'search rare by NAME' AS "case", same
FROM pg_temp.check('{"limit": 20, "filter": {"search": "MEMBER 0017"}}',
				   $$customers.search_text(name, email, business_name, external_id, id, doc -> 'address' ->> 'city') LIKE '%member%'
					 AND customers.search_text(name, email, business_name, external_id, id, doc -> 'address' ->> 'city') LIKE '%0017%'
					 ORDER BY name, id$$);
-- and a common word fills the page in the first window
SELECT 'search common by NAME' AS "case", same, rows_read <= 40 AS few_rows_read
FROM pg_temp.check('{"limit": 20, "filter": {"search": "Mémber"}}',
				   $$customers.search_text(name, email, business_name, external_id, id, doc -> 'address' ->> 'city') LIKE '%member%'
					 ORDER BY name, id$$);
ROLLBACK;
SELECT * FROM check_all('{"customData": {"path": ["seats"], "lessThanEqual": 40}}',
						$$(doc -> 'customData' ->> 'seats')::numeric <= 40 AND status <> 'ARCHIVED'$$);
SELECT * FROM check_all('{"customData": {"path": ["trial", "ends"], "exists": true}}',
						$$doc -> 'customData' -> 'trial' -> 'ends' IS NOT NULL AND status <> 'ARCHIVED'$$);
SELECT * FROM check_all('{"customData": {"path": ["plan"], "contain": "inum 1"}}',
						$$doc -> 'customData' ->> 'plan' ILIKE '%inum 1%' AND status <> 'ARCHIVED'$$);

-- errors name the argument, with a hint
SELECT customers.custom_data_index('{}', 'number');
SELECT customers.custom_data_index('{a,b,c,d,e,f,g,h,i}', 'number');
SELECT customers.custom_data_index('{a,NULL}', 'number');
SELECT customers.custom_data_index(ARRAY[repeat('k', 256)], 'text');
SELECT customers.custom_data_index('{a}', 'date');
SELECT customers.custom_data_index('{{a},{b}}', 'time');
SELECT customers.custom_data_index(NULL, 'time');
-- the owner's: an application role cannot run it
CREATE ROLE customers_qpaths_app;
GRANT USAGE ON SCHEMA customers TO customers_qpaths_app;
SET ROLE customers_qpaths_app;
SELECT customers.custom_data_index('{seats}', 'number');
RESET ROLE;
REVOKE USAGE ON SCHEMA customers FROM customers_qpaths_app;
DROP ROLE customers_qpaths_app;

SELECT format('DROP INDEX customers.%I', c.relname) FROM pg_class c
WHERE c.relnamespace = 'customers'::regnamespace AND c.relname LIKE 'customer\_data\_%\_idx' ORDER BY 1 \gexec
