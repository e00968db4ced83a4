-- and, or and not in filters (docs/api.md §4.1): hand-written cases, the
-- errors of nested nodes (22023 naming the node's path), the cursor bound
-- to the whole expression, and random trees of every operator over random
-- data, each compared with plain SQL over the same rows.
\pset format unaligned
SET customers.tenant_id = 'qbool';

-- 300 customers, fields drawn at random (a fixed seed): a third without an
-- email, a quarter without a business name, some INACTIVE, a few archived
SELECT setseed(0.64);
CREATE TEMP TABLE people AS
SELECT i, (ARRAY['Acme', 'Beta', 'Gamma', 'Delta', 'Omega'])[1 + floor(random() * 5)::int] || ' '
		  || (ARRAY['Corp', 'Labs', 'Inc'])[1 + floor(random() * 3)::int] || ' ' || i AS name,
	   CASE WHEN random() < 0.33 THEN NULL ELSE 'u' || floor(random() * 100)::int || '@'
		   || (ARRAY['acme.com', 'beta.de', 'x.io'])[1 + floor(random() * 3)::int] END AS email,
	   CASE WHEN random() < 0.25 THEN NULL ELSE 'Biz ' || floor(random() * 20)::int END AS business_name,
	   CASE WHEN random() < 0.2 THEN 'INACTIVE' ELSE 'ACTIVE' END AS status,
	   (ARRAY['gold', 'silver', 'tin'])[1 + floor(random() * 3)::int] AS plan
FROM generate_series(1, 300) AS i;
-- the city and customData drawn from i (no random(), so the fields above
-- stay as they were): cities with accents, or none; seats a number, a
-- string or absent; since an RFC 3339 time in several offsets, another
-- string or absent; meta an object whose tier is a string or null, an
-- array on the way to tier, or absent
SELECT count(*) AS saved FROM jsonb_array_elements(customers.save(jsonb_build_object('data', (
	SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('id', 'cus_b' || lpad(i::text, 3, '0'),
		'name', name, 'email', email, 'businessName', business_name, 'status', status,
		'externalId', CASE WHEN i % 7 = 0 THEN NULL ELSE 'ext' || i END,
		'address', CASE WHEN i % 6 = 5 THEN NULL ELSE jsonb_build_object('city',
			(ARRAY['München', 'Zürich', 'São Paulo', 'Paris', 'Ærøskøbing'])[1 + i % 6]) END))
		|| jsonb_build_object('customData', jsonb_strip_nulls(jsonb_build_object('plan', plan,
			'seats', CASE WHEN i % 5 = 0 THEN NULL WHEN i % 11 = 0 THEN to_jsonb((i % 40)::text)
						  ELSE to_jsonb(i % 40) END,
			'since', CASE WHEN i % 13 = 0 THEN NULL WHEN i % 9 = 0 THEN 'soon'
						  ELSE '2024-01-' || lpad((1 + i % 28)::text, 2, '0') || 'T10:00:00'
							   || (ARRAY['Z', '+03:00', '-05:30'])[1 + i % 3] END))
			|| CASE i % 4 WHEN 0 THEN jsonb_build_object('meta', jsonb_build_object('tier',
						 CASE WHEN i % 8 = 0 THEN 'gold' ELSE 'silver' END, 'region', 'eu'))
					  WHEN 1 THEN '{"meta": {"tier": null}}'
					  WHEN 2 THEN '{"meta": [{"tier": "gold"}]}' ELSE '{}' END) ORDER BY i)
	FROM people))) -> 'data');
SELECT count(customers.archive('cus_b' || lpad(i::text, 3, '0'))) AS archived
FROM generate_series(10, 300, 29) AS i;

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
			|| ' WHERE tenant_id = ''qbool'' AND (' || predicate || ')' INTO r;
	RETURN r;
END
$$;

-- Hand-written: each filter against its predicate (archived left out unless
-- a status condition anywhere names ARCHIVED)
SELECT f AS filter, cardinality(pg_temp.ids(f::jsonb)) AS found,
	   pg_temp.ids(f::jsonb) = pg_temp.plain(p) AS same
