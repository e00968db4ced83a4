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

-- Every row of every tenant as (owner, row version). The owner is the
-- tenant and the object a row belongs to, so a partly failed batch can be
-- checked row by row and a write to another tenant is seen; the version is
-- the row's ctid, which every write changes (a rolled back one restores it).
-- It runs as its owner, a superuser, to see past row level security. A
-- table added to the extension gets one more arm here. plpgsql keeps the
-- plan, so this costs little.
CREATE FUNCTION public.fuzz_snapshot(OUT owner text, OUT version text)
RETURNS SETOF record LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN QUERY
	SELECT c.tenant_id || '/customer:' || c.id, c.ctid::text FROM customers.customer c
	UNION ALL SELECT s.tenant_id || '/customer:' || s.customer_id, s.ctid::text
		FROM customers.customer_segment s
	UNION ALL SELECT l.tenant_id || '/class_label:' || l.id, l.ctid::text FROM customers.class_label l
	UNION ALL SELECT s.tenant_id || '/class_segment:' || s.id, s.ctid::text
		FROM customers.class_segment s
	UNION ALL SELECT h.tenant_id || '/' || CASE WHEN h.customer_id IS NOT NULL
			THEN 'customer:' || h.customer_id
			ELSE split_part(h.type, '.', 1) || ':' || h.object_id END, h.ctid::text
		FROM customers.event h
	UNION ALL SELECT m.tenant_id || '/customer:' || m.customer_id, m.ctid::text
		FROM customers.payment_method m
	UNION ALL SELECT u.tenant_id || '/customer:' || u.customer_id, u.ctid::text
		FROM customers.customer_user u
	ORDER BY 1, 2;
END
$$;
REVOKE ALL ON FUNCTION public.fuzz_snapshot() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.fuzz_snapshot() TO customers_fuzz;
