-- Fixtures of the filter x sort matrix (bench/matrix.sh), run once per
-- database as the superuser that created the extension. Customer i's
-- fields are drawn from permutations of 0..999,999 (u(i, m) below), one per
-- field, so that no field follows another or the insertion order, and each
-- field has values at fixed shares of the rows:
--
--   name          "<company> <trade> <form> #i": "Zephyrine" 0.01 %, "Quokka" 1 %, "Corp" 30 %
--   email         5 % none; domain rare.test 0.01 %, one.example 1 %, thirty.example 30 %
--   businessName  20 % none
--   externalId    10 % none, else unique
--   status        INACTIVE 0.2 %, ARCHIVED 0.01 % (archived after the load), else ACTIVE
--   customData    {"plan": platinum 0.01 % | gold 1 % | silver 30 % | bronze, "seats": n,
--                  "renewal": an RFC 3339 time, "tags": [..]}
--   address.city  one of 12, some with accents
--   currency      10 % none; CHF 0.01 %, GBP 1 %, EUR 30 %, else USD
--   address.countryCode  NOR 0.01 %, CAN 1 %, FRA 30 %, else USA
--   taxIds        20 % none; else an "other" id unique to the customer, and a
--                 second one shared: SHARED1 by 1 %, SHARED30 by 30 %
CREATE SCHEMA IF NOT EXISTS matrix;
GRANT USAGE ON SCHEMA customers, matrix TO bench_app;

-- a permutation of 0..999,999 (m odd and prime to 5)
CREATE FUNCTION matrix.u(i bigint, m bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT (i * m + 12345) % 1000000 $$;

CREATE FUNCTION matrix.customer(i bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object(
		'name', CASE WHEN matrix.u(i, 69069) < 100 THEN 'Zephyrine' ELSE
				(ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Wonka', 'Tyrell',
					   'Cyberdyne', 'Soylent', 'Hooli', 'Vandelay', 'Aperture', 'Monarch', 'Oscorp',
					   'Nakatomi', 'Dunder', 'Gekko', 'Massive', 'Virtucon', 'Sterling', 'Prestige',
					   'Bluth', 'Pendant', 'Krusty', 'Duff', 'Oceanic', 'Weyland', 'Zorg', 'Tessier',
					   'Buy n Large', 'Rekall', 'Omni', 'Spacely', 'Cogswell', 'Ajax', 'Gringotts'])
					[1 + matrix.u(i, 2654435761) % 37] END
			|| ' ' || CASE WHEN matrix.u(i, 48271) < 10000 THEN 'Quokka' ELSE
				(ARRAY['Industries', 'Labs', 'Trading', 'Logistics', 'Holdings', 'Foods',
					   'Systems', 'Partners', 'Media', 'Energy', 'Robotics', 'Textiles',
					   'Mining', 'Pharma', 'Freight', 'Studios', 'Analytics'])[1 + matrix.u(i, 16807) % 17] END
			|| ' ' || CASE WHEN matrix.u(i, 7919) < 300000 THEN 'Corp' ELSE
				(ARRAY['LLC', 'Inc', 'GmbH', 'Ltd', 'SA', 'Co', 'Group'])[1 + matrix.u(i, 104729) % 7] END
			|| ' #' || i,
		'status', CASE WHEN matrix.u(i, 1299709) < 2000 THEN 'INACTIVE' ELSE 'ACTIVE' END,
		'email', CASE WHEN matrix.u(i, 15485863) < 50000 THEN NULL ELSE
			'user' || matrix.u(i, 32452843) || '@' ||
			CASE WHEN matrix.u(i, 49979687) < 100 THEN 'rare.test'
				 WHEN matrix.u(i, 49979687) < 10100 THEN 'one.example'
				 WHEN matrix.u(i, 49979687) < 310100 THEN 'thirty.example'
				 ELSE 'mail' || matrix.u(i, 49979687) % 50 || '.example' END END,
		'businessName', CASE WHEN matrix.u(i, 86028121) < 200000 THEN NULL ELSE
			'Business ' || matrix.u(i, 67867967) || ' Ltd' END,
		'externalId', CASE WHEN matrix.u(i, 122949829) < 100000 THEN NULL ELSE
			'ext_' || lpad(matrix.u(i, 141650939)::text, 6, '0') END,
		'address', jsonb_build_object('city',
			(ARRAY['San Francisco', 'München', 'Zürich', 'São Paulo', 'Montréal', 'Kraków',
				   'Paris', 'Berlin', 'Tokyo', 'Lagos', 'Austin', 'Reykjavík'])[1 + matrix.u(i, 179424673) % 12],
			'countryCode', CASE WHEN matrix.u(i, 275604541) < 100 THEN 'NOR'
								WHEN matrix.u(i, 275604541) < 10100 THEN 'CAN'
								WHEN matrix.u(i, 275604541) < 310100 THEN 'FRA' ELSE 'USA' END),
		'currency', CASE WHEN matrix.u(i, 295075153) < 100000 THEN NULL
						 WHEN matrix.u(i, 295075153) < 100100 THEN 'CHF'
						 WHEN matrix.u(i, 295075153) < 110100 THEN 'GBP'
						 WHEN matrix.u(i, 295075153) < 410100 THEN 'EUR' ELSE 'USD' END,
		'taxIds', CASE WHEN matrix.u(i, 314606869) < 200000 THEN NULL ELSE
			jsonb_build_array(jsonb_build_object('type', 'other', 'value', 'T' || matrix.u(i, 334214467)))
			|| CASE WHEN matrix.u(i, 314606869) < 210000 THEN '[{"type": "other", "value": "SHARED1"}]'::jsonb
					WHEN matrix.u(i, 314606869) < 510000 THEN '[{"type": "other", "value": "SHARED30"}]'::jsonb
					ELSE '[]'::jsonb END END,
		'customData', jsonb_build_object(
			'plan', CASE WHEN matrix.u(i, 198491317) < 100 THEN 'platinum'
						 WHEN matrix.u(i, 198491317) < 10100 THEN 'gold'
						 WHEN matrix.u(i, 198491317) < 310100 THEN 'silver' ELSE 'bronze' END,
			'seats', matrix.u(i, 217645177) % 100000,
			'renewal', to_char(timestamptz '2027-01-01 00:00:00+00'
							   + matrix.u(i, 236887691) * interval '30 seconds', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
			'tags', jsonb_build_array('t' || matrix.u(i, 256203221) % 100))))
$$;

CREATE FUNCTION matrix.batch(first bigint, n int) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('data', jsonb_agg(matrix.customer(i) ORDER BY i))
	FROM generate_series(first, first + n - 1) AS i
$$;
