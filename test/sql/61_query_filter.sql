-- customers.query filters: every operator on every field, alone and
-- combined; archived customers; RFC 3339 timestamps; invalid filters and
-- requests (all 22023). Each case prints the ids (without "cus_") of all
-- matching customers in id order, or "-" for none.
\pset format unaligned
SET customers.tenant_id = 'qfilter';

-- The data set. By id (C order of names in brackets where it matters):
--   f01 Acme Corp        billing@acme.com  Acme Corporation ext-01 ACTIVE
--   f02 acme corp        Sales@ACME.com    -                ext-02 INACTIVE
--   f03 Beta 50% Off     -                 Beta LLC         -      ACTIVE
--   f04 Beta 50 Percent  info@beta.de      beta llc         ext-04 ACTIVE
--   f05 Gamma_Delta      g@gamma.io        -                -      INACTIVE
--   f06 GammaXDelta      X@Gamma.io        Gamma Inc        EXT-06 ACTIVE
--   f07 Acme Corp        Billing@Acme.com  Acme Corporation ext-07 ACTIVE
--   f08 Zeta             z@zeta.org        Zeta Ltd         ext-08 ARCHIVED (saved so)
--   f09 Omega            -                 -                ext-09 INACTIVE, then archived
--   f10 O'Brien & Sons   ob@obrien.ie      -                ext-10 ACTIVE
--   f11 Path\To 100%     p@path.co         _under           ext_11 INACTIVE
SELECT i.result, i.status, count(*) FROM items(customers.save($${"data": [
	{"id": "cus_f01", "name": "Acme Corp", "email": "billing@acme.com", "businessName": "Acme Corporation",
	 "externalId": "ext-01", "customData": {"tier": "gold", "region": {"country": "US", "zone": "east"}, "tags": ["a", "b"]}},
	{"id": "cus_f02", "name": "acme corp", "email": "Sales@ACME.com", "externalId": "ext-02", "status": "INACTIVE",
	 "customData": {"tier": "silver", "region": {"country": "US", "zone": "west"}}},
	{"id": "cus_f03", "name": "Beta 50% Off", "businessName": "Beta LLC",
	 "customData": {"tier": "gold", "region": {"country": "DE"}}},
	{"id": "cus_f04", "name": "Beta 50 Percent", "email": "info@beta.de", "businessName": "beta llc", "externalId": "ext-04"},
	{"id": "cus_f05", "name": "Gamma_Delta", "email": "g@gamma.io", "status": "INACTIVE", "customData": {"tier": "bronze"}},
	{"id": "cus_f06", "name": "GammaXDelta", "email": "X@Gamma.io", "businessName": "Gamma Inc", "externalId": "EXT-06",
	 "customData": {"region": {"country": "US", "zone": "east", "city": "NYC"}}},
	{"id": "cus_f07", "name": "Acme Corp", "email": "Billing@Acme.com", "businessName": "Acme Corporation",
	 "externalId": "ext-07", "customData": {"tier": "gold", "region": {"country": "US"}}},
	{"id": "cus_f08", "name": "Zeta", "email": "z@zeta.org", "businessName": "Zeta Ltd", "externalId": "ext-08",
	 "status": "ARCHIVED", "customData": {"tier": "gold"}},
	{"id": "cus_f09", "name": "Omega", "externalId": "ext-09", "status": "INACTIVE",
	 "customData": {"tier": "gold", "region": {"country": "US", "zone": "east"}}},
	{"id": "cus_f10", "name": "O'Brien & Sons", "email": "ob@obrien.ie", "externalId": "ext-10",
	 "customData": {"note": "x' OR 1=1 --"}},
	{"id": "cus_f11", "name": "Path\\To 100%", "email": "p@path.co", "businessName": "_under", "externalId": "ext_11",
	 "status": "INACTIVE", "customData": {"tier": "GOLD"}}]}$$)) AS i GROUP BY 1, 2;
SELECT pg_sleep(1); -- so f09's archive time is a second after its creation
SELECT customers.archive('cus_f09') ->> 'status' AS f09_status;

CREATE FUNCTION pg_temp.ids(filter jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(substr(d ->> 'id', 5), ',' ORDER BY n), '-')
	FROM jsonb_array_elements(customers.query(jsonb_build_object('filter', filter,
		'sort', '{"orderBy": "ID"}'::jsonb, 'limit', 1000)) -> 'data') WITH ORDINALITY AS t(d, n)
$$;

