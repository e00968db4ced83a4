-- Benchmark fixtures, run once per database as the superuser that created
-- the extension (and so owns its tables). The application role bench_app
-- is what the benchmark calls the extension as: not a superuser, not the
-- owner, row level security in force; it holds USAGE on schema customers
-- and nothing on the tables.
CREATE SCHEMA bench;
GRANT USAGE ON SCHEMA customers, bench TO bench_app;

-- Customer number i in the seed's shape (seed 000, docs/api.md §9.0: every
-- field set, JSON-encoded cc/bcc lists, invoice settings, address,
-- customData). Names are "<company> <trade> <form> #<i>": the first word is
-- spread over the numbers so that name order is not insertion order. One
-- customer in 50,000 is a "Zephyrine ..." (the rare contain pattern); "Corp"
-- is the form of one in eight (the common one).
CREATE FUNCTION bench.customer(i bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object(
		'name', CASE WHEN i % 50000 = 7 THEN 'Zephyrine' ELSE
				(ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Wonka', 'Tyrell',
					   'Cyberdyne', 'Soylent', 'Hooli', 'Vandelay', 'Aperture', 'Monarch', 'Oscorp',
					   'Nakatomi', 'Dunder', 'Gekko', 'Massive', 'Virtucon', 'Sterling', 'Prestige',
					   'Bluth', 'Pendant', 'Krusty', 'Duff', 'Oceanic', 'Weyland', 'Zorg', 'Tessier',
					   'Buy n Large', 'Rekall', 'Omni', 'Spacely', 'Cogswell', 'Ajax', 'Gringotts'])
					[1 + (i * 7919) % 37] END
			|| ' ' || (ARRAY['Industries', 'Labs', 'Trading', 'Logistics', 'Holdings', 'Foods',
							 'Systems', 'Partners', 'Media', 'Energy', 'Robotics', 'Textiles',
							 'Mining', 'Pharma', 'Freight', 'Studios', 'Analytics'])[1 + (i * 104729) % 17]
			|| ' ' || (ARRAY['Corp', 'LLC', 'Inc', 'GmbH', 'Ltd', 'SA', 'Co', 'Group'])[1 + (i / 3) % 8]
			|| ' #' || i,
		'status', 'ACTIVE',
		'additionalContactName', 'Jane Smith ' || i % 997,
		'businessName', 'Business ' || i || ' Corporation LLC',
		'email', 'billing' || i || '@acme' || i % 1000 || '.com',
		'ccEmails', jsonb_build_array(format('["cc%s@acme.com"]', i)),
		'bccEmails', jsonb_build_array(format('["bcc%s@acme.com"]', i)),
		'invoiceSettings', jsonb_build_object(
			'invoicePrefix', 'INV-', 'showAdditionalContactName', true, 'showBusinessName', true,
			'showName', true, 'showEmail', true, 'showAddress', true, 'showPhoneWork', i % 2 = 0),
		'address', jsonb_build_object(
			'state', 'CA', 'city', 'San Francisco', 'zip', lpad((i % 99999)::text, 5, '0'),
			'phoneWork', '+1 415 555 ' || lpad((i % 10000)::text, 4, '0'),
			'address1', i % 9999 || ' Market Street', 'address2', 'Suite ' || i % 500),
		'customData', jsonb_build_object('internal_key', 'key_' || i, 'some_other_field', i))
$$;

-- The save request of customers first .. first + n - 1
CREATE FUNCTION bench.batch(first bigint, n int) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('data', jsonb_agg(bench.customer(i) ORDER BY i))
	FROM generate_series(first, first + n - 1) AS i
$$;

-- The query request of the benchmark's page: 50 by NAME ASC, status filter
CREATE FUNCTION bench.page_request(cursor text DEFAULT NULL) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('limit', 50, 'sort', jsonb_build_object('orderBy', 'NAME', 'direction', 'ASC'),
							  'filter', jsonb_build_object('status', jsonb_build_object('equal', 'ACTIVE')))
		   || CASE WHEN cursor IS NULL THEN '{}' ELSE jsonb_build_object('cursor', cursor) END
$$;

-- A real cursor.after token of the extension after depth rows of the page
-- request, found by walking pages of up to 1000 (the limit may change
-- between pages; the filter and sort may not). NULL for depth 0.
CREATE FUNCTION bench.cursor_at(depth bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	token text;
	done bigint := 0;
	step int;
BEGIN
	WHILE done < depth LOOP
		step := least(1000, depth - done);
		token := customers.query(bench.page_request(token) || jsonb_build_object('limit', step))
				 #>> '{cursor,after}';
		IF token IS NULL THEN
			RAISE EXCEPTION 'fewer than % rows match the page request', depth;
		END IF;
		done := done + step;
	END LOOP;
	RETURN token;
END
$$;

-- The save benchmark's batch: 100 new customers. The extension gets the
-- request; the raw INSERT gets the same rows exactly as the extension
-- stored them once (in a tenant of their own), under new ids.
CREATE TABLE bench.save_request AS SELECT bench.batch(2000000001, 100) AS request;
SET customers.tenant_id = 'bench_proto';
SELECT customers.save(request) ->> 'result' AS proto_save FROM bench.save_request;
RESET customers.tenant_id;
CREATE TABLE bench.raw_rows AS
SELECT name, email, business_name, status, version, doc - 'id' AS doc
FROM customers.customer WHERE tenant_id = 'bench_proto';
CREATE SEQUENCE bench.raw_id;
GRANT SELECT ON ALL TABLES IN SCHEMA bench TO bench_app;
