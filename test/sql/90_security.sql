-- Tenant isolation and search_path safety (docs/api.md §7), as an application
-- role that owns nothing: row level security on every table, every function
-- confined to the tenant, require_tenant refusing every call, and hostile
-- functions and operators earlier on the search_path never reached.
\pset format unaligned
SET customers.actor = 'security-test';

--
-- The catalog: every table has row level security enabled and forced and a
-- tenant policy (cursor_key: one that raises, so only its owner and roles
-- that bypass row level security read it); tenant_id
-- leads every key; no function is SECURITY DEFINER without a pinned path.
--
SELECT coalesce(string_agg(c.relname, ', ' ORDER BY c.relname), 'none') AS tables_without_forced_rls
FROM pg_class c
WHERE c.relnamespace = 'customers'::regnamespace AND c.relkind IN ('r', 'p')
  AND NOT (c.relrowsecurity AND c.relforcerowsecurity);
SELECT coalesce(string_agg(c.relname, ', ' ORDER BY c.relname), 'none') AS tables_without_tenant_policy
FROM pg_class c
WHERE c.relnamespace = 'customers'::regnamespace AND c.relkind IN ('r', 'p') AND c.relname <> 'cursor_key'
  AND NOT EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'customers' AND p.tablename = c.relname
				  AND p.cmd = 'ALL' AND p.qual LIKE '%tenant_id = customers.current_tenant()%'
				  AND p.with_check LIKE '%tenant_id = customers.current_tenant()%');
SELECT policyname, cmd, qual, with_check FROM pg_policies WHERE schemaname = 'customers' AND tablename = 'cursor_key';
SELECT coalesce(string_agg(i.indexrelid::regclass::text, ', ' ORDER BY i.indexrelid::regclass::text), 'none')
	AS keys_not_led_by_tenant_id
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
WHERE c.relnamespace = 'customers'::regnamespace AND c.relname <> 'cursor_key'
  -- the short grams index begins each of its keys with a hash of tenant_id
  AND i.indexrelid <> 'customers.customer_contain_grams_idx'::regclass
  AND (SELECT attname FROM pg_attribute WHERE attrelid = i.indrelid AND attnum = i.indkey[0])
	  IS DISTINCT FROM 'tenant_id';
SELECT coalesce(string_agg(conname, ', ' ORDER BY conname), 'none') AS foreign_keys_not_led_by_tenant_id
FROM pg_constraint
WHERE connamespace = 'customers'::regnamespace AND contype = 'f'
  AND (SELECT attname FROM pg_attribute WHERE attrelid = conrelid AND attnum = conkey[1]) <> 'tenant_id';
SELECT coalesce(string_agg(p.oid::regprocedure::text, ', '), 'none') AS definer_functions_without_pinned_path
FROM pg_proc p
WHERE p.pronamespace = 'customers'::regnamespace AND p.prosecdef
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) AS c WHERE c LIKE 'search_path=%');

--
-- Two tenants with every kind of row, made by the owner
--
CREATE FUNCTION pg_temp.fixture(tenant text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('customers.tenant_id', tenant, false);
	PERFORM customers.save_class_labels('{"data": [{"id": "cll_sec", "name": "Region", "requiredness": "NOT_REQUIRED"}]}');
	PERFORM customers.save_class_segments('{"data": [{"id": "cls_sec", "label": "cll_sec", "name": "East"},
		{"id": "cls_sec_child", "label": "cll_sec", "name": "DC", "parent": "cls_sec"}]}');
	PERFORM customers.save(jsonb_build_object('data', jsonb_build_array(
		jsonb_build_object('id', 'cus_' || tenant, 'name', 'Customer of ' || tenant, 'externalId', 'ext-' || tenant,
						   'email', tenant || '@example.com', 'classSegments', jsonb_build_array('cls_sec_child')),
		jsonb_build_object('id', 'cus_' || tenant || '_archived', 'name', 'Archived of ' || tenant))));
	PERFORM customers.archive('cus_' || tenant || '_archived');
	PERFORM customers.save_payment_method('cus_' || tenant, '{"type": "CARD", "isDefault": true,
		"card": {"brand": "visa", "last4": "4242", "expMonth": 12, "expYear": 2030}}');
	PERFORM customers.create_user('cus_' || tenant, jsonb_build_object('email', 'user@' || replace(tenant, '_', '-') || '.com'));
