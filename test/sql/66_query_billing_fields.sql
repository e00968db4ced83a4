-- Filters and sorts on the billing fields (docs/api.md §4.1, issue 21):
-- currency and address.countryCode (equal, notEqual, in, notIn; sort keys
-- CURRENCY and COUNTRY_CODE), taxIds.value (equal, in). Every case is
-- compared with plain SQL over the same rows (a tax id held written as a
-- JSON path, not the containment query uses); the access paths are
-- counted in rows read (never timed); then the errors (22023).
\pset format unaligned
SET customers.tenant_id = 'qbilling';

-- 300 customers drawn at random (a fixed seed): a third without a
-- currency, countries given as alpha-2 or alpha-3, 0 to 3 tax ids (some
-- values shared by several customers), a few archived
SELECT setseed(0.66);
CREATE TEMP TABLE people AS
SELECT i, CASE WHEN random() < 0.33 THEN NULL
			   ELSE (ARRAY['EUR', 'usd', 'GBP', 'jpy', 'EUR', 'USD'])[1 + floor(random() * 6)::int] END AS currency,
	   (ARRAY['FR', 'DEU', 'us', 'GBR', 'jp', 'FRA', 'USA'])[1 + floor(random() * 7)::int] AS country,
	   floor(random() * 4)::int AS ntax
FROM generate_series(1, 300) AS i;
SELECT count(*) AS saved FROM jsonb_array_elements(customers.save(jsonb_build_object('data', (
	SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('id', 'cus_q' || lpad(i::text, 3, '0'),
		'name', 'Customer ' || (i * 7) % 301, 'currency', currency,
		'address', jsonb_build_object('countryCode', country),
		'taxIds', (SELECT jsonb_agg(jsonb_build_object('type', 'other',
					   'value', 'T' || (i * 13 + k * 31) % (CASE WHEN k = 0 THEN 40 ELSE 400 END)))
				   FROM generate_series(0, ntax - 1) AS k))) ORDER BY i)
	FROM people))) -> 'data');
-- typed tax ids, stored in their normal forms
SELECT customers.patch('cus_q001', '{"taxIds": [{"type": "eu_vat", "value": "fr 40 303 265 045"},
	{"type": "us_ein", "value": "123456789"}]}') -> 'taxIds' AS q001_tax_ids;
SELECT customers.patch('cus_q002', '{"taxIds": [{"type": "br_cnpj", "value": "11222333000181"}]}') -> 'taxIds' AS q002_tax_ids;
SELECT count(customers.archive('cus_q' || lpad(i::text, 3, '0'))) AS archived
FROM generate_series(5, 300, 37) AS i;
ANALYZE customers.customer;

-- the ids a filter finds (sorted by id), and plain SQL's for a predicate
CREATE FUNCTION pg_temp.ids(filter jsonb) RETURNS text[] LANGUAGE sql AS $$
	SELECT coalesce(array_agg(d ->> 'id' ORDER BY n), '{}')
	FROM jsonb_array_elements(customers.query(jsonb_build_object('filter', filter,
		'sort', '{"orderBy": "ID"}'::jsonb, 'limit', 1000)) -> 'data') WITH ORDINALITY AS t(d, n)
