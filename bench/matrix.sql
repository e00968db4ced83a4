-- The filter x sort matrix (bench/matrix.sh): the cases, the plain SQL of
-- each, and the two runners. Created by the superuser owning the tables,
-- after matrix_setup.sql and the load.
--
-- A case is one filter: one field and operator (or two, ANDed) with a
-- value chosen from the data for a share of the rows: "rare" (at most
-- 0.01 %), "1%", "30%", "none" (nothing matches), "most" (the complement
-- of a rare value) and, for contain, patterns of 1, 2 and 3+ characters.
-- Each case runs under every sort key and direction (pairs under one sort
-- each, drawn with a fixed seed): the first page of 50, and a page of 50
-- from a cursor deep in the result (past min(2,000, half the matches)).
-- The plain SQL is the same filter written by hand over the same table,
-- run by the owner; the extension runs as bench_app. Every page of the
-- extension is compared with the plain SQL's rows.

CREATE TABLE matrix.cases (
	case_id serial PRIMARY KEY,
	label text NOT NULL,		-- e.g. "email greaterThan 30%"
	share text NOT NULL,		-- rare, 1%, 30%, none, most, or a pattern length
	filter jsonb NOT NULL,
	plain text NOT NULL,		-- the SQL condition over customers.customer c
	names_archived boolean NOT NULL DEFAULT false
);

CREATE TABLE matrix.sorts (
	sort_id int PRIMARY KEY,
	order_by text NOT NULL,
	direction text NOT NULL,
	col text NOT NULL,
	is_time boolean NOT NULL
);
INSERT INTO matrix.sorts
SELECT row_number() OVER (), k.order_by, d.direction, k.col, k.is_time
FROM (VALUES ('NAME', 'name', false), ('EMAIL', 'email', false), ('BUSINESS_NAME', 'business_name', false),
			 ('STATUS', 'status', false), ('CREATED_DATE_TIME', 'created_at', true),
			 ('UPDATED_DATE_TIME', 'updated_at', true), ('ID', 'id', false),
			 -- keys read from the document: "c.<col>" is the expression
			 ('CURRENCY', 'doc ->> ''currency''', false),
			 ('COUNTRY_CODE', 'doc -> ''address'' ->> ''countryCode''', false)) AS k(order_by, col, is_time),
	 (VALUES ('ASC'), ('DESC')) AS d(direction);

-- One cell: a case under a sort. The plain pass fills the counts, the
-- expected ids and its times; the extension pass its ids and times.
CREATE TABLE matrix.cells (
	case_id int NOT NULL,
	sort_id int NOT NULL,
	pair boolean NOT NULL DEFAULT false,
	matches bigint,
	depth int,
	plain_first text[],
	plain_deep text[],
	plain_first_ms float8[],
	plain_deep_ms float8[],
	ext_first text[],
	ext_deep text[],
	ext_first_ms float8[],
	ext_deep_ms float8[],
	ext_first_rows bigint,		-- rows of customer the call read (its first run)
	ext_deep_rows bigint,
	ext_error text,
	PRIMARY KEY (case_id, sort_id)
);
GRANT SELECT ON matrix.cases, matrix.sorts TO bench_app;
GRANT SELECT, UPDATE ON matrix.cells TO bench_app;