END
$$;
SELECT pg_temp.fixture('sec_a'), pg_temp.fixture('sec_b');
SELECT customers.payment_methods('cus_sec_b') -> 'data' -> 0 ->> 'id' AS method_of_b \gset
SELECT :'method_of_b' LIKE 'pm_%' AS method_of_b;
SELECT customers.users('cus_sec_b') -> 'data' -> 0 ->> 'id' LIKE 'cuu_%' AS user_of_b;

-- Every row of tenant sec_b in every table, as the owner sees it
CREATE FUNCTION pg_temp.tenant_rows(tenant text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	t text;
	part text;
	result text := '';
BEGIN
	FOR t IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'customers'::regnamespace
			   AND c.relkind = 'r' AND c.relname <> 'cursor_key' ORDER BY 1 LOOP
		EXECUTE format('SELECT %L || count(*) || md5(coalesce(string_agg(r::text, %L ORDER BY r::text), %L))'
					   ' FROM customers.%I r WHERE tenant_id = $1', t, '|', '', t)
			INTO part USING tenant;
		result := result || part || E'\n';
	END LOOP;
	RETURN result;
END
$$;
SELECT pg_temp.tenant_rows('sec_b') AS b_before \gset

-- An application role with direct access to every table, to try everything
CREATE ROLE customers_sec_app;
GRANT USAGE ON SCHEMA customers TO customers_sec_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA customers TO customers_sec_app;
SET ROLE customers_sec_app;
SET customers.tenant_id = 'sec_a';

--
-- Direct SQL with tenant sec_a set sees and changes sec_a's rows only
--
SELECT 'customer' AS "table", count(*) AS rows, string_agg(DISTINCT tenant_id, ',') AS tenants FROM customers.customer
UNION ALL SELECT 'event', count(*), string_agg(DISTINCT tenant_id, ',') FROM customers.event
UNION ALL SELECT 'customer_segment', count(*), string_agg(DISTINCT tenant_id, ',') FROM customers.customer_segment
UNION ALL SELECT 'customer_user', count(*), string_agg(DISTINCT tenant_id, ',') FROM customers.customer_user
UNION ALL SELECT 'class_label', count(*), string_agg(DISTINCT tenant_id, ',') FROM customers.class_label
UNION ALL SELECT 'class_segment', count(*), string_agg(DISTINCT tenant_id, ',') FROM customers.class_segment
UNION ALL SELECT 'payment_method', count(*), string_agg(DISTINCT tenant_id, ',') FROM customers.payment_method;
-- naming the other tenant reaches nothing
SELECT count(*) AS b_rows_seen FROM customers.customer WHERE tenant_id = 'sec_b';
UPDATE customers.customer SET name = 'Hijacked' WHERE tenant_id = 'sec_b';
UPDATE customers.payment_method SET is_default = false WHERE customer_id = 'cus_sec_b';
DELETE FROM customers.customer_user WHERE tenant_id = 'sec_b';
DELETE FROM customers.class_segment WHERE tenant_id = 'sec_b';
DELETE FROM customers.event WHERE customer_id = 'cus_sec_b';
-- and cannot write rows into it, or move rows there
SELECT raises($$INSERT INTO customers.customer (tenant_id, id, name, status, created_at, updated_at, version, doc)
	VALUES ('sec_b', 'cus_planted', 'Planted', 'ACTIVE', now(), now(), 1, '{}')$$);
SELECT raises($$UPDATE customers.customer SET tenant_id = 'sec_b' WHERE id = 'cus_sec_a'$$);
SELECT raises($$INSERT INTO customers.class_label (tenant_id, id, name, requiredness, created_at, updated_at)
	VALUES ('sec_b', 'cll_planted', 'Planted', 'REQUIRED', now(), now())$$);
SELECT raises($$UPDATE customers.payment_method SET tenant_id = 'sec_b' WHERE customer_id = 'cus_sec_a'$$);
-- the cursor key is the owner's alone, even with SELECT granted: reading it
-- is an error, not an empty table
SELECT raises('SELECT count(*) FROM customers.cursor_key') AS cursor_key_read;

--
-- Every function with tenant sec_a set, given sec_b's ids: nothing of sec_b
--
SELECT customers.get('cus_sec_b') AS get_b;
SELECT raises($$SELECT customers.patch('cus_sec_b', '{"name": "Hijacked"}')$$) AS patch_b;
SELECT raises($$SELECT customers.archive('cus_sec_b')$$) AS archive_b;
SELECT raises($$SELECT customers.restore('cus_sec_b_archived')$$) AS restore_b;
SELECT raises($$SELECT customers.history('cus_sec_b', '{}')$$) AS history_b;
SELECT raises($$SELECT customers.payment_methods('cus_sec_b')$$) AS payment_methods_b;
SELECT raises(format('SELECT customers.payment_method(%L, %L)', 'cus_sec_b', :'method_of_b')) AS payment_method_b;
SELECT regexp_replace(raises(format('SELECT customers.payment_method(%L, %L)', 'cus_sec_a', :'method_of_b')),
	'pm_[0-9A-Z]{26}', 'pm_<of b>') AS method_of_b_under_a;
SELECT raises(format('SELECT customers.detach_payment_method(%L, %L)', 'cus_sec_b', :'method_of_b')) AS detach_b;
SELECT regexp_replace(raises(format('SELECT customers.detach_payment_method(%L, %L)', 'cus_sec_a', :'method_of_b')),
	'pm_[0-9A-Z]{26}', 'pm_<of b>') AS detach_b_under_a;
SELECT raises($$SELECT customers.save_payment_method('cus_sec_b', '{"type": "BANK_ACCOUNT", "bankAccount": {"last4": "1234"}}')$$)
	AS save_payment_method_b;
SELECT raises($$SELECT customers.create_user('cus_sec_b', '{"email": "planted@example.com"}')$$) AS create_user_b;
SELECT raises($$SELECT customers.users('cus_sec_b', '{}')$$) AS users_b;
SELECT raises($$SELECT customers.delete_class_segment('cls_sec_other')$$) AS delete_unknown_segment;
SELECT customers.query('{"filter": {"id": {"in": ["cus_sec_b", "cus_sec_b_archived"]},
	"status": {"in": ["ACTIVE", "INACTIVE", "ARCHIVED"]}}}') AS query_b_ids;