-- No filter, and an empty one: every customer but the archived f08 and f09
SELECT pg_temp.ids(NULL) AS no_filter, pg_temp.ids('{}') AS empty_filter;

-- name: equal is exact (case and all); contain ignores case, % _ \ literal
SELECT f AS filter, pg_temp.ids(f::jsonb) AS ids FROM (VALUES
	('{"name": {"equal": "Acme Corp"}}'),
	('{"name": {"equal": "acme corp"}}'),
	('{"name": {"equal": "O''Brien & Sons"}}'),
	('{"name": {"equal": "Zeta"}}'),
	('{"name": {"notEqual": "Acme Corp"}}'),
	('{"name": {"greaterThan": "Gamma_Delta"}}'),
	('{"name": {"greaterThanEqual": "Gamma_Delta"}}'),
	('{"name": {"lessThan": "Beta 50% Off"}}'),
	('{"name": {"lessThanEqual": "Beta 50% Off"}}'),
	('{"name": {"contain": "acme"}}'),
	('{"name": {"contain": "ACME CORP"}}'),
	('{"name": {"contain": "50%"}}'),
	('{"name": {"contain": "%"}}'),
	('{"name": {"contain": "a_d"}}'),
	('{"name": {"contain": "_"}}'),
	('{"name": {"contain": "h\\T"}}'),
	('{"name": {"contain": "zeta"}}'),
	('{"name": {"in": ["Acme Corp", "Omega", "nobody"]}}'),
	('{"name": {"in": []}}'),
	('{"name": {"notIn": ["Acme Corp", "acme corp"]}}'),
	('{"name": {"notIn": []}}')) AS c(f);

-- email: compared lower-cased (values too); notEqual/notIn match NULL emails
SELECT f AS filter, pg_temp.ids(f::jsonb) AS ids FROM (VALUES
	('{"email": {"equal": "BILLING@ACME.COM"}}'),
	('{"email": {"equal": "sales@acme.com"}}'),
	('{"email": {"notEqual": "billing@acme.com"}}'),
	('{"email": {"greaterThan": "Info@Beta.de"}}'),
	('{"email": {"greaterThanEqual": "INFO@beta.de"}}'),
	('{"email": {"lessThan": "G@gamma.io"}}'),
	('{"email": {"lessThanEqual": "g@GAMMA.io"}}'),
	('{"email": {"contain": "ACME"}}'),
	('{"email": {"contain": "@gamma."}}'),
	('{"email": {"in": ["SALES@acme.com", "p@path.co", "z@zeta.org"]}}'),
	('{"email": {"in": []}}'),
	('{"email": {"notIn": ["billing@acme.com", "X@GAMMA.IO"]}}'),
	('{"email": {"notIn": []}}')) AS c(f);
-- the documents keep the email as given
SELECT d ->> 'email' AS f02_email
FROM jsonb_array_elements(customers.query('{"filter": {"email": {"equal": "SALES@ACME.COM"}}}') -> 'data') AS d;

-- businessName: exact comparisons, NULLs match notEqual/notIn only
SELECT f AS filter, pg_temp.ids(f::jsonb) AS ids FROM (VALUES
	('{"businessName": {"equal": "Beta LLC"}}'),
	('{"businessName": {"notEqual": "Acme Corporation"}}'),
	('{"businessName": {"greaterThan": "Gamma Inc"}}'),
	('{"businessName": {"greaterThanEqual": "Gamma Inc"}}'),
	('{"businessName": {"lessThan": "Beta LLC"}}'),
	('{"businessName": {"lessThanEqual": "Beta LLC"}}'),
	('{"businessName": {"contain": "beta LLC"}}'),
	('{"businessName": {"contain": "_"}}'),
	('{"businessName": {"in": ["Gamma Inc", "Zeta Ltd"]}}'),
	('{"businessName": {"in": []}}'),
	('{"businessName": {"notIn": ["Acme Corporation", "Beta LLC"]}}'),
	('{"businessName": {"notIn": []}}')) AS c(f);