FROM (VALUES
	('{"or": [{"name": {"contain": "acme"}}, {"email": {"contain": "acme"}}]}',
	 $$(name ILIKE '%acme%' OR email ILIKE '%acme%') AND status <> 'ARCHIVED'$$),
	('{"and": [{"status": {"equal": "ACTIVE"}}, {"or": [{"businessName": {"equal": "Biz 3"}}, {"businessName": {"equal": "Biz 4"}}]}]}',
	 $$status = 'ACTIVE' AND business_name IN ('Biz 3', 'Biz 4')$$),
	('{"not": {"email": {"contain": "@beta.de"}}}',
	 $$(email IS NULL OR email NOT ILIKE '%@beta.de%') AND status <> 'ARCHIVED'$$),
	('{"not": {"email": {"notEqual": "u1@x.io"}}}',
	 $$email = 'u1@x.io' AND status <> 'ARCHIVED'$$),
	('{"name": {"contain": "labs"}, "not": {"or": [{"customData": {"contains": {"plan": "gold"}}}, {"status": {"equal": "INACTIVE"}}]}}',
	 $$name ILIKE '%labs%' AND NOT (doc -> 'customData' @> '{"plan": "gold"}' OR status = 'INACTIVE') AND status <> 'ARCHIVED'$$),
	('{"or": [{"status": {"equal": "ARCHIVED"}}, {"name": {"contain": "omega"}}]}',
	 $$status = 'ARCHIVED' OR name ILIKE '%omega%'$$),
	('{"or": [{"not": {"status": {"equal": "ARCHIVED"}}}]}', $$status <> 'ARCHIVED'$$),
	('{"and": [{}], "or": [{}, {"name": {"equal": "nobody"}}]}', $$status <> 'ARCHIVED'$$),
	('{"or": [{"email": {"greaterThan": "u9"}}, {"businessName": {"lessThan": "Biz 10"}}]}',
	 $$(email > 'u9' OR business_name < 'Biz 10') AND status <> 'ARCHIVED'$$)) AS c(f, p);

-- Every sort, direction and page size walked both ways (check_all)
SELECT * FROM check_all('{"or": [{"name": {"contain": "acme"}}, {"email": {"greaterThan": "u5"}}]}',
						$$(name ILIKE '%acme%' OR email > 'u5') AND status <> 'ARCHIVED'$$);
SELECT * FROM check_all('{"not": {"or": [{"email": {"in": ["u1@x.io", "u2@acme.com"]}}, {"businessName": {"greaterThan": "Biz 3"}}]}}',
						$$NOT coalesce(email IN ('u1@x.io', 'u2@acme.com') OR business_name > 'Biz 3', false) AND status <> 'ARCHIVED'$$);
SELECT * FROM check_all('{"or": [{"customData": {"path": ["meta", "tier"], "equal": "gold"}}, {"customData": {"path": ["seats"], "lessThan": 4}}]}',
						$$(doc -> 'customData' -> 'meta' -> 'tier' = '"gold"' OR (jsonb_typeof(doc -> 'customData' -> 'seats') = 'number' AND (doc -> 'customData' ->> 'seats')::numeric < 4)) AND status <> 'ARCHIVED'$$);
SELECT * FROM check_all('{"customData": {"path": ["meta", "tier"], "in": ["silver"]}}',
						$$doc -> 'customData' -> 'meta' -> 'tier' = '"silver"' AND status <> 'ARCHIVED'$$);

