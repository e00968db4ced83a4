-- The fuzzer's database state: an application role that owns nothing and
-- may read the tables only through row level security (for the checksums),
-- and a fixture in two tenants. Run as a superuser in a fresh database.
\set ON_ERROR_STOP on
CREATE EXTENSION customers CASCADE;

DROP ROLE IF EXISTS customers_fuzz;
CREATE ROLE customers_fuzz LOGIN;
GRANT USAGE ON SCHEMA customers TO customers_fuzz;
GRANT SELECT ON ALL TABLES IN SCHEMA customers TO customers_fuzz;
-- thousands of expected errors: log them, but not their (up to 10 MB) statements
ALTER ROLE customers_fuzz SET log_min_error_statement = panic;

-- Each tenant: two labels, a segment tree, 30 customers of varied shapes
-- (some archived, some inactive, some holding segments).
CREATE FUNCTION pg_temp.fixture(tenant text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	envelope jsonb;
BEGIN
	PERFORM set_config('customers.tenant_id', tenant, false);
	envelope := customers.save_class_labels('{"data": [
		{"id": "cll_region", "name": "Region", "requiredness": "NOT_REQUIRED"},
		{"id": "cll_tier", "name": "Tier", "requiredness": "NOT_REQUIRED"}]}');
	IF envelope ->> 'result' <> 'SUCCESS' THEN
		RAISE EXCEPTION 'labels: %', envelope;
	END IF;
	envelope := customers.save_class_segments('{"data": [
		{"id": "cls_east", "label": "cll_region", "name": "East"},
		{"id": "cls_dc", "label": "cll_region", "name": "Washington DC", "parent": "cls_east"},
		{"id": "cls_ny", "label": "cll_region", "name": "New York", "parent": "cls_east"},
		{"id": "cls_west", "label": "cll_region", "name": "West"},
		{"id": "cls_gold", "label": "cll_tier", "name": "Gold"},
		{"id": "cls_leaf", "label": "cll_tier", "name": "Leaf"}]}');
	IF envelope ->> 'result' <> 'SUCCESS' THEN
		RAISE EXCEPTION 'segments: %', envelope;
	END IF;
	envelope := customers.save(jsonb_build_object('data', (
		SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
			'id', format('cus_%s_%s', tenant, n),
			'name', format('Customer %s %s', n, left(md5(n::text), 6)),
			'externalId', CASE WHEN n % 3 = 0 THEN format('ext-%s', n) END,
			'email', CASE WHEN n % 4 <> 0 THEN format('c%s@example.com', n) END,
			'businessName', CASE WHEN n % 5 <> 0 THEN format('Business %s', n % 7) END,
			'status', CASE WHEN n % 6 = 0 THEN 'INACTIVE' ELSE 'ACTIVE' END,
			'ccEmails', jsonb_build_array(format('cc%s@example.com', n)),
			'customData', jsonb_build_object('plan', CASE WHEN n % 2 = 0 THEN 'gold' ELSE 'free' END, 'n', n),
			'classSegments', CASE n % 3 WHEN 0 THEN '["cls_dc"]'::jsonb
				WHEN 1 THEN '["cls_west", "cls_gold"]'::jsonb ELSE '[]'::jsonb END))
			ORDER BY n)
		FROM generate_series(1, 30) AS n)));
	IF envelope ->> 'result' <> 'SUCCESS' THEN
		RAISE EXCEPTION 'customers: %', envelope;
	END IF;
	-- payment methods and users on a few customers
	PERFORM customers.save_payment_method(format('cus_%s_%s', tenant, n), jsonb_build_object(
		'type', 'CARD', 'isDefault', n % 2 = 0,
		'card', jsonb_build_object('brand', 'visa', 'last4', '4242', 'expMonth', 12, 'expYear', 2030)))
	FROM generate_series(1, 10) AS n;
	PERFORM customers.create_user(format('cus_%s_%s', tenant, n), jsonb_build_object(
		'email', format('user%s@example.com', n), 'firstName', 'User', 'lastName', n::text))
	FROM generate_series(1, 10) AS n;
	PERFORM customers.archive(format('cus_%s_%s', tenant, n)) FROM generate_series(5, 30, 7) AS n;
END
$$;

SELECT pg_temp.fixture('fuzz');
SELECT pg_temp.fixture('fuzz_other');
RESET customers.tenant_id;