-- externalId: exact (EXT-06 is not ext-06), contain ignores case
SELECT f AS filter, pg_temp.ids(f::jsonb) AS ids FROM (VALUES
	('{"externalId": {"equal": "ext-01"}}'),
	('{"externalId": {"equal": "ext-06"}}'),
	('{"externalId": {"notEqual": "ext-01"}}'),
	('{"externalId": {"greaterThan": "ext-04"}}'),
	('{"externalId": {"greaterThanEqual": "ext-04"}}'),
	('{"externalId": {"lessThan": "ext-02"}}'),
	('{"externalId": {"lessThanEqual": "ext-02"}}'),
	('{"externalId": {"contain": "EXT-0"}}'),
	('{"externalId": {"contain": "_"}}'),
	('{"externalId": {"in": ["ext-01", "ext-09", "EXT-06"]}}'),
	('{"externalId": {"in": []}}'),
	('{"externalId": {"notIn": ["ext-01", "ext-02"]}}'),
	('{"externalId": {"notIn": []}}')) AS c(f);

-- status: archived customers only when some status value is ARCHIVED
SELECT f AS filter, pg_temp.ids(f::jsonb) AS ids FROM (VALUES
	('{"status": {"equal": "ACTIVE"}}'),
	('{"status": {"equal": "INACTIVE"}}'),
	('{"status": {"equal": "ARCHIVED"}}'),
	('{"status": {"notEqual": "ACTIVE"}}'),
	('{"status": {"notEqual": "ARCHIVED"}}'),
	('{"status": {"greaterThan": "ACTIVE"}}'),
	('{"status": {"greaterThanEqual": "ARCHIVED"}}'),
	('{"status": {"lessThan": "INACTIVE"}}'),
	('{"status": {"lessThanEqual": "ARCHIVED"}}'),
	('{"status": {"in": ["ACTIVE"]}}'),
	('{"status": {"in": ["INACTIVE", "ARCHIVED"]}}'),
	('{"status": {"in": []}}'),
	('{"status": {"notIn": ["ACTIVE"]}}'),
	('{"status": {"notIn": ["ARCHIVED"]}}'),
	('{"status": {"equal": "ARCHIVED"}, "name": {"equal": "Zeta"}}'),
	('{"status": {"in": ["ARCHIVED", "ACTIVE"]}, "name": {"lessThan": "P"}}')) AS c(f);

-- id: in and notIn
SELECT f AS filter, pg_temp.ids(f::jsonb) AS ids FROM (VALUES
	('{"id": {"in": ["cus_f01", "cus_f08", "cus_f10", "cus_nope"]}}'),
	('{"id": {"in": ["cus_f01", "cus_f08"]}, "status": {"in": ["ACTIVE", "ARCHIVED"]}}'),
	('{"id": {"in": []}}'),
	('{"id": {"notIn": ["cus_f01", "cus_f02"]}}'),
	('{"id": {"notIn": []}}')) AS c(f);
-- 1000 values are allowed
SELECT pg_temp.ids(jsonb_build_object('id', jsonb_build_object('in',
	(SELECT jsonb_agg('cus_f' || lpad(g::text, 2, '0')) FROM generate_series(1, 1000) AS g)))) AS in_1000;

-- customData: JSON containment (nested objects, arrays, case-sensitive)
SELECT f AS filter, pg_temp.ids(f::jsonb) AS ids FROM (VALUES
	('{"customData": {"contains": {"tier": "gold"}}}'),
	('{"customData": {"contains": {"region": {"country": "US"}}}}'),
	('{"customData": {"contains": {"region": {"country": "US", "zone": "east"}}}}'),
	('{"customData": {"contains": {"region": {"country": "US", "zone": "east"}}}, "status": {"in": ["ACTIVE", "INACTIVE", "ARCHIVED"]}}'),
	('{"customData": {"contains": {"tier": "gold", "region": {"country": "DE"}}}}'),
	('{"customData": {"contains": {"tags": ["a"]}}}'),
	('{"customData": {"contains": {"note": "x'' OR 1=1 --"}}}'),
	('{"customData": {"contains": {"tier": "platinum"}}}'),
	('{"customData": {"contains": {}}}')) AS c(f);

-- several fields (AND), several operators on one field (AND)
SELECT f AS filter, pg_temp.ids(f::jsonb) AS ids FROM (VALUES
	('{"name": {"contain": "acme"}, "status": {"equal": "ACTIVE"}}'),
	('{"name": {"contain": "acme"}, "email": {"equal": "billing@acme.com"}, "customData": {"contains": {"region": {"country": "US"}}}}'),
	('{"businessName": {"notEqual": "Acme Corporation"}, "email": {"notEqual": "g@gamma.io"}, "externalId": {"notIn": ["ext-10"]}}'),
	('{"name": {"equal": "Acme Corp"}, "status": {"equal": "INACTIVE"}}'),
	('{"name": {"greaterThanEqual": "B", "lessThan": "H"}}'),
	('{"name": {"contain": "gamma", "notEqual": "GammaXDelta"}}'),
	('{"email": {"in": ["billing@acme.com", "sales@acme.com"], "notEqual": "SALES@acme.com"}}'),
	('{"id": {"in": ["cus_f01", "cus_f02", "cus_f03"], "notIn": ["cus_f02"]}}'),
	('{"externalId": {"greaterThan": "ext-01", "lessThanEqual": "ext-07", "notEqual": "ext-04"}}')) AS c(f);

