-- Attacks by an ordinary role against another tenant's data: the role holds
-- USAGE on schema customers (the documented grant) and what every role has
-- by default (temporary tables, its own schema, LISTEN), and acts for tenant
-- atk_a. Tenant atk_b is the victim. Each attempt shows its exact outcome;
-- at the end every row of atk_b is as it was. (Attacks that need a new
-- session are in test/t/006_attacks.pl.)
\pset format unaligned
\set VERBOSITY terse
SET customers.actor = 'attack-test';
CREATE FUNCTION pg_temp.fixture(tenant text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('customers.tenant_id', tenant, false);
	PERFORM customers.save(jsonb_build_object('data', jsonb_build_array(
		jsonb_build_object('id', 'cus_' || tenant, 'name', 'Customer of ' || tenant, 'email', tenant || '@example.com'),
		jsonb_build_object('id', 'cus_' || tenant || '_2', 'name', 'Second of ' || tenant))));
	PERFORM customers.patch('cus_' || tenant, '{"customData": {"secret": 42}}');
	PERFORM customers.create_user('cus_' || tenant, jsonb_build_object('email', 'user@' || replace(tenant, '_', '-') || '.com'));
END
$$;
SELECT pg_temp.fixture('atk_a'), pg_temp.fixture('atk_b');
RESET customers.tenant_id;
-- every row of tenant atk_b, as the superuser sees it
CREATE FUNCTION pg_temp.victim_rows() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	t text;
	part text;
	result text := '';
BEGIN
	FOR t IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'customers'::regnamespace
			   AND c.relkind = 'r' AND c.relname <> 'cursor_key' ORDER BY 1 LOOP
		EXECUTE format('SELECT %L || count(*) || md5(coalesce(string_agg(r::text, %L ORDER BY r::text), %L))'
					   ' FROM customers.%I r WHERE tenant_id = %L', t, '|', '', t, 'atk_b') INTO part;
		result := result || part || E'\n';
	END LOOP;
	RETURN result || (SELECT md5(string_agg(k::text, '|')) FROM customers.cursor_key k);
END
$$;
SELECT pg_temp.victim_rows() AS victim_before \gset
ANALYZE customers.customer;

CREATE ROLE customers_attacker;
GRANT USAGE ON SCHEMA customers TO customers_attacker;
CREATE SCHEMA attacker AUTHORIZATION customers_attacker;
SET ROLE customers_attacker;
SET customers.tenant_id = 'atk_a';
SET search_path = attacker, public;
-- the API works for its own tenant
SELECT customers.get('cus_atk_a') ->> 'name' AS own_customer;
-- 0. By design, not an attack: the tenant is whatever the role names, so
-- a role that may call the functions reaches every tenant by naming it.
-- The application chooses the tenant from its own credentials; a role
-- that must not reach atk_b must not log in as the application's role.
SET customers.tenant_id = 'atk_b';
SELECT customers.get('cus_atk_b') ->> 'name' AS named_tenant;
SET customers.tenant_id = 'atk_a';

-- 1. A temporary table whose triggers run the history trigger function,
-- to delete another tenant's history through a crafted transition table
CREATE TEMP TABLE t (tenant_id text, id text);
SELECT raises($$CREATE TRIGGER t_delete AFTER DELETE ON t REFERENCING OLD TABLE AS deleted
	FOR EACH STATEMENT EXECUTE FUNCTION customers.delete_customer_history()$$) AS trigger_on_temp_table;
-- 2. or as a TRUNCATE trigger, to empty the history of every tenant
SELECT raises($$CREATE TRIGGER t_truncate AFTER TRUNCATE ON t
	FOR EACH STATEMENT EXECUTE FUNCTION customers.delete_customer_history()$$) AS truncate_trigger_on_temp_table;
-- 3. trigger functions called directly
SELECT raises('SELECT customers.delete_customer_history()') AS call_history_trigger;
SELECT raises('SELECT customers.refuse_confined_truncate()') AS call_truncate_guard;
-- 4. a trigger on the extension's own tables
CREATE FUNCTION attacker.nothing() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
SELECT raises($$CREATE TRIGGER spy AFTER INSERT ON customers.customer
	FOR EACH ROW EXECUTE FUNCTION attacker.nothing()$$) AS trigger_on_customer;
-- 5. views over the tables, plain and security_invoker
SELECT raises('CREATE VIEW attacker.all_customers AS SELECT * FROM customers.customer') AS view_created;
SELECT raises('SELECT count(*) FROM attacker.all_customers') AS view_read;
CREATE VIEW attacker.invoker WITH (security_invoker) AS SELECT tenant_id, id FROM customers.customer;
SELECT raises('SELECT count(*) FROM attacker.invoker') AS security_invoker_view_read;
-- a view over the API runs as its caller, for the caller's tenant
CREATE VIEW attacker.via_api AS SELECT customers.get('cus_atk_b') AS victim;
SELECT victim IS NULL AS via_api_sees_nothing FROM attacker.via_api;
-- 6. direct table access and statistics
SELECT raises('SELECT * FROM customers.event') AS read_history;
COPY customers.customer TO STDOUT;
SELECT raises($$DELETE FROM customers.customer WHERE tenant_id = 'atk_b'$$) AS delete_customers;
SELECT raises('SELECT * FROM customers.cursor_key') AS read_cursor_key;
-- the planner's statistics of the tables (most common names, bounds) are
-- shown only for columns the role may read
SELECT count(*) AS statistics_rows_seen FROM pg_stats WHERE schemaname = 'customers';
-- 7. planted operators and functions in the role's own schema, first on
-- the search_path: the extension's statements and policies never run them
CREATE TABLE attacker.caught (what text);
CREATE FUNCTION attacker.text_eq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN INSERT INTO attacker.caught VALUES ('text = text'); RETURN true; END $$;
CREATE OPERATOR attacker.= (LEFTARG = text, RIGHTARG = text, FUNCTION = attacker.text_eq);
CREATE FUNCTION attacker.current_tenant() RETURNS text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO attacker.caught VALUES ('current_tenant'); RETURN 'atk_b'; END $$;
CREATE FUNCTION attacker.current_setting(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO attacker.caught VALUES ('current_setting'); RETURN 'atk_b'; END $$;
SET search_path = attacker, pg_catalog, public;
SELECT customers.get('cus_atk_b') IS NULL AS planted_get_b,
	   customers.get('cus_atk_a') ->> 'name' AS planted_get_a,
	   customers.current_tenant() AS planted_current_tenant,
	   jsonb_array_length(customers.query('{}') -> 'data') AS planted_query_rows;
SELECT count(*) AS planted_calls FROM attacker.caught;
SET search_path = attacker, public;
-- 8. a function of the role's own in schema customers, where the
-- extension's statements would find it
SELECT raises('CREATE FUNCTION customers.current_setting(text) RETURNS text LANGUAGE sql AS $$SELECT $1$$')
	AS function_in_schema_customers;
-- 9. crafted arguments: a tenant that reads as SQL, an id that reads as
-- SQL, a customer id of atk_b, a cursor of atk_b
SET customers.tenant_id = $$atk_a' OR tenant_id = 'atk_b$$;
SELECT customers.current_tenant() AS crafted_tenant,
	   jsonb_array_length(customers.query('{}') -> 'data') AS crafted_tenant_rows;
SET customers.tenant_id = 'atk_a';
SELECT customers.get($$cus_atk_b' OR '1'='1$$) IS NULL AS crafted_id;
SELECT raises($$SELECT customers.history('cus_atk_b', '{}')$$) AS history_of_b;
SELECT raises($$SELECT customers.users('cus_atk_b', '{}')$$) AS users_of_b;
RESET ROLE;
SET customers.tenant_id = 'atk_b';
SELECT customers.query('{"limit": 1}') -> 'cursor' ->> 'after' AS b_cursor \gset
SET ROLE customers_attacker;
SET customers.tenant_id = 'atk_a';
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('limit', 1, 'cursor', :'b_cursor')))
	AS cursor_of_b;
