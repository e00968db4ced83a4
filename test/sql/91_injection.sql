-- An SQL injection corpus through every string value, field name, filter
-- field and operator, sort key, cursor, id and tenant: a value is data (stored
-- and found exactly as given), a name is refused with 22023 naming it, and
-- nothing else happens to any table.
\pset format unaligned
CREATE TEMP TABLE corpus (n int PRIMARY KEY, s text NOT NULL);
INSERT INTO corpus (n, s) SELECT row_number() OVER (), s FROM unnest(ARRAY[
	$c$'; DROP TABLE customers.customer; --$c$,
	$c$' OR '1'='1$c$,
	$c$" OR ""="$c$,
	$c$') OR ('a'='a$c$,
	$c$1; SELECT pg_sleep(10)$c$,
	$c$$$; DROP TABLE customers.customer; $$$c$,
	$c$$1$c$,
	$c$%s%s%n%x$c$,
	$c$\'; TRUNCATE customers.customer; --$c$,
	$c$*/ DELETE FROM customers.customer /*$c$,
	$c$' UNION SELECT key::text FROM customers.cursor_key --$c$,
	$c$'||(SELECT key FROM customers.cursor_key)||'$c$,
	$c$; COMMIT; DROP SCHEMA customers CASCADE; BEGIN;$c$,
	$c$RESET ROLE; SET ROLE postgres$c$,
	$c$current_setting('customers.tenant_id')$c$,
	$c$customers.customer$c$,
	$c$OPERATOR(pg_catalog.=)$c$,
	$c$${jndi:ldap://x}$c$,
	$c$<script>alert(1)</script>$c$,
	$c$../../etc/passwd$c$,
	$c$E'\x00'$c$,
	$c$\\$c$,
	$c$''$c$,
	$c$%_%$c$,
	$c$"quoted" name$c$,
	E'a\nb\tc',
	$c$Ω≈ç√∫ 名前 🙂$c$
]) AS s;

SET customers.tenant_id = 'injection';
-- every other tenant's rows, to show they are untouched
CREATE FUNCTION pg_temp.others() RETURNS text LANGUAGE sql AS $$
	SELECT md5(coalesce(string_agg(c::text, '|' ORDER BY tenant_id, id), ''))
	FROM customers.customer c WHERE tenant_id <> 'injection'
$$;
SELECT pg_temp.others() AS others_before \gset

CREATE TEMP TABLE outcomes (place text, outcome text);
-- what a statement raised, as "SQLSTATE: first line", or 'no error'
CREATE FUNCTION pg_temp.outcome(sql text) RETURNS text LANGUAGE sql AS $$
	SELECT split_part(raises(sql), E'\n', 1)
$$;

-- 1. values: one customer per string, the string in every string field
CREATE TEMP TABLE saved AS
SELECT c.n, e -> 'data' -> 0 AS item
FROM corpus c,
	 LATERAL customers.save(jsonb_build_object('data', jsonb_build_array(jsonb_build_object(
		'id', 'cus_inj_' || c.n, 'name', c.s, 'businessName', c.s, 'additionalContactName', c.s,
		'externalId', c.s, 'address', jsonb_build_object('city', c.s, 'state', c.s, 'zip', c.s,
		'phoneWork', c.s, 'address1', c.s, 'address2', c.s),
		'invoiceSettings', jsonb_build_object('invoicePrefix', left(c.s, 16)),
		'customData', jsonb_build_object(c.s, c.s))))) AS e;
INSERT INTO outcomes
SELECT 'save: the string in every string field', CASE
	WHEN v.item ->> 'statusCode' = '400' AND v.item -> 'error' @> '[{"message": "\"name\" must not contain control characters, such as U+000A"}]'
	THEN 'refused: control characters (docs/api.md §2.2)'
	WHEN v.item ->> 'statusCode' <> '200' THEN 'failed: ' || (v.item ->> 'error')
	WHEN d ->> 'name' = c.s AND d ->> 'businessName' = c.s AND d ->> 'additionalContactName' = c.s
	 AND d ->> 'externalId' = c.s AND d -> 'address' ->> 'city' = c.s AND d -> 'address' ->> 'state' = c.s
	 AND d -> 'address' ->> 'zip' = c.s AND d -> 'address' ->> 'phoneWork' = c.s
	 AND d -> 'address' ->> 'address1' = c.s AND d -> 'address' ->> 'address2' = c.s
	 AND d -> 'invoiceSettings' ->> 'invoicePrefix' = rtrim(left(c.s, 16))
	 AND d -> 'customData' = jsonb_build_object(c.s, c.s)
	 AND d = customers.get('cus_inj_' || c.n)
	THEN 'stored and returned exactly' ELSE 'changed: ' || d::text END
FROM corpus c JOIN saved v USING (n), LATERAL (SELECT v.item -> 'data' AS d) AS x;
-- ... and through patch, and the aliases of the other APIs (the strings saved)
INSERT INTO outcomes
SELECT 'patch and aliases: the string as a value', CASE
	WHEN p ->> 'businessName' = c.s AND p -> 'address' ->> 'address1' = c.s AND p -> 'customData' ->> 'k' = c.s
	THEN 'stored and returned exactly' ELSE 'changed: ' || p::text END
FROM corpus c JOIN saved v USING (n), LATERAL customers.patch('cus_inj_' || c.n, jsonb_build_object(
	'legal_name', c.s, 'street_address', c.s, 'metadata', jsonb_build_object('k', c.s))) AS p
WHERE v.item ->> 'statusCode' = '200';
-- the address-shaped fields refuse what is not an address, without running it
INSERT INTO outcomes
SELECT 'save: the string as email, ein, countryCode, id, status', CASE
	WHEN (SELECT count(*) FROM jsonb_array_elements(e -> 'data' -> 0 -> 'error')) = 5
	 AND e -> 'data' -> 0 ->> 'statusCode' = '400' THEN 'refused, 5 errors'
	ELSE e::text END
FROM corpus c, LATERAL customers.save(jsonb_build_object('data', jsonb_build_array(jsonb_build_object(
	'id', c.s, 'name', 'x', 'email', c.s, 'ein', c.s, 'address', jsonb_build_object('countryCode', c.s),
	'status', c.s)))) AS e;

-- 2. filter values find exactly the customer that holds the string (none
-- holds the one with control characters)
INSERT INTO outcomes
SELECT 'query: the string as a filter value', CASE
	WHEN ids = ARRAY['cus_inj_' || c.n] THEN 'found exactly its customer'
	WHEN ids = '{}' AND c.s ~ '[[:cntrl:]]' THEN 'found none: not stored'
	ELSE 'found ' || ids::text END
FROM corpus c, LATERAL (VALUES
	('{"name": {"equal": %s}}'), ('{"businessName": {"in": [%s]}}'), ('{"externalId": {"equal": %s}}'),
	('{"name": {"contain": %s}, "externalId": {"equal": %s}}'),
	('{"customData": {"contains": {%1$s: %1$s}}}')) AS f(template),
	LATERAL (SELECT coalesce(array_agg(d ->> 'id'), '{}') AS ids
			 FROM jsonb_array_elements(customers.query(jsonb_build_object('filter',
				format(f.template, to_jsonb(c.s), to_jsonb(c.s))::jsonb)) -> 'data') AS d) AS q;

-- 3. names: refused with 22023, naming what was sent
INSERT INTO outcomes
SELECT 'save: the string as a field name', CASE
	WHEN e -> 'data' -> 0 -> 'error' -> 0 ->> 'message' = format('unrecognized field "%s"', c.s)
	THEN 'refused, named' ELSE e::text END
FROM corpus c, LATERAL customers.save(jsonb_build_object('data',
	jsonb_build_array(jsonb_build_object('name', 'x', c.s, 1)))) AS e;
INSERT INTO outcomes
SELECT 'query: the string as ' || what, left(pg_temp.outcome(format('SELECT customers.query(%L)', request)), 5)
FROM corpus c, LATERAL (VALUES
	('a filter field', jsonb_build_object('filter', jsonb_build_object(c.s, '{"equal": "x"}'::jsonb))),
	('an operator', jsonb_build_object('filter', jsonb_build_object('name', jsonb_build_object(c.s, 'x')))),
	('sort.orderBy', jsonb_build_object('sort', jsonb_build_object('orderBy', c.s))),
	('sort.direction', jsonb_build_object('sort', jsonb_build_object('direction', c.s))),
	('a request key', jsonb_build_object(c.s, 1)),
	('a cursor', jsonb_build_object('cursor', c.s)),
	('a status', jsonb_build_object('filter', jsonb_build_object('status', jsonb_build_object('equal', c.s)))),
	('a date-time', jsonb_build_object('filter', jsonb_build_object('createdDateTime',
		jsonb_build_object('lessThan', c.s))))) AS r(what, request);

-- 4. ids: no such customer, segment or method
INSERT INTO outcomes
SELECT 'ids: the string as ' || what,
	   CASE WHEN o = 'no error' THEN 'no error (NULL)' ELSE left(o, 5) END
FROM corpus c, LATERAL (VALUES
	('get(id)', format('SELECT customers.get(%L)', 'cus_' || c.s)),
	('patch(id)', format('SELECT customers.patch(%L, %L)', c.s, '{"name": "x"}')),
	('archive(id)', format('SELECT customers.archive(%L)', c.s)),
	('history(id)', format('SELECT customers.history(%L, %L)', c.s, '{}')),
	('payment_method(customer, id)', format('SELECT customers.payment_method(%L, %L)', 'cus_inj_1', c.s)),
	('users(id)', format('SELECT customers.users(%L, %L)', c.s, '{}')),
	('delete_class_segment(id)', format('SELECT customers.delete_class_segment(%L)', c.s))) AS r(what, sql),
	LATERAL pg_temp.outcome(sql) AS o;

-- 5. tenants: the string as customers.tenant_id is a tenant like any other
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN SELECT * FROM corpus ORDER BY n LOOP
		PERFORM set_config('customers.tenant_id', c.s, false);
		PERFORM customers.save('{"data": [{"id": "cus_t", "name": "In the odd tenant"}]}');
		INSERT INTO outcomes SELECT 'tenant: the string as customers.tenant_id', CASE
			WHEN customers.current_tenant() = c.s AND customers.get('cus_t') ->> 'name' = 'In the odd tenant'
			 AND (SELECT count(*) FROM customers.customer WHERE tenant_id = c.s) = 1
			THEN 'a tenant of its own' ELSE 'wrong' END;
	END LOOP;
END
$$;
SET customers.tenant_id = 'injection';

SELECT place, outcome, count(*) FROM outcomes GROUP BY place, outcome ORDER BY place, outcome;

-- the tables are all there, and hold what the calls made and nothing more
SELECT count(*) AS injection_customers FROM customers.customer WHERE tenant_id = 'injection';
SELECT count(*) AS odd_tenants FROM customers.customer
WHERE tenant_id IN (SELECT s FROM corpus) AND id = 'cus_t';
DELETE FROM customers.customer WHERE tenant_id IN (SELECT s FROM corpus);
SELECT pg_temp.others() = :'others_before' AS other_tenants_unchanged;
SELECT to_regclass('customers.customer') IS NOT NULL AND to_regclass('customers.cursor_key') IS NOT NULL
	AND to_regnamespace('customers') IS NOT NULL AS tables_intact;
RESET customers.tenant_id;