SELECT customers.query('{"filter": {"externalId": {"equal": "ext-sec_b"}}}') AS query_b_external_id;
SELECT jsonb_array_length(customers.class_segments('{}') -> 'data') AS labels_of_a;
-- a save naming sec_b's id or externalId makes a customer of sec_a
SELECT i.status, i.data ->> 'name' AS name, i.data -> 'version' AS version
FROM items(customers.save('{"data": [{"id": "cus_sec_b", "name": "Not B", "externalId": "ext-sec_b"}]}')) AS i;
-- segments and labels of sec_b do not exist for sec_a (sec_a has its own of the same ids)
SELECT i.status, i.error
FROM items(customers.save_class_segments('{"data": [{"id": "cls_new", "label": "cll_other", "name": "X"}]}')) AS i;
-- a cursor of sec_b is refused in sec_a
SET customers.tenant_id = 'sec_b';
SELECT customers.query('{"limit": 1, "filter": {"status": {"in": ["ACTIVE", "ARCHIVED"]}}}') -> 'cursor' ->> 'after'
	AS b_cursor \gset
SET customers.tenant_id = 'sec_a';
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('limit', 1, 'cursor', :'b_cursor',
	'filter', '{"status": {"in": ["ACTIVE", "ARCHIVED"]}}'::jsonb))) AS b_cursor_in_a;
RESET ROLE;
SELECT pg_temp.tenant_rows('sec_b') = :'b_before' AS b_unchanged;