-- 10. TRUNCATE, when an administrator granted it by mistake: TRUNCATE
-- ignores row level security, so the tables refuse it to confined roles
RESET ROLE;
GRANT TRUNCATE ON ALL TABLES IN SCHEMA customers TO customers_attacker;
SET ROLE customers_attacker;
SELECT raises('TRUNCATE customers.event') AS truncate_history;
SELECT raises('TRUNCATE customers.customer CASCADE') AS truncate_customers;
SELECT raises('TRUNCATE customers.cursor_key') AS truncate_cursor_key;
RESET ROLE;
REVOKE TRUNCATE ON ALL TABLES IN SCHEMA customers FROM customers_attacker;
SET ROLE customers_attacker;
-- 11. dropping or altering the extension and its tables
SELECT raises('DROP EXTENSION customers CASCADE') AS drop_extension;
SELECT raises('ALTER TABLE customers.customer DISABLE ROW LEVEL SECURITY') AS disable_rls;
SELECT raises('DROP POLICY tenant_isolation ON customers.customer') AS drop_policy;
SELECT raises('ALTER FUNCTION customers.current_tenant() RENAME TO x') AS rename_function;
SELECT raises('ALTER EXTENSION customers UPDATE') AS update_extension;
-- 12. the settings that guard the application are the administrator's
SELECT raises('SET customers.require_tenant = off') AS set_require_tenant;
SELECT raises($$SELECT set_config('customers.require_tenant', 'off', true)$$) AS set_config_require_tenant;
SELECT raises('RESET customers.require_tenant') AS reset_require_tenant;
SELECT raises('ALTER ROLE customers_attacker SET customers.require_tenant = off') AS alter_own_role;
SELECT raises('ALTER DATABASE ' || quote_ident(current_database()) || ' SET customers.require_tenant = off')
	AS alter_database;
-- 13. SECURITY DEFINER paths: the extension has no SECURITY DEFINER
-- function; one of the role's own runs as the role itself
CREATE FUNCTION attacker.definer() RETURNS jsonb LANGUAGE sql SECURITY DEFINER
	AS $$ SELECT customers.get('cus_atk_b') $$;