-- The cursor's signature covers the whole expression: a token of one tree
-- is refused with another
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('limit', 5,
	'filter', '{"or": [{"name": {"contain": "acme"}}, {"name": {"contain": "beta"}}]}'::jsonb,
	'cursor', customers.query('{"limit": 5, "filter": {"or": [{"name": {"contain": "acme"}}, {"name": {"contain": "gamma"}}]}}')
			  #>> '{cursor,after}'))) AS other_tree;

-- Errors name the path of the offending node
SELECT r AS filter, raises(format('SELECT customers.query(%L)', jsonb_build_object('filter', r::jsonb))) AS error
FROM (VALUES
	('{"or": [{"name": {"contain": "a"}}, {"name": {"like": "b"}}]}'),
	('{"and": [{"or": [{"email": {"equal": 5}}]}]}'),
	('{"not": {"or": [{}, {"customData": {"contains": "gold"}}]}}'),
	('{"or": {"name": {"equal": "a"}}}'),
	('{"or": []}'),
	('{"and": [[]]}'),
	('{"not": [{"name": {"equal": "a"}}]}'),
	('{"or": [{"classSegments": {"id": {"in": ["cls_1"]}}}]}'),
	('{"or": [{"nickname": {"equal": "a"}}]}'),
	('{"not": {"not": {"not": {"not": {"not": {"not": {"not": {"not": {"not": {"name": {"equal": "a"}}}}}}}}}}}'),
	('{"or": [{}, {}, {"customData": {"path": "meta", "exists": true}}]}'),
	('{"and": [{"customData": {"path": [], "exists": true}}]}'),
	('{"customData": {"path": ["a", "b", "c", "d", "e", "f", "g", "h", "i"], "exists": true}}'),
	('{"not": {"customData": {"path": ["meta", 1], "exists": true}}}'),
	('{"customData": {"path": ["meta"], "like": "gold"}}'),
	('{"customData": {"equal": "gold"}}'),
	('{"customData": {"path": ["meta"], "exists": "yes"}}'),
	('{"customData": {"path": ["meta"], "equal": {"tier": "gold"}}}'),
	('{"customData": {"path": ["meta"], "in": ["gold", ["x"]]}}'),
	('{"customData": {"path": ["meta"], "notIn": "gold"}}'),
	('{"customData": {"path": ["since"], "greaterThan": "2024-01-15"}}'),
	('{"customData": {"path": ["since"], "lessThan": true}}'),
	('{"customData": {"path": ["meta"], "contain": 5}}')) AS c(r);
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('filter', jsonb_build_object('customData',
	jsonb_build_object('path', jsonb_build_array(repeat('k', 256)), 'exists', true))))) AS key_256;
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('filter', jsonb_build_object('customData',
	jsonb_build_object('path', '["k"]'::jsonb, 'in', (SELECT jsonb_agg(j) FROM generate_series(1, 1001) AS j)))))) AS in_1001;
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('filter', jsonb_build_object('or',
	(SELECT jsonb_agg('{"name": {"equal": "a"}}'::jsonb) FROM generate_series(1, 33)))))) AS or_33;
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('filter', jsonb_build_object('or',
	(SELECT jsonb_agg(jsonb_build_object('or', (SELECT jsonb_agg('{}'::jsonb) FROM generate_series(1, 10))))
	 FROM generate_series(1, 30)))))) AS nodes_331;
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('filter', jsonb_build_object('or',
	(SELECT jsonb_agg(jsonb_build_object('name', jsonb_build_object('equal', 'a' || j))) FROM generate_series(1, 32) AS j),
	'and', (SELECT jsonb_agg(jsonb_build_object('email', jsonb_build_object('equal', 'a' || j))) FROM generate_series(1, 32) AS j),
	'externalId', '{"equal": "x"}'::jsonb)))) AS params_65;