--
-- customers.require_tenant = on: without a tenant every function, and
-- direct SQL, is refused
--
SET customers.require_tenant = on;
RESET customers.tenant_id;
SET ROLE customers_sec_app;
CREATE TEMP TABLE calls (call text);
INSERT INTO calls VALUES
	($$customers.current_tenant()$$),
	($$customers.save('{"data": [{"name": "No tenant"}]}')$$),
	($$customers.query('{}')$$),
	($$customers.get('cus_sec_a')$$),
	($$customers.patch('cus_sec_a', '{"name": "x"}')$$),
	($$customers.archive('cus_sec_a')$$),
	($$customers.restore('cus_sec_a')$$),
	($$customers.history('cus_sec_a', '{}')$$),
	($$customers.save_class_labels('{"data": [{"name": "x", "requiredness": "REQUIRED"}]}')$$),
	($$customers.save_class_segments('{"data": [{"label": "cll_sec", "name": "x"}]}')$$),
	($$customers.class_segments('{}')$$),
	($$customers.delete_class_segment('cls_sec')$$),
	($$customers.save_payment_method('cus_sec_a', '{"type": "BANK_ACCOUNT", "bankAccount": {"last4": "1234"}}')$$),
	($$customers.payment_methods('cus_sec_a')$$),
	($$customers.payment_method('cus_sec_a', 'pm_x')$$),
	($$customers.detach_payment_method('cus_sec_a', 'pm_x')$$),
	($$customers.create_user('cus_sec_a', '{"email": "x@example.com"}')$$),
	($$customers.users('cus_sec_a', '{}')$$),
	($$customers.delete('cus_sec_a')$$),
	($$customers.erase('cus_sec_a', '{}')$$),
	($$customers.events('{}')$$);