SELECT attacker.definer() IS NULL AS definer_get_b;
SELECT count(*) AS extension_definer_functions FROM pg_proc
WHERE pronamespace = 'customers'::regnamespace AND prosecdef;
-- and nothing the role plants runs while a call acts as the owner: a call
-- leaves the role as it was
SELECT customers.save('{"data": [{"id": "cus_atk_a2", "name": "Second"}]}') ->> 'result' AS saved,
	   current_user AS still;
-- 14. LISTEN: the wake-up names no tenant, customer or action
LISTEN customers_changes;
RESET ROLE;
\set capture 'results/94_attacks.capture'
\o :capture
SET customers.tenant_id = 'atk_b';
SELECT customers.save('{"data": [{"id": "cus_atk_b2", "name": "Victim change"}]}') ->> 'result' AS victim_saved;
\o
\! sed -E 's/PID [0-9]+\./PID <pid>./' results/94_attacks.capture
UNLISTEN customers_changes;
SET customers.tenant_id = 'atk_b';
SELECT customers.get('cus_atk_b2') ->> 'name' AS victim_change;
DELETE FROM customers.customer WHERE tenant_id = 'atk_b' AND id = 'cus_atk_b2';
RESET customers.tenant_id;

-- 15. the read-only recipe (docs/operations.md): the writing functions
-- taken from PUBLIC and granted to the application; a reporting role
-- reads through the API and writes nothing
REVOKE EXECUTE ON FUNCTION customers.save(jsonb), customers.patch(text, jsonb), customers.archive(text),
	customers.restore(text), customers.save_payment_method(text, jsonb), customers.detach_payment_method(text, text),
	customers.create_user(text, jsonb), customers.save_class_labels(jsonb), customers.save_class_segments(jsonb),
	customers.delete_class_segment(text), customers.delete(text), customers.erase(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION customers.save(jsonb), customers.patch(text, jsonb), customers.archive(text),
	customers.restore(text), customers.save_payment_method(text, jsonb), customers.detach_payment_method(text, text),
	customers.create_user(text, jsonb), customers.save_class_labels(jsonb), customers.save_class_segments(jsonb),
	customers.delete_class_segment(text), customers.delete(text), customers.erase(text, jsonb) TO customers_attacker;
CREATE ROLE customers_reporting;
GRANT USAGE ON SCHEMA customers TO customers_reporting;
-- the recipe names every function that writes (the others only read)
SELECT coalesce(string_agg(p.oid::regprocedure::text, ', '), 'none') AS writing_functions_left_to_public
FROM pg_proc p WHERE p.pronamespace = 'customers'::regnamespace AND p.provolatile = 'v'
  AND p.prorettype <> 'trigger'::regtype AND p.oid <> 'customers.cursor_key_guard()'::regprocedure
  AND has_function_privilege('customers_reporting', p.oid, 'EXECUTE');
SET ROLE customers_reporting;
SET customers.tenant_id = 'atk_a';
SELECT customers.get('cus_atk_a') ->> 'name' AS reporting_get,
	   jsonb_array_length(customers.query('{}') -> 'data') AS reporting_query,
	   jsonb_array_length(customers.history('cus_atk_a', '{}') -> 'data') AS reporting_history;
SELECT raises($$SELECT customers.patch('cus_atk_a', '{"name": "Reported"}')$$) AS reporting_patch;
SET ROLE customers_attacker;
SELECT customers.patch('cus_atk_a', '{"name": "Customer of atk_a"}') ->> 'name' AS application_patch;
RESET ROLE;
GRANT EXECUTE ON FUNCTION customers.save(jsonb), customers.patch(text, jsonb), customers.archive(text),
	customers.restore(text), customers.save_payment_method(text, jsonb), customers.detach_payment_method(text, text),
	customers.create_user(text, jsonb), customers.save_class_labels(jsonb), customers.save_class_segments(jsonb),
	customers.delete_class_segment(text), customers.delete(text), customers.erase(text, jsonb) TO PUBLIC;
REVOKE EXECUTE ON FUNCTION customers.save(jsonb), customers.patch(text, jsonb), customers.archive(text),
	customers.restore(text), customers.save_payment_method(text, jsonb), customers.detach_payment_method(text, text),
	customers.create_user(text, jsonb), customers.save_class_labels(jsonb), customers.save_class_segments(jsonb),
	customers.delete_class_segment(text), customers.delete(text), customers.erase(text, jsonb) FROM customers_attacker;
REVOKE USAGE ON SCHEMA customers FROM customers_reporting;
DROP ROLE customers_reporting;
RESET customers.tenant_id;

-- atk_b is untouched, and the extension still works for it
SELECT pg_temp.victim_rows() = :'victim_before' AS victim_unchanged;
SET customers.tenant_id = 'atk_b';
SELECT customers.get('cus_atk_b') -> 'customData' AS victim_data;
RESET customers.tenant_id;
SET client_min_messages = warning;
DROP SCHEMA attacker CASCADE;
RESET client_min_messages;
RESET search_path;
DROP TABLE t;
REVOKE USAGE ON SCHEMA customers FROM customers_attacker;
DROP ROLE customers_attacker;