-- The big tenant (issue 15): scripts/reliability.sh then saves
-- FUZZ_TENANT_ROWS (100,000) more customers into tenant fuzz, batch by batch
-- through customers.save (bench/common.sh's bench_load), so that every call
-- of the fuzzer runs against a tenant of that size. Their ids lie in the
-- range below, which the per-call snapshot leaves out (it reads index ranges
-- around it), and so do their events, by the load's transaction ids.
CREATE FUNCTION public.fuzz_bulk_customer(n bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object(
		'id', 'cus_zbulk_' || lpad(n::text, 7, '0'),
		'name', (ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Wonka', 'Tyrell',
					   'Hooli', 'Vandelay', 'Zürich Bank', 'Ab Øl', 'Nakatomi'])[1 + (n * 7919) % 13]
			|| ' ' || left(md5(n::text), (2 + n % 5)::int) || ' #' || n,
		'externalId', CASE WHEN n % 3 = 0 THEN 'bulk-' || n END,
		'email', CASE WHEN n % 4 <> 0 THEN format('b%s@%s.example.com', n, left(md5(n::text), 3)) END,
		'businessName', CASE WHEN n % 5 <> 0 THEN format('Business %s', n % 1000) END,
		'status', CASE WHEN n % 50 = 0 THEN 'INACTIVE' ELSE 'ACTIVE' END,
		'currency', (ARRAY['USD', 'EUR', 'GBP', NULL])[1 + n % 4],
		'address', jsonb_build_object('city', 'City ' || n % 97,
			'countryCode', (ARRAY['USA', 'FRA', 'CAN', 'NOR'])[1 + n % 4]),
		'customData', jsonb_build_object('plan', CASE WHEN n % 100 = 0 THEN 'gold' ELSE 'free' END,
			'n', n, 'tags', jsonb_build_array('t' || n % 7)),
		'classSegments', CASE n % 10 WHEN 0 THEN '["cls_dc"]'::jsonb
			WHEN 1 THEN '["cls_west", "cls_gold"]'::jsonb WHEN 2 THEN '["cls_ny"]'::jsonb END))
$$;

-- The save request of bulk customers first .. first + n - 1 (bench_load's batch)
CREATE FUNCTION public.fuzz_bulk_batch(first bigint, n int) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('data', jsonb_agg(public.fuzz_bulk_customer(i) ORDER BY i))
	FROM generate_series(first, first + n - 1) AS i
$$;
GRANT EXECUTE ON FUNCTION public.fuzz_bulk_batch(bigint, int) TO customers_fuzz;

-- The load's events: their transaction ids, recorded after the load
CREATE TABLE public.fuzz_bulk_events (low xid8, high xid8);
INSERT INTO public.fuzz_bulk_events VALUES ('0', '0');

-- Called once after the load
CREATE FUNCTION public.fuzz_bulk_loaded() RETURNS bigint LANGUAGE sql AS $$
	UPDATE public.fuzz_bulk_events SET (low, high) = (
		SELECT coalesce(min(xid), '0'), coalesce(max(xid), '0') FROM customers.event
		WHERE tenant_id = 'fuzz' AND customer_id >= 'cus_zbulk_' AND customer_id < 'cus_zbulk~');
	SELECT count(*) FROM customers.customer
	WHERE tenant_id = 'fuzz' AND id >= 'cus_zbulk_' AND id < 'cus_zbulk~';
$$;

-- Every row of every tenant as (owner, row version), but the big tenant's
-- bulk customers and their rows (reading those after every call would cost
-- more than the call): index ranges of each table's key around them. The
-- owner is the tenant and the object a row belongs to, so a partly failed
-- batch can be checked row by row and a write to another tenant is seen;
-- the version is the row's ctid, which every write changes (a rolled back
-- one restores it). It runs as its owner, a superuser, to see past row
-- level security. A table added to the extension gets one more arm here.
-- plpgsql keeps the plan, so this costs little.
CREATE FUNCTION public.fuzz_snapshot(OUT owner text, OUT version text)
RETURNS SETOF record LANGUAGE plpgsql STABLE SECURITY DEFINER
-- no parallel plan: starting workers for 300 rows took 270 ms a call
SET search_path = pg_catalog, pg_temp SET max_parallel_workers_per_gather = 0 AS $$
DECLARE
	low xid8;
	high xid8;
BEGIN
	SELECT b.low, b.high INTO low, high FROM public.fuzz_bulk_events b;
	RETURN QUERY
	SELECT c.tenant_id || '/customer:' || c.id, c.ctid::text FROM customers.customer c
		WHERE c.tenant_id < 'fuzz' OR c.tenant_id > 'fuzz'
			OR (c.tenant_id = 'fuzz' AND (c.id < 'cus_zbulk_' OR c.id >= 'cus_zbulk~'))
	UNION ALL SELECT s.tenant_id || '/customer:' || s.customer_id, s.ctid::text
		FROM customers.customer_segment s
		WHERE s.tenant_id < 'fuzz' OR s.tenant_id > 'fuzz'
			OR (s.tenant_id = 'fuzz' AND (s.customer_id < 'cus_zbulk_' OR s.customer_id >= 'cus_zbulk~'))
	UNION ALL SELECT l.tenant_id || '/class_label:' || l.id, l.ctid::text FROM customers.class_label l
	UNION ALL SELECT s.tenant_id || '/class_segment:' || s.id, s.ctid::text
		FROM customers.class_segment s
	UNION ALL SELECT h.tenant_id || '/' || CASE WHEN h.customer_id IS NOT NULL
			THEN 'customer:' || h.customer_id
			ELSE split_part(h.type, '.', 1) || ':' || h.object_id END, h.ctid::text
		FROM customers.event h
		WHERE h.tenant_id < 'fuzz' OR h.tenant_id > 'fuzz'
			OR (h.tenant_id = 'fuzz' AND (h.xid < low OR h.xid > high))
	UNION ALL SELECT m.tenant_id || '/customer:' || m.customer_id, m.ctid::text
		FROM customers.payment_method m
	UNION ALL SELECT u.tenant_id || '/customer:' || u.customer_id, u.ctid::text
		FROM customers.customer_user u
	ORDER BY 1, 2;
END
$$;
REVOKE ALL ON FUNCTION public.fuzz_snapshot() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.fuzz_snapshot() TO customers_fuzz;
