-- Helpers the later tests share. Generated ids and server times differ on
-- every run, so tests compare documents through mask(), which replaces them
-- with placeholders only when they have exactly the documented format (a
-- malformed time or id would show up in the diff).
CREATE FUNCTION mask(doc jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	k text;
	v jsonb;
	result jsonb;
BEGIN
	IF jsonb_typeof(doc) = 'array' THEN
		SELECT coalesce(jsonb_agg(mask(e) ORDER BY n), '[]')
		  INTO result FROM jsonb_array_elements(doc) WITH ORDINALITY AS t(e, n);
		RETURN result;
	ELSIF jsonb_typeof(doc) <> 'object' THEN
		RETURN doc;
	END IF;
	result := '{}';
	FOR k, v IN SELECT * FROM jsonb_each(doc) LOOP
		IF k IN ('createdDateTime', 'updatedDateTime', 'archivedDateTime', 'changedDateTime')
		   AND v #>> '{}' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$' THEN
			v := '"<time>"';
		ELSIF k IN ('id', 'customerId') AND v #>> '{}' ~ '^cus_[0-9A-HJKMNP-TV-Z]{26}$' THEN
			v := '"<generated id>"';
		ELSIF k = 'id' AND v #>> '{}' ~ '^(pm|cuu)_[0-9A-HJKMNP-TV-Z]{26}$' THEN
			v := to_jsonb(format('<generated %s_ id>', split_part(v #>> '{}', '_', 1)));
		ELSE
			v := mask(v);
		END IF;
		result := result || jsonb_build_object(k, v);
	END LOOP;
	RETURN result;
END
$$;

-- The item results of a save envelope, one row per item, masked.
CREATE FUNCTION items(envelope jsonb)
RETURNS TABLE (n bigint, result text, status int, data jsonb, error jsonb)
LANGUAGE sql IMMUTABLE AS $$
	SELECT t.n - 1, t.item ->> 'result', (t.item ->> 'statusCode')::int,
		   mask(t.item -> 'data'), t.item -> 'error'
	FROM jsonb_array_elements(envelope -> 'data') WITH ORDINALITY AS t(item, n)
	ORDER BY t.n
$$;

-- A checksum of every stored row, to show that a failed call changed nothing.
CREATE FUNCTION table_checksum() RETURNS text
LANGUAGE sql AS $$
	SELECT md5(concat_ws('/',
		(SELECT string_agg(c::text, '|' ORDER BY tenant_id, id) FROM customers.customer AS c),
		(SELECT string_agg(h::text, '|' ORDER BY tenant_id, xid, id)
		 FROM customers.event AS h),
		(SELECT string_agg(p::text, '|' ORDER BY tenant_id, customer_id, id)
		 FROM customers.payment_method AS p),
		(SELECT string_agg(u::text, '|' ORDER BY tenant_id, customer_id, id)
		 FROM customers.customer_user AS u)))
$$;

SELECT mask('{"id": "cus_01M84C2G0JTQA0YT69CK6RPX8N", "createdDateTime": "2026-11-23T14:13:36Z",
              "nested": [{"updatedDateTime": "2026-11-23 14:13:36"}], "other": {"id": "cus_1"}}');

-- Run a statement that should fail and show its SQLSTATE, message, detail
-- and hint (psql's verbose mode would also print C line numbers).
CREATE FUNCTION raises(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	state text;
	message text;
	detail text;
	hint text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
	RETURN concat_ws(E'\n', state || ': ' || message,
					 nullif('DETAIL: ' || detail, 'DETAIL: '),
					 nullif('HINT: ' || hint, 'HINT: '));
END
$$;
SELECT raises('SELECT 1/0');

-- A page of a paginated call (users, history), masked, with the names of
-- the cursors it has in place of their tokens (which differ on every run).
CREATE FUNCTION page(response jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT mask(response - 'cursor') || jsonb_build_object('cursor',
		(SELECT coalesce(jsonb_agg(k ORDER BY k), '[]') FROM jsonb_object_keys(response -> 'cursor') AS k))
$$;

-- Walk a customer's list (users or history) forward to the end, then back
-- to the start; the keys (id, or version for history) in order, or an error
-- saying what went wrong: a cursor.before on the first page, a short page
-- before the end, or a backward walk that differs from the forward one.
CREATE FUNCTION walk_list(fn text, customer text, lim int) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
	key text := CASE fn WHEN 'history' THEN 'version' ELSE 'id' END;
	forward text[] := '{}';
	backward text[];
	page text[];
	response jsonb;
	pages int := 0;
BEGIN
	EXECUTE format('SELECT customers.%I($1, $2)', fn) INTO response
		USING customer, jsonb_build_object('limit', lim);
	LOOP
		pages := pages + 1;
		SELECT coalesce(array_agg(d ->> key ORDER BY o), '{}') INTO page
		FROM jsonb_array_elements(response -> 'data') WITH ORDINALITY AS t(d, o);
		IF pages = 1 AND response -> 'cursor' ? 'before' THEN
			RAISE 'cursor.before on the first page';
		END IF;
		forward := forward || page;
		EXIT WHEN NOT response -> 'cursor' ? 'after';
		IF cardinality(page) <> lim THEN
			RAISE 'page % has % rows and a next page', pages, cardinality(page);
		END IF;
		EXECUTE format('SELECT customers.%I($1, $2)', fn) INTO response
			USING customer, jsonb_build_object('limit', lim, 'cursor', response -> 'cursor' ->> 'after');
	END LOOP;
	backward := page;
	WHILE response -> 'cursor' ? 'before' LOOP
		EXECUTE format('SELECT customers.%I($1, $2)', fn) INTO response
			USING customer, jsonb_build_object('limit', lim, 'cursor', response -> 'cursor' ->> 'before');
		SELECT coalesce(array_agg(d ->> key ORDER BY o), '{}') INTO page
		FROM jsonb_array_elements(response -> 'data') WITH ORDINALITY AS t(d, o);
		IF cardinality(page) <> lim OR NOT response -> 'cursor' ? 'after' THEN
			RAISE 'backward page of % rows, cursor %', cardinality(page), response -> 'cursor';
		END IF;
		backward := page || backward;
	END LOOP;
	IF backward IS DISTINCT FROM forward THEN
		RAISE 'backward walk % differs from forward walk %', backward, forward;
	END IF;
	RETURN forward;
END
$$;

-- The pagination property (tests 60 and 70).
-- Walk one sort both ways; 'ok' or what went wrong. predicate is the SQL
-- equivalent of filter, for the plain query.
CREATE FUNCTION check_walk(order_by text, direction text, lim int,
								   filter jsonb, predicate text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	col text := CASE order_by WHEN 'NAME' THEN 'name' WHEN 'EMAIL' THEN 'email'
		WHEN 'BUSINESS_NAME' THEN 'business_name' WHEN 'STATUS' THEN 'status'
		WHEN 'CREATED_DATE_TIME' THEN 'created_at' WHEN 'UPDATED_DATE_TIME' THEN 'updated_at'
		WHEN 'CURRENCY' THEN $e$(doc ->> 'currency')$e$
		WHEN 'COUNTRY_CODE' THEN $e$(doc -> 'address' ->> 'countryCode')$e$ ELSE 'id' END;
	expected text[];
	forward text[] := '{}';
	backward text[];
	page text[];
	request jsonb;
	response jsonb;
	pages int := 0;
BEGIN
	EXECUTE format('SELECT coalesce(array_agg(id ORDER BY %s %s, id %s), ''{}'') FROM customers.customer'
				   ' WHERE tenant_id = %L AND %s',
				   col, direction, direction, current_setting('customers.tenant_id'), predicate) INTO expected;
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
CREATE FUNCTION check_all(filter jsonb, predicate text)
RETURNS TABLE (walks bigint, failures text) LANGUAGE sql AS $$
	SELECT count(*), coalesce(string_agg(format('%s %s limit %s: %s', o, d, l, r), E'\n')
							  FILTER (WHERE r <> 'ok'), 'none')
	FROM unnest('{NAME,EMAIL,BUSINESS_NAME,STATUS,CREATED_DATE_TIME,UPDATED_DATE_TIME,ID}'::text[]) AS o,
		 unnest('{ASC,DESC}'::text[]) AS d,
		 unnest('{1,2,7,50}'::int[]) AS l,
		 LATERAL check_walk(o, d, l, filter, predicate) AS r
$$;


-- Rows of customers.customer read so far in this transaction: the access
-- path tests (63, 66, 68, 69) count what a call read.
CREATE FUNCTION customer_rows_read() RETURNS bigint LANGUAGE sql AS $$
	SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_catalog.pg_stat_xact_user_tables
	WHERE schemaname = 'customers' AND relname = 'customer'
$$;
-- A query's page (at most 20) against plain SQL's ids over the tenant's
-- customers not archived (plain: the condition and ORDER BY), and the rows
-- the call read.
CREATE FUNCTION page_against_plain(tenant text, request jsonb, plain text)
RETURNS TABLE (same boolean, rows_read bigint)
LANGUAGE plpgsql AS $$
DECLARE
	before bigint := customer_rows_read();
	got text[];
	want text[];
BEGIN
	SELECT array_agg(d ->> 'id' ORDER BY n) INTO got
	FROM jsonb_array_elements(customers.query(request) -> 'data') WITH ORDINALITY AS t(d, n);
	rows_read := customer_rows_read() - before;
	EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM customers.customer WHERE tenant_id = %L'
				   ' AND status <> ''ARCHIVED'' AND %s LIMIT 20) s', tenant, plain) INTO want;
	same := got IS NOT DISTINCT FROM want;
	RETURN NEXT;
END
$$;