$$;
CREATE FUNCTION pg_temp.plain(predicate text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	r text[];
BEGIN
	EXECUTE 'SELECT coalesce(array_agg(id ORDER BY id), ''{}'') FROM customers.customer'
			|| ' WHERE tenant_id = ''qbilling'' AND (' || predicate || ')' INTO r;
	RETURN r;
END
$$;

-- Hand-written: values are read as stored (currency upper case, countries
-- as alpha-3); notEqual and notIn also keep the customers without a value
SELECT f AS filter, cardinality(pg_temp.ids(f::jsonb)) AS found,
	   pg_temp.ids(f::jsonb) = pg_temp.plain(p) AS same
FROM (VALUES
	('{"currency": {"equal": "EUR"}}', $$doc ->> 'currency' = 'EUR' AND status <> 'ARCHIVED'$$),
	('{"currency": {"equal": "usd"}}', $$doc ->> 'currency' = 'USD' AND status <> 'ARCHIVED'$$),
	('{"currency": {"equal": "CHF"}}', $$false$$),
	('{"currency": {"notEqual": "EUR"}}',
	 $$(doc ->> 'currency' IS NULL OR doc ->> 'currency' <> 'EUR') AND status <> 'ARCHIVED'$$),
	('{"currency": {"in": ["gbp", "JPY"]}}', $$doc ->> 'currency' IN ('GBP', 'JPY') AND status <> 'ARCHIVED'$$),
	('{"currency": {"in": []}}', $$false$$),
	('{"currency": {"notIn": ["EUR", "USD"]}}',
	 $$(doc ->> 'currency' IS NULL OR doc ->> 'currency' NOT IN ('EUR', 'USD')) AND status <> 'ARCHIVED'$$),
	('{"currency": {"notIn": ["usd", "ZWG", "USD", "AED"]}}',
	 $$(doc ->> 'currency' IS NULL OR doc ->> 'currency' NOT IN ('USD', 'ZWG', 'AED')) AND status <> 'ARCHIVED'$$),
	('{"currency": {"notIn": []}}', $$status <> 'ARCHIVED'$$),
	('{"not": {"currency": {"in": ["EUR", "USD", "GBP", "JPY"]}}}',
	 $$doc ->> 'currency' IS NULL AND status <> 'ARCHIVED'$$),
	('{"address.countryCode": {"equal": "FRA"}}', $$doc -> 'address' ->> 'countryCode' = 'FRA' AND status <> 'ARCHIVED'$$),
	('{"address.countryCode": {"equal": "fr"}}', $$doc -> 'address' ->> 'countryCode' = 'FRA' AND status <> 'ARCHIVED'$$),
	('{"address.countryCode": {"notEqual": "USA"}}', $$doc -> 'address' ->> 'countryCode' <> 'USA' AND status <> 'ARCHIVED'$$),
	('{"address.countryCode": {"in": ["DE", "jpn"]}}',
	 $$doc -> 'address' ->> 'countryCode' IN ('DEU', 'JPN') AND status <> 'ARCHIVED'$$),
	('{"address.countryCode": {"notIn": ["US", "GB"]}}',
	 $$doc -> 'address' ->> 'countryCode' NOT IN ('USA', 'GBR') AND status <> 'ARCHIVED'$$),
	('{"taxIds.value": {"equal": "T7"}}', $$jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "T7")') AND status <> 'ARCHIVED'$$),
	('{"taxIds.value": {"equal": "t7"}}', $$false$$),
	('{"taxIds.value": {"equal": "FR40303265045"}}', $$id = 'cus_q001'$$),
	('{"taxIds.value": {"equal": "12-3456789"}}', $$id = 'cus_q001'$$),
	('{"taxIds.value": {"equal": "123456789"}}', $$false$$),
	('{"taxIds.value": {"equal": "11.222.333/0001-81"}}', $$id = 'cus_q002'$$),
	('{"taxIds.value": {"in": ["T1", "T2", "T351", "nothing"]}}',
	 $$(jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "T1")') OR jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "T2")') OR jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "T351")'))
	   AND status <> 'ARCHIVED'$$),
	('{"taxIds.value": {"in": []}}', $$false$$),
	('{"not": {"taxIds.value": {"equal": "T7"}}}', $$NOT jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "T7")') AND status <> 'ARCHIVED'$$),
	('{"taxIds.value": {"equal": "T9"}, "status": {"in": ["ACTIVE", "ARCHIVED"]}}',
	 $$jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "T9")') AND status IN ('ACTIVE', 'ARCHIVED')$$),
	('{"or": [{"currency": {"equal": "JPY"}}, {"address.countryCode": {"equal": "JP"}}]}',
	 $$(doc ->> 'currency' = 'JPY' OR doc -> 'address' ->> 'countryCode' = 'JPN') AND status <> 'ARCHIVED'$$),
	('{"currency": {"equal": "EUR"}, "address.countryCode": {"notEqual": "FRA"}, "taxIds.value": {"in": ["T3", "T4", "T5"]}}',
	 $$doc ->> 'currency' = 'EUR' AND doc -> 'address' ->> 'countryCode' <> 'FRA'
	   AND (jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "T3")') OR jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "T4")') OR jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "T5")'))
	   AND status <> 'ARCHIVED'$$)) AS c(f, p);