CREATE FUNCTION matrix.lit(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT quote_literal(v) $$;

-- The time as a filter value: RFC 3339 to the second
CREATE FUNCTION matrix.rfc3339(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- Add the cases of one text column (field name f, column col)
CREATE FUNCTION matrix.text_cases(f text, col text, patterns text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
	one text;
	vals text[];
	q record;
	p text;
BEGIN
	EXECUTE format('SELECT count(%1$s) FROM customers.customer WHERE tenant_id = ''bench''', col) INTO n;
	EXECUTE format('SELECT %1$s FROM customers.customer WHERE tenant_id = ''bench'' AND %1$s IS NOT NULL'
				   ' ORDER BY id OFFSET %2$s LIMIT 1', col, n / 3) INTO one;
	INSERT INTO matrix.cases (label, share, filter, plain) VALUES
		(f || ' equal', 'rare', jsonb_build_object(f, jsonb_build_object('equal', one)),
		 format('c.%s = %s', col, matrix.lit(one))),
		(f || ' equal', 'none', jsonb_build_object(f, jsonb_build_object('equal', 'zz no such value')),
		 format('c.%s = %s', col, matrix.lit('zz no such value'))),
		(f || ' notEqual', 'most', jsonb_build_object(f, jsonb_build_object('notEqual', one)),
		 format('(c.%1$s IS NULL OR c.%1$s <> %2$s)', col, matrix.lit(one)));
	-- ranges: the value with the share's rows above it (greater) or below (less)
	FOR q IN SELECT * FROM (VALUES ('rare', 0.00005), ('1%', 0.01), ('30%', 0.30)) AS s(share, frac) LOOP
		EXECUTE format('SELECT %1$s FROM customers.customer WHERE tenant_id = ''bench'' AND %1$s IS NOT NULL'
					   ' ORDER BY %1$s DESC, id DESC OFFSET %2$s LIMIT 1', col, (n * q.frac)::bigint) INTO one;
		INSERT INTO matrix.cases (label, share, filter, plain) VALUES
			(f || ' greaterThan', q.share, jsonb_build_object(f, jsonb_build_object('greaterThan', one)),
			 format('c.%s > %s', col, matrix.lit(one))),
			(f || ' greaterThanEqual', q.share, jsonb_build_object(f, jsonb_build_object('greaterThanEqual', one)),
			 format('c.%s >= %s', col, matrix.lit(one)));
		EXECUTE format('SELECT %1$s FROM customers.customer WHERE tenant_id = ''bench'' AND %1$s IS NOT NULL'
					   ' ORDER BY %1$s, id OFFSET %2$s LIMIT 1', col, (n * q.frac)::bigint) INTO one;
		INSERT INTO matrix.cases (label, share, filter, plain) VALUES
			(f || ' lessThan', q.share, jsonb_build_object(f, jsonb_build_object('lessThan', one)),
			 format('c.%s < %s', col, matrix.lit(one))),
			(f || ' lessThanEqual', q.share, jsonb_build_object(f, jsonb_build_object('lessThanEqual', one)),
			 format('c.%s <= %s', col, matrix.lit(one)));
	END LOOP;
	INSERT INTO matrix.cases (label, share, filter, plain) VALUES
		(f || ' greaterThan', 'none', jsonb_build_object(f, jsonb_build_object('greaterThan', '~~~~')),
		 format('c.%s > %s', col, matrix.lit('~~~~'))),
		(f || ' lessThan', 'none', jsonb_build_object(f, jsonb_build_object('lessThan', ' ')),
		 format('c.%s < %s', col, matrix.lit(' ')));
	-- in / notIn: 1 and 1,000 stored values, and values that are not stored
	FOR q IN SELECT * FROM (VALUES ('rare', 1), ('0.1%', 1000)) AS s(share, k) LOOP
		EXECUTE format('SELECT array_agg(%1$s) FROM (SELECT %1$s FROM customers.customer WHERE tenant_id = ''bench'''
					   ' AND %1$s IS NOT NULL ORDER BY id DESC LIMIT %2$s) s', col, q.k) INTO vals;
		INSERT INTO matrix.cases (label, share, filter, plain) VALUES
			(f || ' in', q.share, jsonb_build_object(f, jsonb_build_object('in', to_jsonb(vals))),
			 format('c.%s = ANY (%s::text[])', col, matrix.lit(vals::text))),
			(f || ' notIn', 'most', jsonb_build_object(f, jsonb_build_object('notIn', to_jsonb(vals))),
			 format('(c.%1$s IS NULL OR NOT c.%1$s = ANY (%2$s::text[]))', col, matrix.lit(vals::text)));
	END LOOP;
	INSERT INTO matrix.cases (label, share, filter, plain) VALUES
		(f || ' in', 'none', jsonb_build_object(f, jsonb_build_object('in', jsonb_build_array('zz1', 'zz2'))),
		 format('c.%s = ANY (ARRAY[''zz1'', ''zz2''])', col));
	-- contain: the patterns given, their share measured
	FOREACH p IN ARRAY patterns LOOP
		INSERT INTO matrix.cases (label, share, filter, plain) VALUES
			(f || ' contain', length(p) || ' char' || CASE WHEN length(p) > 1 THEN 's' ELSE '' END,
			 jsonb_build_object(f, jsonb_build_object('contain', p)),
			 format('c.%s ILIKE %s', col, matrix.lit('%' || replace(replace(p, '%', '\%'), '_', '\_') || '%')));
	END LOOP;
END
$$;

-- Add the cases of one time column
CREATE FUNCTION matrix.time_cases(f text, col text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
	t timestamptz;
	q record;
	o record;
BEGIN
	SELECT count(*) INTO n FROM customers.customer WHERE tenant_id = 'bench';
	FOR q IN SELECT * FROM (VALUES ('rare', 0.00005), ('1%', 0.01), ('30%', 0.30)) AS s(share, frac) LOOP
		FOR o IN SELECT * FROM (VALUES ('greaterThan', '>', 'DESC'), ('greaterThanEqual', '>=', 'DESC'),
										('lessThan', '<', 'ASC'), ('lessThanEqual', '<=', 'ASC')) AS x(op, sqlop, dir) LOOP
			EXECUTE format('SELECT %1$s FROM customers.customer WHERE tenant_id = ''bench'''
						   ' ORDER BY %1$s %2$s, id OFFSET %3$s LIMIT 1', col, o.dir, (n * q.frac)::bigint) INTO t;
			INSERT INTO matrix.cases (label, share, filter, plain) VALUES
				(f || ' ' || o.op, q.share, jsonb_build_object(f, jsonb_build_object(o.op, matrix.rfc3339(t))),
				 format('date_trunc(''second'', c.%s) %s %s::timestamptz', col, o.sqlop, matrix.lit(matrix.rfc3339(t))));
		END LOOP;
	END LOOP;
	INSERT INTO matrix.cases (label, share, filter, plain) VALUES
		(f || ' greaterThan', 'none', jsonb_build_object(f, jsonb_build_object('greaterThan', '2999-01-01T00:00:00Z')),
		 format('date_trunc(''second'', c.%s) > ''2999-01-01T00:00:00Z''::timestamptz', col)),
		(f || ' lessThan', 'none', jsonb_build_object(f, jsonb_build_object('lessThan', '2000-01-01T00:00:00Z')),
		 format('date_trunc(''second'', c.%s) < ''2000-01-01T00:00:00Z''::timestamptz', col));
END
$$;

-- Every single case, then pairs drawn from them
CREATE FUNCTION matrix.make_cases(npairs int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	ids text[];
	singles int;
	q record;
	cid int;
BEGIN
	PERFORM matrix.text_cases('name', 'name', ARRAY['zephyrine', 'quokka', 'corp', 'xyzzy', 'q', 'a', 'x', 'ok', 'ro', 'zq', 'ne #1', 'ab']);
	PERFORM matrix.text_cases('email', 'email', ARRAY['rare.test', 'one.example', 'thirty', 'nosuch', '9', 'e', '@r', '99', 'ou', 'user12']);
	PERFORM matrix.text_cases('businessName', 'business_name', ARRAY['12345', 'ss', 'b', '7', '99', '42 l', 'zz']);
	PERFORM matrix.text_cases('externalId', 'external_id', ARRAY['ext_00000', '_1', '5', '12345', 'x_']);
	PERFORM matrix.time_cases('createdDateTime', 'created_at');
	PERFORM matrix.time_cases('updatedDateTime', 'updated_at');
	INSERT INTO matrix.cases (label, share, filter, plain, names_archived) VALUES
		('status equal', 'most', '{"status": {"equal": "ACTIVE"}}', $q$c.status = 'ACTIVE'$q$, false),
		('status equal', '0.2%', '{"status": {"equal": "INACTIVE"}}', $q$c.status = 'INACTIVE'$q$, false),
		('status equal', 'rare', '{"status": {"equal": "ARCHIVED"}}', $q$c.status = 'ARCHIVED'$q$, true),
		('status notEqual', '0.2%', '{"status": {"notEqual": "ACTIVE"}}', $q$c.status <> 'ACTIVE' AND c.status <> 'ARCHIVED'$q$, false),
		('status in', 'rare', '{"status": {"in": ["ARCHIVED"]}}', $q$c.status = 'ARCHIVED'$q$, true),
		('status in', '0.2%', '{"status": {"in": ["INACTIVE", "ARCHIVED"]}}', $q$c.status IN ('INACTIVE', 'ARCHIVED')$q$, true),
		('status notIn', '0.2%', '{"status": {"notIn": ["ACTIVE"]}}', $q$c.status <> 'ACTIVE' AND c.status <> 'ARCHIVED'$q$, false),
		('status greaterThan', '0.2%', '{"status": {"greaterThan": "ACTIVE"}}', $q$c.status > 'ACTIVE' AND c.status <> 'ARCHIVED'$q$, false),
		('status lessThan', 'rare', '{"status": {"lessThan": "INACTIVE", "greaterThan": "ACTIVE"}}', $q$c.status < 'INACTIVE' AND c.status > 'ACTIVE'$q$, false),
		('customData contains', 'rare', '{"customData": {"contains": {"plan": "platinum"}}}', $q$c.doc->'customData' @> '{"plan": "platinum"}'$q$, false),
		('customData contains', '1%', '{"customData": {"contains": {"plan": "gold"}}}', $q$c.doc->'customData' @> '{"plan": "gold"}'$q$, false),
		('customData contains', '30%', '{"customData": {"contains": {"plan": "silver"}}}', $q$c.doc->'customData' @> '{"plan": "silver"}'$q$, false),
		('customData contains', 'none', '{"customData": {"contains": {"plan": "tin"}}}', $q$c.doc->'customData' @> '{"plan": "tin"}'$q$, false),
		('no filter', 'all', '{}', 'true', false),
		('currency equal', 'rare', '{"currency": {"equal": "CHF"}}', $q$c.doc ->> 'currency' = 'CHF'$q$, false),
		('currency equal', '1%', '{"currency": {"equal": "gbp"}}', $q$c.doc ->> 'currency' = 'GBP'$q$, false),
		('currency equal', '30%', '{"currency": {"equal": "EUR"}}', $q$c.doc ->> 'currency' = 'EUR'$q$, false),
		('currency equal', 'none', '{"currency": {"equal": "JPY"}}', $q$c.doc ->> 'currency' = 'JPY'$q$, false),
		('currency notEqual', 'most', '{"currency": {"notEqual": "CHF"}}',
		 $q$(c.doc ->> 'currency' IS NULL OR c.doc ->> 'currency' <> 'CHF')$q$, false),
		('currency in', '1%', '{"currency": {"in": ["CHF", "GBP"]}}', $q$c.doc ->> 'currency' IN ('CHF', 'GBP')$q$, false),
		('currency notIn', '11%', '{"currency": {"notIn": ["EUR", "USD"]}}',
		 $q$(c.doc ->> 'currency' IS NULL OR c.doc ->> 'currency' NOT IN ('EUR', 'USD'))$q$, false),
		('address.countryCode equal', 'rare', '{"address.countryCode": {"equal": "NO"}}',
		 $q$c.doc -> 'address' ->> 'countryCode' = 'NOR'$q$, false),
		('address.countryCode equal', '1%', '{"address.countryCode": {"equal": "CAN"}}',
		 $q$c.doc -> 'address' ->> 'countryCode' = 'CAN'$q$, false),
		('address.countryCode equal', '30%', '{"address.countryCode": {"equal": "fr"}}',
		 $q$c.doc -> 'address' ->> 'countryCode' = 'FRA'$q$, false),
		('address.countryCode equal', 'none', '{"address.countryCode": {"equal": "DEU"}}',
		 $q$c.doc -> 'address' ->> 'countryCode' = 'DEU'$q$, false),
		('address.countryCode notEqual', 'most', '{"address.countryCode": {"notEqual": "NOR"}}',
		 $q$(c.doc -> 'address' ->> 'countryCode' IS NULL OR c.doc -> 'address' ->> 'countryCode' <> 'NOR')$q$, false),
		('address.countryCode in', '1%', '{"address.countryCode": {"in": ["NOR", "CAN"]}}',
		 $q$c.doc -> 'address' ->> 'countryCode' IN ('NOR', 'CAN')$q$, false),
		('address.countryCode notIn', '1%', '{"address.countryCode": {"notIn": ["USA", "FRA"]}}',
		 $q$(c.doc -> 'address' ->> 'countryCode' IS NULL OR c.doc -> 'address' ->> 'countryCode' NOT IN ('USA', 'FRA'))$q$, false),
		('taxIds.value equal', '1%', '{"taxIds.value": {"equal": "SHARED1"}}',
		 $q$c.doc -> 'taxIds' @> '[{"value": "SHARED1"}]'$q$, false),
		('taxIds.value equal', '30%', '{"taxIds.value": {"equal": "SHARED30"}}',
		 $q$c.doc -> 'taxIds' @> '[{"value": "SHARED30"}]'$q$, false),
		('taxIds.value equal', 'none', '{"taxIds.value": {"equal": "NOSUCH"}}',
		 $q$c.doc -> 'taxIds' @> '[{"value": "NOSUCH"}]'$q$, false),
		('taxIds.value in', '30%', '{"taxIds.value": {"in": ["SHARED30", "SHARED1"]}}',
		 $q$(c.doc -> 'taxIds' @> '[{"value": "SHARED30"}]' OR c.doc -> 'taxIds' @> '[{"value": "SHARED1"}]')$q$, false);
	-- a tax id held by one customer, and ten
	SELECT array_agg(v) INTO ids FROM (SELECT c.doc -> 'taxIds' -> 0 ->> 'value' AS v FROM customers.customer c
		WHERE c.tenant_id = 'bench' AND c.doc ? 'taxIds' ORDER BY md5(c.id) LIMIT 10) s;
	INSERT INTO matrix.cases (label, share, filter, plain) VALUES
		('taxIds.value equal', 'rare', jsonb_build_object('taxIds.value', jsonb_build_object('equal', ids[1])),
		 format('c.doc -> %L @> %L', 'taxIds', jsonb_build_array(jsonb_build_object('value', ids[1])))),
		('taxIds.value in', 'rare', jsonb_build_object('taxIds.value', jsonb_build_object('in', to_jsonb(ids))),
		 format('c.doc -> %L @> ANY (%L::jsonb[])', 'taxIds',
				(SELECT array_agg(jsonb_build_array(jsonb_build_object('value', v))) FROM unnest(ids) AS v)));
	SELECT array_agg(id) INTO ids FROM (SELECT id FROM customers.customer WHERE tenant_id = 'bench' ORDER BY md5(id) LIMIT 1000) s;
	INSERT INTO matrix.cases (label, share, filter, plain) VALUES
		('id in', 'rare', jsonb_build_object('id', jsonb_build_object('in', to_jsonb(ids[1:1]))),
		 format('c.id = ANY (%s::text[])', matrix.lit(ids[1:1]::text))),
		('id in', '0.1%', jsonb_build_object('id', jsonb_build_object('in', to_jsonb(ids))),
		 format('c.id = ANY (%s::text[])', matrix.lit(ids::text))),
		('id notIn', 'most', jsonb_build_object('id', jsonb_build_object('notIn', to_jsonb(ids))),
		 format('NOT c.id = ANY (%s::text[])', matrix.lit(ids::text))),
		('id in', 'none', '{"id": {"in": ["cus_nosuch"]}}', $q$c.id = 'cus_nosuch'$q$);
	-- customData paths (plan: platinum 0.01 %, gold 1 %, silver 30 %; seats
	-- uniform in 0..99,999; renewal uniform over a year from 2027)
	INSERT INTO matrix.cases (label, share, filter, plain) VALUES
		('customData path equal', 'rare', '{"customData": {"path": ["plan"], "equal": "platinum"}}', $q$c.doc->'customData'->'plan' = '"platinum"'$q$),
		('customData path equal', '1%', '{"customData": {"path": ["plan"], "equal": "gold"}}', $q$c.doc->'customData'->'plan' = '"gold"'$q$),
		('customData path equal', '30%', '{"customData": {"path": ["plan"], "equal": "silver"}}', $q$c.doc->'customData'->'plan' = '"silver"'$q$),
		('customData path equal', 'none', '{"customData": {"path": ["plan"], "equal": "tin"}}', $q$c.doc->'customData'->'plan' = '"tin"'$q$),
		('customData path in', '1%', '{"customData": {"path": ["plan"], "in": ["platinum", "gold"]}}', $q$c.doc->'customData'->'plan' IN ('"platinum"', '"gold"')$q$),
		('customData path notIn', 'most', '{"customData": {"path": ["plan"], "notIn": ["platinum"]}}', $q$(c.doc->'customData'->'plan' = '"platinum"') IS NOT TRUE$q$),
		('customData path exists', 'all', '{"customData": {"path": ["seats"], "exists": true}}', $q$c.doc->'customData'->'seats' IS NOT NULL$q$),
		('customData path exists', 'none', '{"customData": {"path": ["nokey"], "exists": true}}', $q$c.doc->'customData'->'nokey' IS NOT NULL$q$),
		('customData path greaterThan', 'rare', '{"customData": {"path": ["seats"], "greaterThan": 99990}}', $q$(c.doc->'customData'->>'seats')::numeric > 99990$q$),
		('customData path greaterThan', '1%', '{"customData": {"path": ["seats"], "greaterThan": 98999}}', $q$(c.doc->'customData'->>'seats')::numeric > 98999$q$),
		('customData path lessThan', '30%', '{"customData": {"path": ["seats"], "lessThan": 30000}}', $q$(c.doc->'customData'->>'seats')::numeric < 30000$q$),
		('customData path lessThan', '1%', '{"customData": {"path": ["renewal"], "lessThan": "2027-01-04T15:00:00Z"}}', $q$(c.doc->'customData'->>'renewal')::timestamptz < '2027-01-04T15:00:00Z'$q$),
		('customData path greaterThan', '30%', '{"customData": {"path": ["renewal"], "greaterThan": "2027-08-13T00:00:00Z"}}', $q$(c.doc->'customData'->>'renewal')::timestamptz > '2027-08-13T00:00:00Z'$q$),
		('customData path contain', 'rare', '{"customData": {"path": ["plan"], "contain": "PLAT"}}', $q$c.doc->'customData'->>'plan' ILIKE '%plat%'$q$);
	-- search: words of the name, email, city (folded); plain SQL through the same folded text
	INSERT INTO matrix.cases (label, share, filter, plain)
	SELECT 'search', share, jsonb_build_object('search', words),
		   (SELECT string_agg(format('customers.search_text(c.name, c.email, c.business_name, c.external_id, c.id,'
									 ' c.doc -> ''address'' ->> ''city'') LIKE %s', matrix.lit('%' || w || '%')), ' AND ')
			FROM regexp_split_to_table(translate(lower(words), 'üãéóí', 'uaeoi'), ' ') AS w)
	FROM (VALUES ('rare', 'Zephyrine'), ('1%', 'quokka'), ('30%', 'corp'), ('8%', 'MÜNCHEN'),
				 ('0.3%', 'quokka corp'), ('rare', 'rare.test zurich'), ('1 char', 'z'), ('2 chars', 'zq'),
				 ('none', 'zzzz nothing'), ('most', 'a e')) AS v(share, words);

	-- every single case under every sort
	SELECT max(case_id) INTO singles FROM matrix.cases;
	INSERT INTO matrix.cells (case_id, sort_id) SELECT case_id, sort_id FROM matrix.cases, matrix.sorts;
	-- pairs of two different fields, each under one sort, drawn with a fixed seed
	PERFORM setseed(0.15);
	FOR q IN
		SELECT a.label || ' AND ' || b.label AS label, a.share || ' & ' || b.share AS share,
			   a.filter || b.filter AS filter, '(' || a.plain || ') AND (' || b.plain || ')' AS plain,
			   -- the first 14 sorts, as before CURRENCY and COUNTRY_CODE, so that the pairs stay those of earlier runs
			   a.names_archived OR b.names_archived AS names_archived, 1 + floor(random() * 14)::int AS sort_id
		FROM matrix.cases a JOIN matrix.cases b ON a.case_id < b.case_id
			AND split_part(a.label, ' ', 1) <> split_part(b.label, ' ', 1)
		WHERE a.case_id <= singles AND b.case_id <= singles
			AND a.label <> 'no filter' AND b.label <> 'no filter'
		ORDER BY random() LIMIT npairs
	LOOP
		INSERT INTO matrix.cases (label, share, filter, plain, names_archived)
		VALUES (q.label, q.share, q.filter, q.plain, q.names_archived) RETURNING case_id INTO cid;
		INSERT INTO matrix.cells (case_id, sort_id, pair) VALUES (cid, q.sort_id, true);
	END LOOP;
	-- the issue's cases by name
	INSERT INTO matrix.cases (label, share, filter, plain) VALUES
		('customData contains AND name contain', '1% & 2 chars',
		 '{"customData": {"contains": {"plan": "gold"}}, "name": {"contain": "ab"}}',
		 $q$(c.doc->'customData' @> '{"plan": "gold"}') AND (c.name ILIKE '%ab%')$q$);
	INSERT INTO matrix.cells (case_id, sort_id)
	SELECT currval('matrix.cases_case_id_seq'), sort_id FROM matrix.sorts;
END
$$;

-- The ORDER BY of a sort
CREATE FUNCTION matrix.order_sql(s matrix.sorts) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN s.col = 'id' THEN 'c.id ' || s.direction
				ELSE format('c.%1$s %2$s, c.id %2$s', s.col, s.direction) END
$$;

-- The keyset condition after the row (k, i) of a sort, NULLs as PostgreSQL sorts them
CREATE FUNCTION matrix.after_sql(s matrix.sorts, k text, i text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN s.col = 'id' THEN format('c.id %s %s', CASE s.direction WHEN 'ASC' THEN '>' ELSE '<' END, matrix.lit(i))
		WHEN k IS NULL AND s.direction = 'ASC' THEN format('c.%s IS NULL AND c.id > %s', s.col, matrix.lit(i))
		WHEN k IS NULL THEN format('(c.%1$s IS NOT NULL OR c.id < %2$s)', s.col, matrix.lit(i))
		WHEN s.direction = 'ASC' THEN format('(c.%1$s IS NULL OR (c.%1$s, c.id) > (%2$s, %3$s))', s.col,
											 matrix.lit(k) || CASE WHEN s.is_time THEN '::timestamptz' ELSE '' END, matrix.lit(i))
		ELSE format('(c.%1$s, c.id) < (%2$s, %3$s)', s.col,
					matrix.lit(k) || CASE WHEN s.is_time THEN '::timestamptz' ELSE '' END, matrix.lit(i)) END
$$;

-- The plain SQL pass of one case, as the owner, under the sorts given:
-- the expected pages (from the case's rows, collected once) and the
-- hand-written statements' times (planned per call, as a user's ad hoc SQL)
CREATE FUNCTION matrix.run_plain(cid int, sids int[], reps int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	c matrix.cases;
	s matrix.sorts;
	cond text;
	n bigint;
	d int;
	first_ids text[];
	deep_ids text[];
	k text;
	i text;
	t0 timestamptz;
	first_ms float8[];
	deep_ms float8[];
	stmt text;
BEGIN
	SELECT * INTO c FROM matrix.cases WHERE case_id = cid;
	cond := '(' || c.plain || ')' || CASE WHEN c.names_archived THEN '' ELSE ' AND c.status <> ''ARCHIVED''' END;
	DROP TABLE IF EXISTS pg_temp.hits;
	-- doc: only what the sort keys read from the document
	EXECUTE format('CREATE TEMP TABLE hits AS SELECT id, name, email, business_name, status, created_at, updated_at,'
				   ' jsonb_build_object(''currency'', c.doc -> ''currency'', ''address'','
				   ' jsonb_build_object(''countryCode'', c.doc -> ''address'' -> ''countryCode'')) AS doc'
				   ' FROM customers.customer c WHERE c.tenant_id = ''bench'' AND %s', cond);
	SELECT count(*) INTO n FROM pg_temp.hits;
	d := least(2000, n / 2);
	FOR s IN SELECT * FROM matrix.sorts WHERE sort_id = ANY (sids) LOOP
		EXECUTE format('SELECT ARRAY(SELECT c.id FROM pg_temp.hits c ORDER BY %s LIMIT 50)', matrix.order_sql(s))
			INTO first_ids;
		EXECUTE format('SELECT ARRAY(SELECT c.id FROM pg_temp.hits c ORDER BY %s OFFSET %s LIMIT 50)',
					   matrix.order_sql(s), d) INTO deep_ids;
		first_ms := '{}';
		deep_ms := '{}';
		stmt := format('SELECT json_agg(doc) FROM (SELECT c.doc FROM customers.customer c'
					   ' WHERE c.tenant_id = ''bench'' AND %s ORDER BY %s LIMIT 50) s', cond, matrix.order_sql(s));
		FOR r IN 1..reps LOOP
			t0 := clock_timestamp();
			EXECUTE stmt;
			first_ms := first_ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
		END LOOP;
		IF d > 0 THEN
			EXECUTE format('SELECT c.%s::text, c.id FROM pg_temp.hits c ORDER BY %s OFFSET %s LIMIT 1',
						   s.col, matrix.order_sql(s), d - 1) INTO k, i;
			stmt := format('SELECT json_agg(doc) FROM (SELECT c.doc FROM customers.customer c'
						   ' WHERE c.tenant_id = ''bench'' AND %s AND %s ORDER BY %s LIMIT 50) s',
						   cond, matrix.after_sql(s, k, i), matrix.order_sql(s));
			FOR r IN 1..reps LOOP
				t0 := clock_timestamp();
				EXECUTE stmt;
				deep_ms := deep_ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
			END LOOP;
		END IF;
		UPDATE matrix.cells SET matches = n, depth = d, plain_first = first_ids, plain_deep = deep_ids,
			   plain_first_ms = first_ms, plain_deep_ms = deep_ms
		WHERE case_id = cid AND sort_id = s.sort_id;
	END LOOP;
END
$$;

-- The extension's pass of one cell, as bench_app: the first page, the walk
-- to the depth (pages of up to 1,000, not timed), the deep page. A cell's
-- repetitions stop early once they have taken a second.
CREATE FUNCTION matrix.run_ext(cid int, sid int, reps int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	c matrix.cases;
	s matrix.sorts;
	d int;
	req jsonb;
	resp jsonb;
	token text;
	done int := 0;
	step int;
	t0 timestamptz;
	spent float8;
	first_ms float8[] := '{}';
	deep_ms float8[] := '{}';
	first_ids text[];
	deep_ids text[];
	first_rows bigint;
	deep_rows bigint;
BEGIN
	SELECT * INTO c FROM matrix.cases WHERE case_id = cid;
	SELECT * INTO s FROM matrix.sorts WHERE sort_id = sid;
	SELECT depth INTO d FROM matrix.cells WHERE case_id = cid AND sort_id = sid;
	req := jsonb_build_object('limit', 50, 'filter', c.filter,
							  'sort', jsonb_build_object('orderBy', s.order_by, 'direction', s.direction));
	spent := 0;
	FOR r IN 1..reps LOOP
		first_rows := coalesce(first_rows, -matrix.rows_read());
		t0 := clock_timestamp();
		resp := customers.query(req);
		first_ms := first_ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
		IF r = 1 THEN
			first_rows := first_rows + matrix.rows_read();
		END IF;
		spent := spent + first_ms[r];
		EXIT WHEN spent > 1000;
	END LOOP;
	SELECT coalesce(array_agg(e ->> 'id' ORDER BY o), '{}') INTO first_ids
	FROM jsonb_array_elements(resp -> 'data') WITH ORDINALITY AS x(e, o);
	IF d > 0 THEN
		WHILE done < d LOOP
			step := least(1000, d - done);
			token := customers.query(req || jsonb_build_object('limit', step)
									 || CASE WHEN token IS NULL THEN '{}' ELSE jsonb_build_object('cursor', token) END)
					 #>> '{cursor,after}';
			done := done + step;
		END LOOP;
		spent := 0;
		FOR r IN 1..reps LOOP
			deep_rows := coalesce(deep_rows, -matrix.rows_read());
			t0 := clock_timestamp();
			resp := customers.query(req || jsonb_build_object('cursor', token));
			deep_ms := deep_ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
			IF r = 1 THEN
				deep_rows := deep_rows + matrix.rows_read();
			END IF;
			spent := spent + deep_ms[r];
			EXIT WHEN spent > 1000;
		END LOOP;
		SELECT coalesce(array_agg(e ->> 'id' ORDER BY o), '{}') INTO deep_ids
		FROM jsonb_array_elements(resp -> 'data') WITH ORDINALITY AS x(e, o);
	END IF;
	UPDATE matrix.cells SET ext_first = first_ids, ext_deep = coalesce(deep_ids, '{}'),
		   ext_first_ms = first_ms, ext_deep_ms = deep_ms, ext_first_rows = first_rows,
		   ext_deep_rows = deep_rows, ext_error = NULL
	WHERE case_id = cid AND sort_id = sid;
EXCEPTION WHEN OTHERS THEN
	UPDATE matrix.cells SET ext_error = SQLERRM WHERE case_id = cid AND sort_id = sid;
END
$$;

-- rows of customer read so far in this transaction (as any role)
CREATE FUNCTION matrix.rows_read() RETURNS bigint LANGUAGE sql AS $$
	SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_catalog.pg_stat_xact_user_tables
	WHERE schemaname = 'customers' AND relname = 'customer'
$$;

-- p-th percentile of an array of times
CREATE FUNCTION matrix.pct(a float8[], p float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
	SELECT percentile_cont(p) WITHIN GROUP (ORDER BY x) FROM unnest(a) AS x
$$;

-- One row per cell and page, with its percentiles and whether it matched
CREATE VIEW matrix.report AS
SELECT c.case_id, c.label, c.share, s.order_by || ' ' || s.direction AS sort, p.page, x.matches,
	   round((100.0 * x.matches / greatest(1, (SELECT count(*) FROM customers.customer WHERE tenant_id = 'bench')))::numeric, 4) AS pct,
	   round(matrix.pct(p.ext_ms, 0.5)::numeric, 2) AS ext_p50, round(matrix.pct(p.ext_ms, 0.99)::numeric, 2) AS ext_p99,
	   round(matrix.pct(p.plain_ms, 0.5)::numeric, 2) AS plain_p50, round(matrix.pct(p.plain_ms, 0.99)::numeric, 2) AS plain_p99,
	   round((matrix.pct(p.ext_ms, 0.5) / nullif(matrix.pct(p.plain_ms, 0.5), 0))::numeric, 2) AS ratio,
	   x.ext_error IS NULL AND p.ext_ids IS NOT DISTINCT FROM p.plain_ids AS same, x.ext_error, x.pair, x.sort_id,
	   p.ext_rows
FROM matrix.cells x
JOIN matrix.cases c USING (case_id)
JOIN matrix.sorts s USING (sort_id)
CROSS JOIN LATERAL (VALUES ('first', x.ext_first_ms, x.plain_first_ms, x.ext_first, x.plain_first, x.ext_first_rows),
						   ('deep', x.ext_deep_ms, x.plain_deep_ms, x.ext_deep, x.plain_deep, x.ext_deep_rows))
	AS p(page, ext_ms, plain_ms, ext_ids, plain_ids, ext_rows)
WHERE p.page = 'first' OR x.depth > 0;