-- Random trees: leaves of every field and operator (customData paths too)
-- over the data above,
-- joined by and, or and not up to 4 levels deep; each tree's customers
-- against plain SQL's
CREATE TEMP TABLE leaves (filter jsonb, predicate text);
INSERT INTO leaves VALUES
	('{"name": {"equal": "Acme Corp 17"}}', $$name = 'Acme Corp 17'$$),
	('{"name": {"notEqual": "Acme Corp 17"}}', $$name <> 'Acme Corp 17'$$),
	('{"name": {"greaterThan": "Delta"}}', $$name > 'Delta'$$),
	('{"name": {"lessThanEqual": "Beta Labs 5"}}', $$name <= 'Beta Labs 5'$$),
	('{"name": {"contain": "labs"}}', $$name ILIKE '%labs%'$$),
	('{"name": {"contain": "a 1"}}', $$name ILIKE '%a 1%'$$),
	('{"name": {"in": ["Acme Corp 17", "Beta Inc 2", "Omega Labs 3"]}}', $$name IN ('Acme Corp 17', 'Beta Inc 2', 'Omega Labs 3')$$),
	('{"email": {"contain": "acme"}}', $$email ILIKE '%acme%'$$),
	('{"email": {"notEqual": "u1@x.io"}}', $$(email IS NULL OR email <> 'u1@x.io')$$),
	('{"email": {"greaterThanEqual": "u5"}}', $$email >= 'u5'$$),
	('{"email": {"notIn": ["u2@x.io", "u3@beta.de"]}}', $$(email IS NULL OR email NOT IN ('u2@x.io', 'u3@beta.de'))$$),
	('{"businessName": {"lessThan": "Biz 12"}}', $$business_name < 'Biz 12'$$),
	('{"businessName": {"notIn": ["Biz 1", "Biz 2"]}}', $$(business_name IS NULL OR business_name NOT IN ('Biz 1', 'Biz 2'))$$),
	('{"businessName": {"contain": "z 1"}}', $$business_name ILIKE '%z 1%'$$),
	('{"externalId": {"greaterThan": "ext2"}}', $$external_id > 'ext2'$$),
	('{"externalId": {"notEqual": "ext5"}}', $$(external_id IS NULL OR external_id <> 'ext5')$$),
	('{"status": {"equal": "INACTIVE"}}', $$status = 'INACTIVE'$$),
	('{"status": {"in": ["ACTIVE", "ARCHIVED"]}}', $$status IN ('ACTIVE', 'ARCHIVED')$$),
	('{"status": {"notEqual": "ACTIVE"}}', $$status <> 'ACTIVE'$$),
	('{"id": {"in": ["cus_b001", "cus_b010", "cus_b100", "cus_b150"]}}', $$id IN ('cus_b001', 'cus_b010', 'cus_b100', 'cus_b150')$$),
	('{"id": {"notIn": ["cus_b002", "cus_b003"]}}', $$id NOT IN ('cus_b002', 'cus_b003')$$),
	('{"customData": {"contains": {"plan": "gold"}}}', $$doc -> 'customData' @> '{"plan": "gold"}'$$),
	('{"customData": {"contains": {"plan": "tin"}}}', $$doc -> 'customData' @> '{"plan": "tin"}'$$),
	('{"createdDateTime": {"greaterThan": "2000-01-01T00:00:00Z"}}', $$true$$),
	('{"updatedDateTime": {"lessThan": "2000-01-01T00:00:00Z"}}', $$false$$),
	('{"customData": {"path": ["meta", "tier"], "equal": "gold"}}', $$doc -> 'customData' -> 'meta' -> 'tier' = '"gold"'$$),
	('{"customData": {"path": ["meta", "tier"], "equal": null}}', $$doc -> 'customData' -> 'meta' -> 'tier' = 'null'$$),
	('{"customData": {"path": ["meta", "tier"], "notEqual": "silver"}}', $$(doc -> 'customData' -> 'meta' -> 'tier' = '"silver"') IS NOT TRUE$$),
	('{"customData": {"path": ["meta", "tier"], "exists": true}}', $$doc -> 'customData' -> 'meta' -> 'tier' IS NOT NULL$$),
	('{"customData": {"path": ["seats"], "exists": false}}', $$doc -> 'customData' -> 'seats' IS NULL$$),
	('{"customData": {"path": ["meta", "tier"], "in": ["silver", null]}}', $$doc -> 'customData' -> 'meta' -> 'tier' IN ('"silver"', 'null')$$),
	('{"customData": {"path": ["seats"], "in": [3, 7.0, "7", true]}}', $$doc -> 'customData' -> 'seats' IN ('3', '7', '"7"', 'true')$$),
	('{"customData": {"path": ["plan"], "notIn": ["gold", "tin"]}}', $$(doc -> 'customData' ->> 'plan' IN ('gold', 'tin')) IS NOT TRUE$$),
	('{"customData": {"path": ["seats"], "greaterThan": 20}}', $$jsonb_typeof(doc -> 'customData' -> 'seats') = 'number' AND (doc -> 'customData' ->> 'seats')::numeric > 20$$),
	('{"customData": {"path": ["seats"], "lessThanEqual": 7.0}}', $$jsonb_typeof(doc -> 'customData' -> 'seats') = 'number' AND (doc -> 'customData' ->> 'seats')::numeric <= 7$$),
	('{"customData": {"path": ["since"], "greaterThanEqual": "2024-01-15T10:00:00+03:00"}}', $$CASE WHEN doc -> 'customData' ->> 'since' LIKE '2024%' THEN (doc -> 'customData' ->> 'since')::timestamptz END >= '2024-01-15T10:00:00+03:00'$$),
	('{"customData": {"path": ["since"], "lessThan": "2024-01-10T00:00:00Z", "greaterThan": "2024-01-03T12:00:00.5-01:00"}}', $$CASE WHEN doc -> 'customData' ->> 'since' LIKE '2024%' THEN (doc -> 'customData' ->> 'since')::timestamptz END > '2024-01-03T12:00:00.5-01:00' AND CASE WHEN doc -> 'customData' ->> 'since' LIKE '2024%' THEN (doc -> 'customData' ->> 'since')::timestamptz END < '2024-01-10T00:00:00Z'$$),
	('{"customData": {"path": ["since"], "contain": "T10:00:00Z"}}', $$jsonb_typeof(doc -> 'customData' -> 'since') = 'string' AND doc -> 'customData' ->> 'since' ILIKE '%T10:00:00Z%'$$),
	('{"customData": {"path": ["meta"], "contains": {"tier": "gold"}}}', $$doc -> 'customData' -> 'meta' @> '{"tier": "gold"}'$$),
	('{"customData": {"path": ["meta", "region"], "contain": "E", "exists": true}}', $$doc -> 'customData' -> 'meta' ->> 'region' ILIKE '%e%'$$);