-- Random filters of the three fields and their operators, alone and
-- combined by and, or and not, against plain SQL
CREATE TEMP TABLE pieces (filter jsonb, predicate text);
INSERT INTO pieces
SELECT jsonb_build_object('currency', jsonb_build_object(op, v)),
	   CASE op WHEN 'equal' THEN format($$doc ->> 'currency' = %L$$, upper(v #>> '{}'))
			   WHEN 'notEqual' THEN format($$(doc ->> 'currency' IS NULL OR doc ->> 'currency' <> %L)$$, upper(v #>> '{}'))
			   WHEN 'in' THEN format($$doc ->> 'currency' = ANY (%L)$$,
									 (SELECT array_agg(upper(x)) FROM jsonb_array_elements_text(v) AS x))
			   ELSE format($$(doc ->> 'currency' IS NULL OR doc ->> 'currency' <> ALL (%L))$$,
						   (SELECT array_agg(upper(x)) FROM jsonb_array_elements_text(v) AS x)) END
FROM (VALUES ('equal', '"EUR"'::jsonb), ('notEqual', '"usd"'), ('in', '["GBP", "eur"]'),
			 ('notIn', '["JPY"]')) AS o(op, v)
UNION ALL
SELECT jsonb_build_object('address.countryCode', jsonb_build_object(op, v)),
	   CASE op WHEN 'equal' THEN format($$doc -> 'address' ->> 'countryCode' = %L$$, v #>> '{}')
			   WHEN 'notEqual' THEN format($$doc -> 'address' ->> 'countryCode' <> %L$$, v #>> '{}')
			   WHEN 'in' THEN format($$doc -> 'address' ->> 'countryCode' = ANY (%L)$$,
									 (SELECT array_agg(x) FROM jsonb_array_elements_text(v) AS x))
			   ELSE format($$doc -> 'address' ->> 'countryCode' <> ALL (%L)$$,
						   (SELECT array_agg(x) FROM jsonb_array_elements_text(v) AS x)) END
FROM (VALUES ('equal', '"FRA"'::jsonb), ('notEqual', '"USA"'), ('in', '["DEU", "GBR"]'),
			 ('notIn', '["JPN", "FRA"]')) AS o(op, v)
UNION ALL
SELECT jsonb_build_object('taxIds.value', jsonb_build_object('equal', 'T' || k)),
	   format($$jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "%s")')$$, 'T' || k)
FROM generate_series(1, 39, 6) AS k
UNION ALL
SELECT jsonb_build_object('taxIds.value', jsonb_build_object('in', jsonb_build_array('T' || k, 'T' || (k * 3)))),
	   format($$(jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "%s")') OR jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "%s")'))$$, 'T' || k, 'T' || (k * 3))
FROM generate_series(2, 30, 7) AS k;
SELECT setseed(0.67);
CREATE TEMP TABLE trees AS
WITH RECURSIVE draw AS (
	SELECT 1 AS n, (SELECT p FROM pieces AS p ORDER BY random() LIMIT 1) AS a,
		   (SELECT p FROM pieces AS p ORDER BY random() LIMIT 1) AS b, floor(random() * 4)::int AS how
	UNION ALL
	SELECT n + 1, (SELECT p FROM pieces AS p WHERE n > 0 ORDER BY random() LIMIT 1),
		   (SELECT p FROM pieces AS p WHERE n > 0 ORDER BY random() LIMIT 1), floor(random() * 4)::int
	FROM draw WHERE n < 60)
SELECT n, CASE how WHEN 0 THEN (a).filter
				   WHEN 1 THEN jsonb_build_object('and', jsonb_build_array((a).filter, (b).filter))
				   WHEN 2 THEN jsonb_build_object('or', jsonb_build_array((a).filter, (b).filter))
				   ELSE jsonb_build_object('not', (a).filter) END AS filter,
	   CASE how WHEN 0 THEN (a).predicate
				WHEN 1 THEN format('(%s) AND (%s)', (a).predicate, (b).predicate)
				WHEN 2 THEN format('(%s) OR (%s)', (a).predicate, (b).predicate)
				ELSE format('(%s) IS NOT TRUE', (a).predicate) END AS predicate
FROM draw;
SELECT count(*) AS random_filters,
	   count(*) FILTER (WHERE cardinality(pg_temp.ids(filter)) > 0) AS matching_some,
	   coalesce(string_agg(filter::text, E'\n') FILTER (WHERE pg_temp.ids(filter) IS DISTINCT FROM
			pg_temp.plain(format('(%s) AND status <> ''ARCHIVED''', predicate))), 'none') AS differing
FROM trees;

-- The sort keys CURRENCY and COUNTRY_CODE, walked forward and backward in
-- pages of 1, 2, 7 and 50, with and without a filter: customers without a
-- currency come last for ASC and first for DESC
SELECT o AS order_by, d AS direction, f AS filter,
	   string_agg(check_walk(o, d, l, f::jsonb, p), ', ' ORDER BY l) AS walks
FROM unnest('{CURRENCY,COUNTRY_CODE}'::text[]) AS o, unnest('{ASC,DESC}'::text[]) AS d,
	 unnest('{1,2,7,50}'::int[]) AS l,
	 (VALUES ('{}', $$status <> 'ARCHIVED'$$),
			 ('{"currency": {"notEqual": "EUR"}}',
			  $$(doc ->> 'currency' IS NULL OR doc ->> 'currency' <> 'EUR') AND status <> 'ARCHIVED'$$),
			 ('{"currency": {"in": ["EUR", "GBP"]}, "address.countryCode": {"in": ["FRA", "DEU"]}}',
			  $$doc ->> 'currency' IN ('EUR', 'GBP') AND doc -> 'address' ->> 'countryCode' IN ('FRA', 'DEU')
				AND status <> 'ARCHIVED'$$),
			 ('{"taxIds.value": {"in": ["T1", "T2", "T3", "T4"]}}',
			  $$(jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "T1")') OR jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "T2")') OR jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "T3")')
				OR jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "T4")')) AND status <> 'ARCHIVED'$$)) AS c(f, p)
GROUP BY o, d, f ORDER BY o, d, f;

-- The other sort keys with the new filters
SELECT f AS filter, c.walks, c.failures FROM (VALUES
	('{"currency": {"equal": "USD"}}', $$doc ->> 'currency' = 'USD' AND status <> 'ARCHIVED'$$),
	('{"taxIds.value": {"equal": "T11"}}', $$jsonb_path_exists(doc, '$.taxIds[*] ? (@.value == "T11")') AND status <> 'ARCHIVED'$$)) AS v(f, p),
	LATERAL check_all(f::jsonb, p) AS c;

-- Access paths: in a tenant of 3,000 customers, a rare value of each field
-- is read through its index, not by walking the tenant's sort index; a
-- common one walks the sort key's index. Each is planned for its value:
-- the statistics of the expression indexes see how many rows it selects
-- (also for a tax id, whose share is read from the histogram of whole
-- taxIds arrays). Rows read are this transaction's
-- (pg_stat_xact_user_tables), against a bound for each case.
SET customers.tenant_id = 'qbilling_paths';
SELECT count(*) AS saved FROM generate_series(1, 3000, 1000) AS first,
	LATERAL jsonb_array_elements(customers.save(jsonb_build_object('data', (
		SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
			'name', 'Customer ' || lpad(((i * 7919) % 3001)::text, 4, '0'),
			'currency', CASE WHEN i % 600 = 1 THEN 'CHF' WHEN i % 10 = 0 THEN NULL ELSE 'EUR' END,
			'address', jsonb_build_object('countryCode', CASE WHEN i % 700 = 3 THEN 'NO' ELSE 'FR' END),
			'taxIds', jsonb_build_array(jsonb_build_object('type', 'other', 'value', 'V' || i))
				|| CASE WHEN i % 3 = 0 THEN '[{"type": "other", "value": "COMMON"}]'::jsonb ELSE '[]' END)))
		FROM generate_series(first, first + 999) AS i))) -> 'data');