SELECT coalesce(string_agg(call || ': ' || outcome, E'\n' ORDER BY call), 'none') AS calls_not_refused
FROM (SELECT call, raises('SELECT ' || call) AS outcome FROM calls) AS t
WHERE outcome NOT LIKE '22023: customers.tenant_id is not set%';
SELECT raises('SELECT count(*) FROM customers.customer') AS direct_sql;
RESET ROLE;
-- the list above names every function of the extension (but trigger
-- functions, which no one can call, the cursor key's policy, which raises
-- for everyone, distribute(), which only the owner may: test 97,
-- purge_idempotency_keys(), the owner's too: test 88, custom_data_time(),
-- _number(), _text() and _keys(), which the filters' statements and indexes
-- call: tests 64 and 68, custom_data_index(), the owner's: test 68,
-- search_text(), which needs no tenant: test 67, contain_grams() and
-- contain_keys(), which the short grams index and its condition call and
-- which fold only their arguments: test 69, and purge_events(), the
-- operator's, for every tenant: test 99)
SELECT coalesce(string_agg(p.proname, ', ' ORDER BY p.proname), 'none') AS functions_not_tried
FROM pg_proc p WHERE p.pronamespace = 'customers'::regnamespace
  AND p.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype
  AND p.oid <> 'customers.cursor_key_guard()'::regprocedure
  AND p.oid <> 'customers.distribute()'::regprocedure
  AND p.oid <> 'customers.purge_idempotency_keys(integer)'::regprocedure
  AND p.oid <> 'customers.custom_data_time(jsonb)'::regprocedure
  AND p.oid <> 'customers.custom_data_number(jsonb)'::regprocedure
  AND p.oid <> 'customers.custom_data_text(jsonb)'::regprocedure
  AND p.oid <> 'customers.custom_data_keys(jsonb)'::regprocedure
  AND p.oid <> 'customers.custom_data_index(text[],text)'::regprocedure
  AND p.oid <> 'customers.search_text(text,text,text,text,text,text)'::regprocedure
  AND p.oid <> 'customers.contain_grams(text,text,text,text,text)'::regprocedure
  AND p.oid <> 'customers.contain_keys(text,"char",text)'::regprocedure
  AND p.oid <> 'customers.purge_events(integer)'::regprocedure
  AND NOT EXISTS (SELECT 1 FROM calls WHERE call LIKE 'customers.' || p.proname || '(%');
-- '' (what SET LOCAL leaves behind) is unset too
BEGIN;
SET LOCAL customers.tenant_id = 'sec_a';
SELECT customers.get('cus_sec_a') ->> 'name' AS inside_transaction;
COMMIT;
SELECT current_setting('customers.tenant_id') = '' AS empty_after_commit,
	   raises($$SELECT customers.get('cus_sec_a')$$) AS after_commit;
RESET customers.require_tenant;

--
-- search_path: functions and operators planted by the application role in
-- a schema before pg_catalog never run inside the extension (where they
-- would run as the extension owner). Every call gives the same result as
-- with a clean path.
--
RESET ROLE;
CREATE SCHEMA hijack AUTHORIZATION customers_sec_app;
CREATE TABLE hijack.calls (who text, what text);
GRANT ALL ON hijack.calls TO PUBLIC;
SET ROLE customers_sec_app;
CREATE FUNCTION hijack.caught(what text) RETURNS void LANGUAGE sql AS $$
	INSERT INTO hijack.calls VALUES (current_user, what)
$$;
-- each planted function records who ran it and answers wrongly
CREATE FUNCTION hijack.text_cmp(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('text comparison'); RETURN true; END $$;
CREATE FUNCTION hijack.jsonb_cmp(a jsonb, b jsonb) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('jsonb operator'); RETURN true; END $$;
CREATE FUNCTION hijack.array_cmp(a text[], b text[]) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('array operator'); RETURN true; END $$;
CREATE FUNCTION hijack.time_cmp(a timestamptz, b timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('timestamptz comparison'); RETURN true; END $$;
CREATE FUNCTION hijack.int_plus(a bigint, b integer) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('bigint + integer'); RETURN 0; END $$;
CREATE FUNCTION hijack.arrow(a jsonb, b text) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('jsonb -> text'); RETURN '{}'; END $$;
CREATE OPERATOR hijack.= (LEFTARG = text, RIGHTARG = text, FUNCTION = hijack.text_cmp);
CREATE OPERATOR hijack.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = hijack.text_cmp);
CREATE OPERATOR hijack.< (LEFTARG = text, RIGHTARG = text, FUNCTION = hijack.text_cmp);
CREATE OPERATOR hijack.> (LEFTARG = text, RIGHTARG = text, FUNCTION = hijack.text_cmp);
CREATE OPERATOR hijack.<= (LEFTARG = text, RIGHTARG = text, FUNCTION = hijack.text_cmp);
CREATE OPERATOR hijack.>= (LEFTARG = text, RIGHTARG = text, FUNCTION = hijack.text_cmp);
CREATE OPERATOR hijack.~~* (LEFTARG = text, RIGHTARG = text, FUNCTION = hijack.text_cmp);
CREATE OPERATOR hijack.@> (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = hijack.jsonb_cmp);
CREATE OPERATOR hijack.= (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = hijack.jsonb_cmp);
CREATE OPERATOR hijack.&& (LEFTARG = text[], RIGHTARG = text[], FUNCTION = hijack.array_cmp);
CREATE OPERATOR hijack.= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = hijack.time_cmp);
CREATE OPERATOR hijack.> (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = hijack.time_cmp);
CREATE OPERATOR hijack.< (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = hijack.time_cmp);
CREATE OPERATOR hijack.+ (LEFTARG = bigint, RIGHTARG = integer, FUNCTION = hijack.int_plus);
CREATE OPERATOR hijack.-> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = hijack.arrow);
CREATE FUNCTION hijack.unnest(a anyarray) RETURNS SETOF anyelement LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('unnest'); END $$;
CREATE FUNCTION hijack.lower(a text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('lower'); RETURN 'x'; END $$;
CREATE FUNCTION hijack.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('now'); RETURN 'epoch'; END $$;
CREATE FUNCTION hijack.array_to_string(a anyarray, b text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('array_to_string'); RETURN ''; END $$;
CREATE FUNCTION hijack.string_to_array(a text, b text) RETURNS text[] LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('string_to_array'); RETURN '{}'; END $$;
CREATE FUNCTION hijack.cardinality(a anyarray) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('cardinality'); RETURN 0; END $$;
CREATE FUNCTION hijack.current_tenant() RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('current_tenant'); RETURN 'sec_b'; END $$;
CREATE FUNCTION hijack.current_setting(a text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('current_setting'); RETURN 'sec_b'; END $$;
CREATE FUNCTION hijack.gen_random_uuid() RETURNS uuid LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('gen_random_uuid'); RETURN '00000000-0000-0000-0000-000000000000'; END $$;
CREATE FUNCTION hijack.pg_notify(a text, b text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN PERFORM hijack.caught('pg_notify'); END $$;

-- The same calls under both paths, results kept raw; the procedure uses
-- no operator and only qualified names, so the planted ones cannot touch it
RESET ROLE;
CREATE TABLE public.path_results (run text, step int, result jsonb);
GRANT ALL ON public.path_results TO customers_sec_app;
CREATE PROCEDURE public.path_scenario(run text)
LANGUAGE plpgsql AS $$
DECLARE
	r pg_catalog.jsonb;
	cursor_after pg_catalog.text;
	method pg_catalog.text;
BEGIN
	PERFORM pg_catalog.set_config('customers.tenant_id', pg_catalog.concat('path_', run), false);
	INSERT INTO public.path_results VALUES (run, 1, customers.save_class_labels(
		'{"data": [{"id": "cll_p", "name": "Region", "requiredness": "NOT_REQUIRED"}]}'));
	INSERT INTO public.path_results VALUES (run, 2, customers.save_class_segments(
		'{"data": [{"id": "cls_p", "label": "cll_p", "name": "East"},
		           {"id": "cls_p2", "label": "cll_p", "name": "DC", "parent": "cls_p"},
		           {"id": "cls_p3", "label": "cll_p", "name": "West"}]}'));
	INSERT INTO public.path_results VALUES (run, 3, customers.save(
		'{"data": [{"id": "cus_p1", "name": "Acme", "email": "A@acme.com", "externalId": "e1",
		            "ccEmails": ["[\"cc@acme.com\"]"], "customData": {"plan": "gold"}, "classSegments": ["cls_p2"]},
		           {"id": "cus_p2", "name": "Beta", "businessName": "Beta Ltd", "externalId": "e2"},
		           {"id": "cus_p3", "name": "Gamma", "email": "g@gamma.com"},
		           {"id": "cus_p4", "name": "Delta", "externalId": "e1"},
		           {"id": "cus_p5", "name": ""}]}'));
	INSERT INTO public.path_results VALUES (run, 4, customers.get('cus_p1'));
	INSERT INTO public.path_results VALUES (run, 5, customers.patch('cus_p2', '{"address": {"city": "Paris"}, "metadata": {"k": 1}}'));
	INSERT INTO public.path_results VALUES (run, 6, customers.archive('cus_p3'));
	INSERT INTO public.path_results VALUES (run, 7, customers.restore('cus_p3'));
	r := customers.query('{"limit": 2, "sort": {"orderBy": "NAME"}, "filter": {"name": {"contain": "a"},
		"email": {"notEqual": "x@y.co"}, "status": {"in": ["ACTIVE"]}, "customData": {"contains": {}},
		"createdDateTime": {"greaterThan": "2000-01-01T00:00:00Z"}}}');
	INSERT INTO public.path_results VALUES (run, 8, pg_catalog.jsonb_set(r, '{cursor}', '{}'));
	cursor_after := pg_catalog.jsonb_extract_path_text(r, 'cursor', 'after');
	r := customers.query(pg_catalog.jsonb_build_object(
		'limit', 2, 'sort', '{"orderBy": "NAME"}'::pg_catalog.jsonb, 'cursor', cursor_after,
		'filter', '{"name": {"contain": "a"}, "email": {"notEqual": "x@y.co"}, "status": {"in": ["ACTIVE"]},
		"customData": {"contains": {}}, "createdDateTime": {"greaterThan": "2000-01-01T00:00:00Z"}}'::pg_catalog.jsonb));
	INSERT INTO public.path_results VALUES (run, 9, pg_catalog.jsonb_set(r, '{cursor}', '{}'));
	INSERT INTO public.path_results VALUES (run, 10, customers.query(
		'{"filter": {"classSegments": {"expand": true, "id": {"in": ["cls_p"]}}, "id": {"notIn": ["cus_x"]}}}'));
	INSERT INTO public.path_results VALUES (run, 11, customers.class_segments('{}'));
	r := customers.save_payment_method('cus_p1',
		'{"type": "CARD", "isDefault": true, "card": {"brand": "visa", "last4": "4242", "expMonth": 1, "expYear": 2030}}');
	INSERT INTO public.path_results VALUES (run, 12, r);
	method := pg_catalog.jsonb_extract_path_text(r, 'id');
	INSERT INTO public.path_results VALUES (run, 13, customers.payment_methods('cus_p1'));
	INSERT INTO public.path_results VALUES (run, 14, customers.payment_method('cus_p1', method));
	INSERT INTO public.path_results VALUES (run, 15, customers.detach_payment_method('cus_p1', method));
	INSERT INTO public.path_results VALUES (run, 16, customers.create_user('cus_p1', '{"email": "u@acme.com", "first_name": "U"}'));
	r := customers.users('cus_p1', '{"limit": 1}');
	INSERT INTO public.path_results VALUES (run, 17, pg_catalog.jsonb_set(r, '{cursor}', '{}'));
	r := customers.history('cus_p3', '{}');
	INSERT INTO public.path_results VALUES (run, 18, pg_catalog.jsonb_set(r, '{cursor}', '{}'));
	INSERT INTO public.path_results VALUES (run, 19, customers.delete_class_segment('cls_p3'));
	INSERT INTO public.path_results VALUES (run, 20, pg_catalog.to_jsonb(customers.current_tenant()));
END
$$;
GRANT EXECUTE ON PROCEDURE public.path_scenario(text) TO customers_sec_app;
SET ROLE customers_sec_app;
SET search_path = public;
CALL public.path_scenario('clean');
SET search_path = hijack, pg_catalog, public;
-- armed: an unqualified comparison here runs the planted operator
SELECT 'a' = 'b' AS planted_operator_answers;
DELETE FROM hijack.calls;
CALL public.path_scenario('hijack');
RESET search_path;
RESET ROLE;
SELECT count(*) AS planted_calls, string_agg(DISTINCT who || ': ' || what, ', ') AS planted_called_by FROM hijack.calls;
-- the same results, but for generated ids and times and the tenant's name
CREATE FUNCTION pg_temp.normalized(result jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT regexp_replace(regexp_replace(regexp_replace(mask(result)::text,
		'"(cuu|pm)_[0-9A-Z]{26}"', '"<id>"', 'g'),
		'"changedDateTime": "[0-9T:Z-]{20}"', '"changedDateTime": "<time>"', 'g'),
		'path_(clean|hijack)', 'path_<run>', 'g')
$$;
SELECT c.step, CASE WHEN pg_temp.normalized(c.result) = pg_temp.normalized(h.result)
					THEN 'same' ELSE 'DIFFERENT' END AS result,
	   left(pg_temp.normalized(c.result), 60) AS clean_result
FROM public.path_results c JOIN public.path_results h ON h.step = c.step AND h.run = 'hijack'
WHERE c.run = 'clean' ORDER BY c.step;

DROP PROCEDURE public.path_scenario(text);
DROP TABLE public.path_results;
SET client_min_messages = warning;
DROP SCHEMA hijack CASCADE;
RESET client_min_messages;
DROP TABLE calls;
REVOKE ALL ON ALL TABLES IN SCHEMA customers FROM customers_sec_app;
REVOKE ALL ON SCHEMA customers FROM customers_sec_app;
DROP ROLE customers_sec_app;
RESET customers.tenant_id;