-- search: each word, folded (accents and case), a substring of one of six
-- fields; plain SQL folds the few accents of the data with translate
-- (written out in each predicate, which Citus runs on its workers)
CREATE FUNCTION pg_temp.fold(t text) RETURNS text LANGUAGE sql AS $$
	SELECT format($f$replace(replace(translate(lower(%s), 'áãçéíóöúüÁÃÇÉÍÓÖÚÜ', 'aaceioouuaaceioouu'), 'æ', 'ae'), 'ø', 'o')$f$, t)
$$;
CREATE FUNCTION pg_temp.searched(words text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	folded text;
BEGIN
	EXECUTE 'SELECT ' || pg_temp.fold(quote_literal(words)) INTO folded;
	RETURN (SELECT coalesce(string_agg(format('(%s)', (
		SELECT string_agg(format('strpos(%s, %L) > 0', pg_temp.fold(f), w), ' OR ')
		FROM unnest('{name,email,business_name,external_id,id,"doc -> ''address'' ->> ''city''"}'::text[]) AS f)),
		' AND '), 'true')
	FROM regexp_split_to_table(folded, '\s+') AS w WHERE w <> '');
END
$$;
INSERT INTO leaves SELECT jsonb_build_object('search', w), pg_temp.searched(w)
FROM unnest(ARRAY['acme', 'ÁCME lab', 'munchen', 'ZÜRICH u1', 'sao b00', 'ext1', '@x.io biz', '  ', 'o',
				  'krakow 1', 'AEROSKØBING', 's_b0', 'Paris 1 corp', 'beta.de']) AS w;
-- a random tree of depth at most d: its filter and its predicate
CREATE FUNCTION pg_temp.tree(d int, OUT filter jsonb, OUT predicate text) LANGUAGE plpgsql AS $$
DECLARE
	k int := CASE WHEN d = 0 THEN 0 ELSE floor(random() * 4)::int END;
	n int := 1 + floor(random() * 3)::int;
	sub record;
	fs jsonb := '[]';
	ps text[] := '{}';
BEGIN
	IF k = 0 THEN
		SELECT l.filter, l.predicate INTO filter, predicate FROM leaves l ORDER BY random() LIMIT 1;
		RETURN;
	END IF;
	IF k = 3 THEN
		sub := pg_temp.tree(d - 1);
		filter := jsonb_build_object('not', sub.filter);
		predicate := format('(%s) IS NOT TRUE', sub.predicate);
		RETURN;
	END IF;
	FOR i IN 1..n LOOP
		sub := pg_temp.tree(d - 1);
		fs := fs || jsonb_build_array(sub.filter);
		ps := ps || ('(' || sub.predicate || ')');
	END LOOP;
	filter := jsonb_build_object(CASE k WHEN 1 THEN 'and' ELSE 'or' END, fs);
	predicate := array_to_string(ps, CASE k WHEN 1 THEN ' AND ' ELSE ' OR ' END);
END
$$;
-- does a filter name ARCHIVED in a status condition anywhere?
CREATE FUNCTION pg_temp.names_archived(f jsonb) RETURNS boolean LANGUAGE sql AS $$
	SELECT f::text ~ '"status": \{[^}]*ARCHIVED'
$$;
-- each leaf alone (the customData paths with how many they find)
SELECT count(*) AS leaves, count(*) FILTER (WHERE pg_temp.ids(filter) IS DISTINCT FROM pg_temp.plain(
		   '(' || predicate || ')' || CASE WHEN pg_temp.names_archived(filter) THEN '' ELSE ' AND status <> ''ARCHIVED''' END))
		   AS differ
FROM leaves;
SELECT filter, cardinality(pg_temp.ids(filter)) AS found FROM leaves
WHERE filter ? 'search' OR (filter ? 'customData' AND filter -> 'customData' ? 'path') ORDER BY filter::text;
SELECT setseed(0.2);
CREATE TEMP TABLE trees AS SELECT t.* FROM generate_series(1, 300) AS g, LATERAL pg_temp.tree(4) AS t;
SELECT count(*) AS trees,
	   count(*) FILTER (WHERE pg_temp.ids(filter) IS DISTINCT FROM pg_temp.plain(
		   '(' || predicate || ')' || CASE WHEN pg_temp.names_archived(filter) THEN '' ELSE ' AND status <> ''ARCHIVED''' END))
		   AS differ
FROM trees;
-- count up to 20 and up to 1000 of each tree against plain SQL's count
CREATE FUNCTION pg_temp.plain_count(filter jsonb, predicate text, cap int) RETURNS jsonb LANGUAGE sql AS $$
	SELECT CASE WHEN n > cap THEN jsonb_build_object('moreThan', cap) ELSE jsonb_build_object('total', n) END
	FROM (SELECT cardinality(pg_temp.plain('(' || predicate || ')' || CASE WHEN pg_temp.names_archived(filter)
			 THEN '' ELSE ' AND status <> ''ARCHIVED''' END)) AS n) AS p
$$;
SELECT count(*) AS trees,
	   count(*) FILTER (WHERE customers.query(jsonb_build_object('filter', filter, 'limit', 1, 'count', '{"upTo": 20}'::jsonb)) -> 'count'
						IS DISTINCT FROM pg_temp.plain_count(filter, predicate, 20)) AS differ_20,
	   count(*) FILTER (WHERE customers.query(jsonb_build_object('filter', filter, 'limit', 3, 'count', true)) -> 'count'
						IS DISTINCT FROM pg_temp.plain_count(filter, predicate, 1000)) AS differ_1000
FROM trees;
-- trees with a few matches and with many, not all or nothing
SELECT count(*) FILTER (WHERE cardinality(pg_temp.ids(filter)) BETWEEN 1 AND 270) > 100 AS varied FROM trees;
