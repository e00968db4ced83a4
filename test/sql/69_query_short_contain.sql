-- contain of 1 or 2 characters, and externalId's contain, served by the
-- short grams index (src/contain_grams.c, docs/design.md "Indexes and
-- plans"): every page equals plain SQL's ILIKE (case folded as lower()
-- folds it, accents kept, '%', '_' and '\' literal) under several sorts,
-- first and deep pages; an absent or rare pattern reads a window and its
-- matches, not the tenant. Rows read are this transaction's
-- (pg_stat_xact_user_tables), never timed. A test of its own: its 3,000
-- customers move the table's statistics.
\pset format unaligned

-- the keys: the tenant's hash (8 digits, cut here), a field's tag, a gram
-- of its value lower-cased; NULL fields give none
SELECT array_agg(g ORDER BY g COLLATE "C") AS grams
FROM (SELECT DISTINCT substr(k, 9) AS g FROM unnest(customers.contain_grams('t1', 'AbA', NULL, 'x%', 'E_1')) AS k) s;
SELECT array_agg(substr(k, 9) ORDER BY k COLLATE "C") AS keys
FROM unnest(customers.contain_keys('t1', 'n', '%Zq%') || customers.contain_keys('t1', 'b', '%\%%')
			|| customers.contain_keys('t1', 'x', '%E\_12%') || customers.contain_keys('t1', 'm', '%%')) AS k;
SELECT left((customers.contain_grams('t1', 'a', NULL, NULL, NULL))[1], 8)
	   = left((customers.contain_keys('t1', 'n', '%A%'))[1], 8) AS same_tenant_prefix,
	   left((customers.contain_grams('t1', 'a', NULL, NULL, NULL))[1], 8)
	   <> left((customers.contain_grams('t2', 'a', NULL, NULL, NULL))[1], 8) AS other_tenant_prefix;
SELECT customers.contain_keys('t1', 'q', '%a%');


-- 3,000 customers. Names "Customer NNNN", every 500th with accents, Greek,
-- '%', '_' and a dotted capital I; every tenth without an email, every
-- fourth without a business name, every seventh without an external id;
-- "zq" in 3 names, 2 emails, 1 business name and 2 external ids.
SET customers.tenant_id = 'short_contain';
SELECT count(*) FILTER (WHERE r ->> 'result' = 'SUCCESS') AS saved FROM generate_series(1, 3000, 1000) AS first,
	LATERAL jsonb_array_elements(customers.save(jsonb_build_object('data', (
		SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
			'name', CASE i % 500 WHEN 1 THEN 'Ærøskøbing Σοφία ' || i WHEN 2 THEN 'ÉCOLE Straße ' || i
							   WHEN 3 THEN '100% _under_ İzmir ' || i WHEN 4 THEN 'back\slash ΟΔΟΣ ' || i
							   ELSE 'Customer ' || lpad(((i * 7919) % 3001)::text, 4, '0') END
					|| CASE WHEN i IN (17, 1234, 2999) THEN ' Zq' ELSE '' END,
			'email', CASE WHEN i % 10 = 0 THEN NULL WHEN i IN (33, 2777) THEN 'zq' || i || '@zq.test'
						  ELSE 'user' || lpad(((i * 104729) % 3001)::text, 4, '0') || '@example.com' END,
			'businessName', CASE WHEN i % 4 = 1 THEN NULL WHEN i = 1502 THEN 'ZQ Holdings'
								 WHEN i % 500 = 2 THEN 'Café Ø ' || i ELSE 'Biz ' || (i * 3) % 400 END,
			'externalId', CASE WHEN i % 7 = 0 THEN NULL WHEN i IN (71, 2301) THEN 'EXT-ZQ-' || i
							   WHEN i % 500 = 3 THEN 'É_%' || i ELSE 'ext_' || lpad(i::text, 5, '0') END,
			'status', CASE WHEN i % 300 = 7 THEN 'INACTIVE' WHEN i % 900 = 11 THEN 'ARCHIVED' ELSE 'ACTIVE' END)))
		FROM generate_series(first, first + 999) AS i))) -> 'data') AS r;
ANALYZE customers.customer;