ANALYZE customers.customer;
CREATE FUNCTION pg_temp.check(request jsonb, plain text) RETURNS TABLE (same boolean, rows_read bigint)
LANGUAGE sql AS $$ SELECT * FROM page_against_plain('qbilling_paths', request, plain) $$;
BEGIN;
SELECT c AS "case", same, rows_read <= bound AS few_rows_read
FROM (VALUES
	('CHF by NAME', '{"limit": 20, "sort": {"orderBy": "NAME"}, "filter": {"currency": {"equal": "CHF"}}}',
	 $$doc ->> 'currency' = 'CHF' ORDER BY name, id$$, 25),
	('CHF, JPY by ID DESC', '{"limit": 20, "sort": {"orderBy": "ID", "direction": "DESC"}, "filter": {"currency": {"in": ["CHF", "JPY"]}}}',
	 $$doc ->> 'currency' IN ('CHF', 'JPY') ORDER BY id DESC$$, 25),
	('NOR by NAME', '{"limit": 20, "sort": {"orderBy": "NAME"}, "filter": {"address.countryCode": {"equal": "NO"}}}',
	 $$doc -> 'address' ->> 'countryCode' = 'NOR' ORDER BY name, id$$, 25),
	('tax id V2999 by NAME', '{"limit": 20, "sort": {"orderBy": "NAME"}, "filter": {"taxIds.value": {"equal": "V2999"}}}',
	 $$doc -> 'taxIds' @> '[{"value": "V2999"}]' ORDER BY name, id$$, 25),
	('tax ids in by CREATED_DATE_TIME', '{"limit": 20, "sort": {"orderBy": "CREATED_DATE_TIME"}, "filter": {"taxIds.value": {"in": ["V2998", "V17", "V5"]}}}',
	 $$doc -> 'taxIds' @> ANY (ARRAY['[{"value": "V2998"}]', '[{"value": "V17"}]', '[{"value": "V5"}]']::jsonb[])
	   ORDER BY created_at, id$$, 25),
	('EUR by CURRENCY', '{"limit": 20, "sort": {"orderBy": "CURRENCY"}, "filter": {"currency": {"equal": "EUR"}}}',
	 $$doc ->> 'currency' = 'EUR' ORDER BY doc ->> 'currency', id$$, 25),
	('CURRENCY DESC (NULLs first)', '{"limit": 20, "sort": {"orderBy": "CURRENCY", "direction": "DESC"}}',
	 $$true ORDER BY doc ->> 'currency' DESC, id DESC$$, 25),
	('FRA by COUNTRY_CODE', '{"limit": 20, "sort": {"orderBy": "COUNTRY_CODE"}, "filter": {"address.countryCode": {"equal": "FR"}}}',
	 $$doc -> 'address' ->> 'countryCode' = 'FRA' ORDER BY doc -> 'address' ->> 'countryCode', id$$, 25),
	-- notEqual and notIn: the ranges between the codes left out, or none,
	-- each through the field's index (a <> walked the sort index); these
	-- keep the few customers of Norway
	('notIn FR, US, JP, DE, GB by NAME', '{"limit": 20, "sort": {"orderBy": "NAME"}, "filter": {"address.countryCode": {"notIn": ["FR", "US", "JP", "DE", "GB"]}}}',
	 $$doc -> 'address' ->> 'countryCode' NOT IN ('FRA', 'USA', 'JPN', 'DEU', 'GBR') ORDER BY name, id$$, 25),
	('the same by COUNTRY_CODE DESC', '{"limit": 20, "sort": {"orderBy": "COUNTRY_CODE", "direction": "DESC"}, "filter": {"address.countryCode": {"notIn": ["GBR", "FR", "US", "JP", "DE", "FRA"]}}}',
	 $$doc -> 'address' ->> 'countryCode' NOT IN ('FRA', 'USA', 'JPN', 'DEU', 'GBR')
	   ORDER BY doc -> 'address' ->> 'countryCode' DESC, id DESC$$, 25),
	('notEqual EUR by NAME DESC (10 %)', '{"limit": 20, "sort": {"orderBy": "NAME", "direction": "DESC"}, "filter": {"currency": {"notEqual": "EUR"}}}',
	 $$(doc ->> 'currency' IS NULL OR doc ->> 'currency' <> 'EUR') ORDER BY name DESC, id DESC$$, 400),
	('tax id COMMON by NAME', '{"limit": 20, "sort": {"orderBy": "NAME"}, "filter": {"taxIds.value": {"equal": "COMMON"}}}',
	 $$doc -> 'taxIds' @> '[{"value": "COMMON"}]' ORDER BY name, id$$, 100),
	('tax id COMMON by NAME DESC, deep', '{"limit": 20, "sort": {"orderBy": "NAME", "direction": "DESC"}, "filter": {"taxIds.value": {"equal": "COMMON"}, "name": {"lessThan": "Customer 1500"}}}',
	 $$doc -> 'taxIds' @> '[{"value": "COMMON"}]' AND name < 'Customer 1500' ORDER BY name DESC, id DESC$$, 100)) AS v(c, r, p, bound),
	LATERAL pg_temp.check(r::jsonb, p);
