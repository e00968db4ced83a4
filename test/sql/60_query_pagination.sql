-- Pagination property: for several data sets full of duplicate sort keys,
-- NULL emails and business names, and equal timestamps, walking every sort
-- key in both directions at limits 1, 2, 7 and 50 forward to the end and
-- then backward to the start visits exactly the rows of one plain
-- "ORDER BY key, id" query, each once and in order; the first page has no
-- cursor.before and the last no cursor.after.
\pset format unaligned

-- Walk one sort both ways; 'ok' or what went wrong. predicate is the SQL
-- equivalent of filter, for the plain query.
CREATE FUNCTION pg_temp.check_walk(order_by text, direction text, lim int,
								   filter jsonb, predicate text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	col text := CASE order_by WHEN 'NAME' THEN 'name' WHEN 'EMAIL' THEN 'email'
		WHEN 'BUSINESS_NAME' THEN 'business_name' WHEN 'STATUS' THEN 'status'
		WHEN 'CREATED_DATE_TIME' THEN 'created_at' WHEN 'UPDATED_DATE_TIME' THEN 'updated_at'
		ELSE 'id' END;
	expected text[];
	forward text[] := '{}';
	backward text[];
	page text[];
	request jsonb;
	response jsonb;
	pages int := 0;
BEGIN
	EXECUTE format('SELECT coalesce(array_agg(id ORDER BY %I %s, id %s), ''{}'') FROM customers.customer'
				   ' WHERE tenant_id = current_setting(''customers.tenant_id'') AND %s',
				   col, direction, direction, predicate) INTO expected;
	request := jsonb_build_object('limit', lim, 'filter', filter,
								  'sort', jsonb_build_object('orderBy', order_by, 'direction', direction));
	LOOP
		response := customers.query(request);
		pages := pages + 1;
		SELECT coalesce(array_agg(d ->> 'id' ORDER BY o), '{}') INTO page
		FROM jsonb_array_elements(response -> 'data') WITH ORDINALITY AS t(d, o);
		IF pages = 1 AND response -> 'cursor' ? 'before' THEN
			RETURN 'cursor.before on the first page';
		END IF;
		forward := forward || page;
		EXIT WHEN NOT response -> 'cursor' ? 'after';
		IF cardinality(page) <> lim THEN
			RETURN format('page %s has %s rows and a next page', pages, cardinality(page));
		END IF;
		IF pages > 1000 THEN
			RETURN 'no end';
		END IF;
		request := request || jsonb_build_object('cursor', response -> 'cursor' ->> 'after');
	END LOOP;
	IF forward IS DISTINCT FROM expected THEN
		RETURN format('forward walk %s differs from %s', forward, expected);
	END IF;

	backward := page;
	WHILE response -> 'cursor' ? 'before' LOOP
		request := request || jsonb_build_object('cursor', response -> 'cursor' ->> 'before');
		response := customers.query(request);
		SELECT coalesce(array_agg(d ->> 'id' ORDER BY o), '{}') INTO page
		FROM jsonb_array_elements(response -> 'data') WITH ORDINALITY AS t(d, o);
		IF cardinality(page) <> lim THEN
			RETURN format('backward page has %s rows', cardinality(page));
		END IF;
		IF (response -> 'cursor' ? 'after') IS DISTINCT FROM true THEN
			RETURN 'backward page without cursor.after';
		END IF;
		backward := page || backward;
	END LOOP;
	IF backward IS DISTINCT FROM expected THEN
		RETURN format('backward walk %s differs from %s', backward, expected);
	END IF;
	RETURN 'ok';
END
$$;

-- Every sort key x direction x limit for the current tenant
CREATE FUNCTION pg_temp.check_all(filter jsonb, predicate text)
RETURNS TABLE (walks bigint, failures text) LANGUAGE sql AS $$
	SELECT count(*), coalesce(string_agg(format('%s %s limit %s: %s', o, d, l, r), E'\n')
							  FILTER (WHERE r <> 'ok'), 'none')
	FROM unnest('{NAME,EMAIL,BUSINESS_NAME,STATUS,CREATED_DATE_TIME,UPDATED_DATE_TIME,ID}'::text[]) AS o,
		 unnest('{ASC,DESC}'::text[]) AS d,
		 unnest('{1,2,7,50}'::int[]) AS l,
		 LATERAL pg_temp.check_walk(o, d, l, filter, predicate) AS r
$$;

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
SELECT * FROM pg_temp.check_all(NULL, $$status <> 'ARCHIVED'$$);
-- the same with filters, one of them bringing archived customers back
SELECT * FROM pg_temp.check_all('{"status": {"in": ["ACTIVE", "ARCHIVED"]}}',
								$$status IN ('ACTIVE', 'ARCHIVED')$$);
SELECT * FROM pg_temp.check_all('{"name": {"contain": "e 1"}, "email": {"notEqual": "e2@example.com"}}',
								$$status <> 'ARCHIVED' AND name ILIKE '%e 1%'
								  AND (email IS NULL OR email <> 'e2@example.com')$$);

-- Data set 2: 25 customers with one name, no email and no business name
SET customers.tenant_id = 'qpage2';
SELECT customers.save(jsonb_build_object('data', (
	SELECT jsonb_agg(jsonb_build_object('name', 'Same')) FROM generate_series(1, 25)))) ->> 'result' AS saved;
SELECT * FROM pg_temp.check_all(NULL, $$status <> 'ARCHIVED'$$);

-- Data set 3: a single customer; data set 4: none
SET customers.tenant_id = 'qpage3';
SELECT customers.save('{"data": [{"name": "Only", "email": "only@example.com"}]}') ->> 'result' AS saved;
SELECT * FROM pg_temp.check_all(NULL, $$status <> 'ARCHIVED'$$);
SET customers.tenant_id = 'qpage4';
SELECT * FROM pg_temp.check_all(NULL, $$status <> 'ARCHIVED'$$);
SELECT customers.query('{}') AS empty_tenant;