-- SQL-looking values are plain values
SELECT f AS filter, pg_temp.ids(f::jsonb) AS ids FROM (VALUES
	('{"name": {"equal": "x'' OR 1=1 --"}}'),
	('{"name": {"contain": "''; DROP TABLE customers.customer; --"}}'),
	('{"email": {"in": ["'') OR (''1''=''1"]}}'),
	('{"externalId": {"notEqual": "x\" OR 1=1"}, "name": {"equal": "O''Brien & Sons"}}')) AS c(f);

-- Times. Documents show them to the second, and filters compare them as
-- shown. All were created by one statement in second t0; f09 was archived a
-- second later, and now f03 and f06 are changed a second after that, so
-- only their updatedDateTime is after t0.
SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t0,
	   to_char(date_trunc('second', created_at AT TIME ZONE 'UTC') + interval '0.5 seconds',
			   'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t0_plus_half,
	   to_char(date_trunc('second', created_at AT TIME ZONE 'UTC') - interval '0.5 seconds',
			   'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t0_minus_half,
	   to_char(created_at AT TIME ZONE 'UTC' + interval '2 hours', 'YYYY-MM-DD"T"HH24:MI:SS"+02:00"') AS t0_plus2
FROM customers.customer WHERE tenant_id = 'qfilter' AND id = 'cus_f01' \gset
SELECT customers.get('cus_f01') ->> 'createdDateTime' = :'t0' AS t0_is_the_shown_time;
SELECT count(DISTINCT created_at) AS creation_times FROM customers.customer WHERE tenant_id = 'qfilter';
SELECT pg_sleep(1);
SELECT customers.patch('cus_f03', '{"additionalContactName": "Pat"}') -> 'version' AS f03_version,
	   customers.patch('cus_f06', '{"additionalContactName": "Sam"}') -> 'version' AS f06_version;
SELECT table_checksum() AS checksum_before \gset
CREATE FUNCTION pg_temp.rfc(ts timestamptz, fmt text) RETURNS text LANGUAGE sql AS $$
	SELECT to_char(ts AT TIME ZONE 'UTC', fmt)
$$;
SELECT label, pg_temp.ids(format('{"%s": {"%s": "%s"}}', field, op, ts)::jsonb) AS ids FROM (VALUES
	('created >  now+1h (Z)', 'createdDateTime', 'greaterThan', pg_temp.rfc(now() + interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
	('created <  now+1h (Z)', 'createdDateTime', 'lessThan', pg_temp.rfc(now() + interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
	('created >  now-1h (+02:00)', 'createdDateTime', 'greaterThan', pg_temp.rfc(now() + interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS"+02:00"')),
	('created <= now-1h (-05:30)', 'createdDateTime', 'lessThanEqual', pg_temp.rfc(now() - interval '6 hours 30 minutes', 'YYYY-MM-DD"T"HH24:MI:SS"-05:30"')),
	('created >= now+1h (+02:00)', 'createdDateTime', 'greaterThanEqual', pg_temp.rfc(now() + interval '3 hours', 'YYYY-MM-DD"T"HH24:MI:SS"+02:00"')),
	('updated <  now+1h (.US Z)', 'updatedDateTime', 'lessThan', pg_temp.rfc(now() + interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
	('updated >= now+1h (.5+00:00)', 'updatedDateTime', 'greaterThanEqual', pg_temp.rfc(now() + interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS".5+00:00"')),
	('updated <= now-1d (.123Z)', 'updatedDateTime', 'lessThanEqual', pg_temp.rfc(now() - interval '1 day', 'YYYY-MM-DD"T"HH24:MI:SS".123Z"')),
	('updated >  2000 (.000001Z)', 'updatedDateTime', 'greaterThan', '2000-01-01T00:00:00.000001Z'),
	('created >= t0', 'createdDateTime', 'greaterThanEqual', :'t0'),
	('created >  t0', 'createdDateTime', 'greaterThan', :'t0'),
	('created <= t0', 'createdDateTime', 'lessThanEqual', :'t0'),
	('created <  t0', 'createdDateTime', 'lessThan', :'t0'),
	('created <= t0 (+02:00)', 'createdDateTime', 'lessThanEqual', :'t0_plus2'),
	('created <  t0 (+02:00)', 'createdDateTime', 'lessThan', :'t0_plus2'),
	('created >= t0 + 0.5 s', 'createdDateTime', 'greaterThanEqual', :'t0_plus_half'),
	('created <  t0 + 0.5 s', 'createdDateTime', 'lessThan', :'t0_plus_half'),
	('created >  t0 - 0.5 s', 'createdDateTime', 'greaterThan', :'t0_minus_half'),
	('created <= t0 - 0.5 s', 'createdDateTime', 'lessThanEqual', :'t0_minus_half'),
	('updated >  t0', 'updatedDateTime', 'greaterThan', :'t0'),
	('updated <= t0', 'updatedDateTime', 'lessThanEqual', :'t0'),
	('updated >  t0 (+02:00)', 'updatedDateTime', 'greaterThan', :'t0_plus2')) AS c(label, field, op, ts);
SELECT pg_temp.ids(format('{"updatedDateTime": {"greaterThan": "%s"}, "status": {"in": ["ACTIVE", "INACTIVE", "ARCHIVED"]}}', :'t0')::jsonb) AS updated_after_t0_all,
	   pg_temp.ids(format('{"createdDateTime": {"greaterThan": "%s", "lessThan": "%s"}, "name": {"contain": "acme"}}',
						  pg_temp.rfc(now() - interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
						  pg_temp.rfc(now() + interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))::jsonb) AS created_within_1h_acme;

-- Invalid filters and requests: 22023 with a message and a hint
SELECT r AS request, raises(format('SELECT customers.query(%L)', r)) AS error FROM (VALUES
	('{"filter": {"nickname": {"equal": "x"}}}'),
	('{"filter": {"name": {"like": "x"}}}'),
	('{"filter": {"status": {"contain": "ACT"}}}'),
	('{"filter": {"id": {"equal": "cus_f01"}}}'),
	('{"filter": {"name": {"contains": {"a": 1}}}}'),
	('{"filter": {"createdDateTime": {"equal": "2023-11-07T05:31:56Z"}}}'),
	('{"filter": {"customData": {"equal": {}}}}'),
	('{"filter": {"name": "Acme Corp"}}'),
	('{"filter": {"name": {"equal": 5}}}'),
	('{"filter": {"name": {"equal": null}}}'),
	('{"filter": {"name": {"in": "Acme Corp"}}}'),
	('{"filter": {"email": {"in": ["a@b.co", 5]}}}'),
	('{"filter": {"createdDateTime": {"greaterThan": {}}}}'),
	('{"filter": {"status": {"equal": "active"}}}'),
	('{"filter": {"status": {"in": ["ACTIVE", "DELETED"]}}}'),
	('{"filter": {"createdDateTime": {"greaterThan": "2023-13-01T00:00:00Z"}}}'),
	('{"filter": {"createdDateTime": {"lessThan": "2023-02-30T00:00:00Z"}}}'),
	('{"filter": {"updatedDateTime": {"greaterThan": "yesterday"}}}'),
	('{"filter": {"updatedDateTime": {"lessThanEqual": "2023-11-07 05:31:56"}}}'),
	('{"filter": {"customData": {"contains": "gold"}}}'),
	('{"filter": {"customData": {"contains": ["gold"]}}}'),
	('{"filter": []}'),
	('{"filter": "name"}'),
	('{"filter": {"classSegments": {"id": {"in": "cls_1"}}}}'),
	('{"limit": 0}'),
	('{"limit": 1001}'),
	('{"limit": 1.5}'),
	('{"limit": "10"}'),
	('{"sort": {"orderBy": "FOO"}}'),
	('{"sort": {"orderBy": "NAME", "direction": "UP"}}'),
	('{"where": {"name": {"equal": "x"}}}'),
	('[]'),
	('"name"')) AS c(r);
SELECT raises('SELECT customers.query(NULL)') AS null_request;
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('filter', jsonb_build_object('id',
	jsonb_build_object('notIn', (SELECT jsonb_agg('cus_' || g) FROM generate_series(1, 1001) AS g)))))) AS in_1001;

-- query changed nothing
SELECT table_checksum() = :'checksum_before' AS unchanged;