COMMIT;
SET customers.tenant_id = 'qbilling';

-- Errors: 22023 naming the path
SELECT raises($$SELECT customers.query('{"filter": {"currency": {"contain": "EU"}}}')$$);
SELECT raises($$SELECT customers.query('{"filter": {"currency": {"greaterThan": "EUR"}}}')$$);
SELECT raises($$SELECT customers.query('{"filter": {"currency": {"equal": "XXX"}}}')$$);
SELECT raises($$SELECT customers.query('{"filter": {"currency": {"equal": " EUR"}}}')$$);
SELECT raises($$SELECT customers.query('{"filter": {"currency": {"in": ["EUR", 978]}}}')$$);
SELECT raises($$SELECT customers.query('{"filter": {"currency": {"notIn": "EUR"}}}')$$);
SELECT raises($$SELECT customers.query('{"filter": {"address.countryCode": {"equal": "XX"}}}')$$);
SELECT raises($$SELECT customers.query('{"filter": {"address.countryCode": {"in": ["FR", "France"]}}}')$$);
SELECT raises($$SELECT customers.query('{"filter": {"address.countryCode": {"contain": "F"}}}')$$);
SELECT raises($$SELECT customers.query('{"filter": {"address": {"countryCode": {"equal": "FR"}}}}')$$);
SELECT raises($$SELECT customers.query('{"filter": {"taxIds.value": {"notEqual": "T7"}}}')$$);
SELECT raises($$SELECT customers.query('{"filter": {"taxIds.value": {"contain": "T7"}}}')$$);
SELECT raises($$SELECT customers.query('{"filter": {"taxIds.value": {"equal": 7}}}')$$);
SELECT raises($$SELECT customers.query('{"filter": {"taxIds.value": {"in": [null]}}}')$$);
SELECT raises($$SELECT customers.query('{"filter": {"taxIds": {"equal": "T7"}}}')$$);
SELECT raises($$SELECT customers.query('{"sort": {"orderBy": "COUNTRY"}}')$$);
-- a cursor of one sort key is refused by another
SELECT raises(format($$SELECT customers.query('{"sort": {"orderBy": "COUNTRY_CODE"}, "cursor": %s}')$$,
	to_jsonb(customers.query('{"limit": 2, "sort": {"orderBy": "CURRENCY"}}') -> 'cursor' ->> 'after')));