-- Every pattern under four sorts, first page (20) and a deep page (20
-- after the first 100, from cursor.after), against plain SQL's ILIKE: the
-- pages that differ, or 'none'
CREATE FUNCTION pg_temp.differs(field text, col text, pattern text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	sorts text[][] := '{{NAME,ASC,name},{EMAIL,DESC,email},{CREATED_DATE_TIME,ASC,created_at},{ID,DESC,id}}';
	filter jsonb := jsonb_build_object(field, jsonb_build_object('contain', pattern));
	plain text := format('%I ILIKE %L', col, '%' || replace(replace(replace(pattern, '\', '\\'), '%', '\%'), '_', '\_') || '%');
	failures text := '';
	response jsonb;
	got text[];
	want text[];
BEGIN
	FOR s IN 1 .. 4 LOOP
		response := customers.query(jsonb_build_object('limit', 100, 'filter', filter,
							'sort', jsonb_build_object('orderBy', sorts[s][1], 'direction', sorts[s][2])));
		FOR deep IN 0 .. 1 LOOP
			IF deep = 1 THEN
				EXIT WHEN NOT response -> 'cursor' ? 'after';
				response := customers.query(jsonb_build_object('limit', 20, 'filter', filter,
									'cursor', response -> 'cursor' ->> 'after',
									'sort', jsonb_build_object('orderBy', sorts[s][1], 'direction', sorts[s][2])));
			END IF;
			SELECT coalesce(array_agg(d ->> 'id' ORDER BY n), '{}') INTO got
			FROM jsonb_array_elements(response -> 'data') WITH ORDINALITY AS t(d, n);
			EXECUTE format('SELECT coalesce(array_agg(id), ''{}'') FROM (SELECT id FROM customers.customer'
						   ' WHERE tenant_id = ''short_contain'' AND status <> ''ARCHIVED'' AND %s'
						   ' ORDER BY %s %s, id %s OFFSET %s LIMIT %s) s',
						   plain, sorts[s][3], sorts[s][2], sorts[s][2], deep * 100, 100 - deep * 80) INTO want;
			IF got IS DISTINCT FROM want THEN
				failures := failures || format(' %s %s %s', sorts[s][1], sorts[s][2], CASE deep WHEN 0 THEN 'first' ELSE 'deep' END);
			END IF;
		END LOOP;
	END LOOP;
	RETURN coalesce(nullif(failures, ''), 'none');
END
$$;

-- generated patterns: every distinct 1- and 2-character substring of a
-- sample of each field's stored values (common and rare), upper-cased too,
-- and absent ones, with the characters ILIKE treats apart
CREATE TEMP TABLE patterns AS
WITH fields(field, col) AS (VALUES ('name', 'name'), ('email', 'email'),
								  ('businessName', 'business_name'), ('externalId', 'external_id')),
	sample AS (
	SELECT f.field, f.col, v FROM fields f,
		LATERAL (SELECT CASE f.col WHEN 'name' THEN c.name WHEN 'email' THEN c.email
								   WHEN 'business_name' THEN c.business_name ELSE c.external_id END AS v
				 FROM customers.customer c WHERE c.tenant_id = 'short_contain'
				 AND c.id IN (SELECT id FROM customers.customer WHERE tenant_id = 'short_contain' ORDER BY created_at, id
							  OFFSET 0 LIMIT 4)
				 OR c.tenant_id = 'short_contain' AND (c.name LIKE 'Ærø%' OR c.name LIKE '100%%' OR c.name LIKE 'back%'
													  OR c.email LIKE 'zq%' OR c.business_name LIKE 'Café%'
													  OR c.external_id LIKE 'É%')) s
	WHERE v IS NOT NULL)
SELECT DISTINCT field, col, p FROM (
	SELECT field, col, substr(v, i, n) AS p FROM sample, generate_series(1, 2) AS n,
		LATERAL generate_series(1, length(v) - n + 1) AS i
	UNION ALL
	SELECT field, col, upper(substr(v, i, 2)) FROM sample, LATERAL generate_series(1, length(v) - 1) AS i
	UNION ALL
	SELECT field, col, p FROM fields, unnest(ARRAY['zq', 'Zq', 'ZQ', 'q', 'ж', 'é', 'É', 'e', '%', '_', '\', '%%', '_1', '\s',
															   'σ', 'ς', 'Σ', 'İ', 'i', 'ss', 'ß', 'ø', 'Ø', 'Z ', '@z', '-', '', 'xx', '-z']) AS p
) s WHERE p <> ' ' OR field = 'name';

SELECT count(*) > 300 AS many_patterns, count(DISTINCT field) AS fields FROM patterns;
SELECT field, p AS pattern, failures
FROM (SELECT field, p, pg_temp.differs(field, col, p) AS failures FROM patterns) s
WHERE failures <> 'none' ORDER BY 1, 2;

-- rows read: a window of the sort order, then the matches through the
-- short grams index, where the tenant's whole sort index was walked
CREATE FUNCTION pg_temp.check(request jsonb, plain text) RETURNS TABLE (same boolean, rows_read bigint)
LANGUAGE sql AS $$ SELECT * FROM page_against_plain('short_contain', request, plain) $$;

BEGIN;
SELECT 'name zq by NAME' AS "case", same, rows_read <= 450 AS window_and_matches
FROM pg_temp.check('{"limit": 20, "filter": {"name": {"contain": "zQ"}}}',
				   $$name ILIKE '%zq%' ORDER BY name, id$$);
SELECT 'name ж by NAME' AS "case", same, rows_read <= 450 AS window_and_matches
FROM pg_temp.check('{"limit": 20, "filter": {"name": {"contain": "ж"}}}',
				   $$name ILIKE '%ж%' ORDER BY name, id$$);
SELECT 'name % by CREATED_DATE_TIME' AS "case", same, rows_read <= 450 AS window_and_matches
FROM pg_temp.check('{"limit": 20, "sort": {"orderBy": "CREATED_DATE_TIME"}, "filter": {"name": {"contain": "%"}}}',
				   $$name ILIKE '%\%%' ORDER BY created_at, id$$);
SELECT 'email zq by EMAIL DESC' AS "case", same, rows_read <= 450 AS window_and_matches
FROM pg_temp.check('{"limit": 20, "sort": {"orderBy": "EMAIL", "direction": "DESC"}, "filter": {"email": {"contain": "ZQ"}}}',
				   $$email ILIKE '%zq%' ORDER BY email DESC, id DESC$$);
SELECT 'businessName zq by NAME' AS "case", same, rows_read <= 450 AS window_and_matches
FROM pg_temp.check('{"limit": 20, "filter": {"businessName": {"contain": "zq"}}}',
				   $$business_name ILIKE '%zq%' ORDER BY name, id$$);
SELECT 'businessName ø by ID DESC' AS "case", same, rows_read <= 450 AS window_and_matches
FROM pg_temp.check('{"limit": 20, "sort": {"orderBy": "ID", "direction": "DESC"}, "filter": {"businessName": {"contain": "Ø"}}}',
				   $$business_name ILIKE '%ø%' ORDER BY id DESC$$);
-- externalId: 1 and 2 characters and longer patterns (its trigrams)
SELECT 'externalId zq by NAME' AS "case", same, rows_read <= 450 AS window_and_matches
FROM pg_temp.check('{"limit": 20, "filter": {"externalId": {"contain": "zq"}}}',
				   $$external_id ILIKE '%zq%' ORDER BY name, id$$);
SELECT 'externalId ext_0123 by NAME' AS "case", same, rows_read <= 450 AS window_and_matches
FROM pg_temp.check('{"limit": 20, "filter": {"externalId": {"contain": "EXT_0123"}}}',
				   $$external_id ILIKE '%ext\_0123%' ORDER BY name, id$$);
SELECT 'externalId absent by EMAIL DESC' AS "case", same, rows_read <= 850 AS windows_of_both_segments
FROM pg_temp.check('{"limit": 20, "sort": {"orderBy": "EMAIL", "direction": "DESC"}, "filter": {"externalId": {"contain": "nosuch"}}}',
				   $$external_id ILIKE '%nosuch%' ORDER BY email DESC NULLS FIRST, id DESC$$);
-- a common pattern fills the page from the first window
SELECT 'name c by NAME' AS "case", same, rows_read <= 40 AS few_rows_read
FROM pg_temp.check('{"limit": 20, "filter": {"name": {"contain": "c"}}}',
				   $$name ILIKE '%c%' ORDER BY name, id$$);
SELECT 'email us by NAME' AS "case", same, rows_read <= 40 AS few_rows_read
FROM pg_temp.check('{"limit": 20, "filter": {"email": {"contain": "us"}}}',
				   $$email ILIKE '%us%' ORDER BY name, id$$);
ROLLBACK;

-- inside or and not the grams keep plain SQL's results (a customer
-- without the field is not a match, and is one of the not)
SELECT * FROM check_all('{"or": [{"name": {"contain": "zq"}}, {"externalId": {"contain": "_0001"}}]}',
						$$(name ILIKE '%zq%' OR external_id ILIKE '%\_0001%') AND status <> 'ARCHIVED'$$);
SELECT count(*) AS walks, failures FROM (
	SELECT (check_walk(o, 'ASC', 500, '{"not": {"businessName": {"contain": "1"}}}',
					   $$(business_name ILIKE '%1%') IS NOT TRUE AND status <> 'ARCHIVED'$$)) AS failures
	FROM unnest('{NAME,BUSINESS_NAME,ID}'::text[]) AS o) s GROUP BY failures;

-- contain_grams is callable by any role on text of any length: the loop can
-- be cancelled, and grams past PostgreSQL's largest allocation are refused
SELECT raises($$SELECT customers.contain_grams('t', repeat('x', 10000000), repeat('y', 10000000), NULL, repeat('z', 10000000))$$);
SELECT cardinality(customers.contain_grams('t', 'Ab', 'x@y', NULL, 'e1')) AS keys;
SELECT raises($$SELECT customers.contain_grams('t', repeat('x', 20000000), NULL, NULL, NULL)$$);
SELECT raises($$SELECT customers.contain_keys('t', 'n', repeat('x', 70000))$$);
SELECT cardinality(customers.contain_keys('t', 'n', repeat('x', 60000))) AS keys;
