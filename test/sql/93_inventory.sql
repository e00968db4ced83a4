-- Inventory: every object of the extension, read from the catalog, and who
-- besides its owner can reach it. An object that PUBLIC or an application
-- role (USAGE on the schema, as documented) can reach must be part of the
-- documented API, listed below; a new object shows up in the listing.
-- Internal functions refuse any place but the one they were made for.
\pset format unaligned
CREATE ROLE customers_inv_app;
GRANT USAGE ON SCHEMA customers TO customers_inv_app;

-- The documented API: what PUBLIC (and so every role with USAGE) may run
CREATE TEMP TABLE api (object text PRIMARY KEY, why text);
INSERT INTO api VALUES
	('function customers.save(jsonb)', 'API'),
	('function customers.get(text)', 'API'),
	('function customers.patch(text,jsonb)', 'API'),
	('function customers.archive(text)', 'API'),
	('function customers.restore(text)', 'API'),
	('function customers.query(jsonb)', 'API'),
	('function customers.history(text,jsonb)', 'API'),
	('function customers.save_payment_method(text,jsonb)', 'API'),
	('function customers.payment_methods(text)', 'API'),
	('function customers.payment_method(text,text)', 'API'),
	('function customers.detach_payment_method(text,text)', 'API'),
	('function customers.create_user(text,jsonb)', 'API'),
	('function customers.users(text,jsonb)', 'API'),
	('function customers.delete(text)', 'API'),
	('function customers.erase(text,jsonb)', 'API'),
	('function customers.events(jsonb)', 'API'),
	('function customers.save_class_labels(jsonb)', 'API'),
	('function customers.save_class_segments(jsonb)', 'API'),
	('function customers.class_segments(jsonb)', 'API'),
	('function customers.delete_class_segment(text)', 'API'),
	('function customers.current_tenant()', 'API; the tenant policies call it'),
	('function customers.cursor_key_guard()', 'the policy of cursor_key, run as the reader; it only raises'),
	('function customers.search_text(text,text,text,text,text,text)',
	 'the search index''s expression, run by every write of customer; it only folds its arguments'),
	('function customers.contain_grams(text,text,text,text,text)',
	 'the short grams index''s expression, run by every write of customer; it only folds its arguments'),
	('function customers.contain_keys(text,"char",text)',
	 'the keys of a short contain, beside its ILIKE; it only folds its arguments'),
	('function customers.custom_data_keys(jsonb)',
	 'the key paths'' index''s expression, run by every write of customer; it only reads its argument'),
	('function customers.custom_data_number(jsonb)', 'a declared path index''s expression; it only reads its argument'),
	('function customers.custom_data_text(jsonb)', 'a declared path index''s expression; it only reads its argument'),
	('function customers.custom_data_time(jsonb)', 'a declared path index''s expression; it only reads its argument');

-- Every member of the extension (pg_depend), what it is, and the privileges
-- PUBLIC and the application role hold on it
CREATE TEMP VIEW inventory AS
WITH members AS (
	SELECT d.classid, d.objid
	FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
	WHERE e.extname = 'customers' AND d.deptype = 'e'
), privileges AS (
	SELECT 'function ' || p.oid::regprocedure::text AS object,
		   CASE WHEN has_function_privilege('customers_inv_app', p.oid, 'EXECUTE') THEN 'EXECUTE' END AS app,
		   (SELECT string_agg(a.privilege_type, ',' ORDER BY a.privilege_type)
			FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS a WHERE a.grantee = 0) AS public
	FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
	UNION ALL
	SELECT CASE c.relkind WHEN 'r' THEN 'table ' WHEN 'S' THEN 'sequence ' WHEN 'v' THEN 'view '
						  ELSE 'relation ' END || c.oid::regclass::text,
		   (SELECT string_agg(x, ',' ORDER BY x)
			FROM unnest('{SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER,USAGE}'::text[]) AS x
			WHERE CASE WHEN c.relkind = 'S' THEN x IN ('SELECT', 'UPDATE', 'USAGE')
						   AND has_sequence_privilege('customers_inv_app', c.oid, x)
					   ELSE x <> 'USAGE' AND has_table_privilege('customers_inv_app', c.oid, x) END
			   OR (c.relkind <> 'S' AND x IN ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES')
				   AND has_any_column_privilege('customers_inv_app', c.oid, x))),
		   (SELECT string_agg(a.privilege_type, ',' ORDER BY a.privilege_type)
			FROM aclexplode(coalesce(c.relacl, acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) AS a
			WHERE a.grantee = 0)
	FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	UNION ALL
	SELECT 'type ' || t.oid::regtype::text,
		   CASE WHEN has_type_privilege('customers_inv_app', t.oid, 'USAGE') THEN 'USAGE' END,
		   (SELECT string_agg(a.privilege_type, ',') FROM aclexplode(coalesce(t.typacl, acldefault('T', t.typowner))) AS a
			WHERE a.grantee = 0)
	FROM members m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
	-- PostgreSQL 18 also records the row types of the tables (and their
	-- arrays) as members; they come with the tables
	WHERE t.typrelid = 0 AND NOT EXISTS (SELECT FROM pg_type e WHERE e.oid = t.typelem AND e.typrelid <> 0)
	UNION ALL
	SELECT 'member ' || pg_describe_object(m.classid, m.objid, 0), NULL, NULL
	FROM members m WHERE m.classid NOT IN ('pg_proc'::regclass, 'pg_class'::regclass, 'pg_type'::regclass)
)
SELECT object, coalesce(app, '-') AS app, coalesce(public, '-') AS public FROM privileges;

SELECT * FROM inventory ORDER BY object;
-- reachable by PUBLIC or the application role, and not the documented API
SELECT coalesce(string_agg(format('%s (app: %s, PUBLIC: %s)', i.object, i.app, i.public), E'\n' ORDER BY i.object),
				'none') AS reachable_beyond_the_api
FROM inventory i LEFT JOIN api a ON a.object = i.object
WHERE (i.app <> '-' OR i.public <> '-') AND a.object IS NULL;
-- and the list names nothing that is not there
SELECT coalesce(string_agg(a.object, ', '), 'none') AS api_not_found
FROM api a LEFT JOIN inventory i ON i.object = a.object WHERE i.object IS NULL;
-- internal functions are every member function outside the API: no EXECUTE for PUBLIC
SELECT coalesce(string_agg(i.object, ', ' ORDER BY i.object), 'none') AS internal_functions,
	   bool_and(i.public = '-' AND i.app = '-') AS none_executable
FROM inventory i WHERE i.object LIKE 'function %' AND NOT EXISTS (SELECT 1 FROM api a WHERE a.object = i.object);

-- Triggers and policies hang on the tables: each trigger runs an internal
-- function, each policy is a tenant policy or the cursor key's guard
SELECT t.tgrelid::regclass AS "table", t.tgname AS trigger, t.tgfoid::regprocedure AS function,
	   has_function_privilege('customers_inv_app', t.tgfoid, 'EXECUTE') AS app_may_execute
FROM pg_trigger t JOIN pg_depend d ON d.objid = t.tgrelid AND d.deptype = 'e'
	AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'customers')
WHERE NOT t.tgisinternal ORDER BY 1, 2;
SELECT tablename, policyname, cmd, roles, qual, with_check FROM pg_policies
WHERE schemaname = 'customers' ORDER BY 1, 2;
-- every table of the extension: forced row level security, TRUNCATE guarded
SELECT coalesce(string_agg(c.relname, ', ' ORDER BY c.relname), 'none') AS tables_unguarded
FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e'
	AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'customers')
WHERE c.relkind = 'r' AND NOT (c.relrowsecurity AND c.relforcerowsecurity
	AND EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'refuse_confined_truncate'
				AND t.tgfoid = 'customers.refuse_confined_truncate()'::regprocedure));
-- no function runs as its owner through SECURITY DEFINER, and none is
-- LEAKPROOF (a leakproof function would run before the tenant policy)
SELECT count(*) FILTER (WHERE p.prosecdef) AS security_definer, count(*) FILTER (WHERE p.proleakproof) AS leakproof
FROM pg_proc p WHERE p.pronamespace = 'customers'::regnamespace;

--
-- Internal functions run only where they were made for. Only a role with
-- EXECUTE (here the superuser) can even attach them; attached elsewhere, or
-- called directly, they refuse.
--
CREATE TEMP TABLE planted (tenant_id text, id text);
CREATE TRIGGER planted_delete AFTER DELETE ON planted REFERENCING OLD TABLE AS deleted
	FOR EACH STATEMENT EXECUTE FUNCTION customers.delete_customer_history();
CREATE TRIGGER planted_truncate AFTER TRUNCATE ON planted
	FOR EACH STATEMENT EXECUTE FUNCTION customers.delete_customer_history();
INSERT INTO planted VALUES ('sec_b', 'cus_sec_b');
SELECT raises('DELETE FROM planted') AS delete_history_on_another_table;
SELECT raises('TRUNCATE planted') AS truncate_history_on_another_table;
DROP TABLE planted;
CREATE TEMP TABLE planted (tenant_id text, id text);
CREATE TRIGGER planted_truncate BEFORE TRUNCATE ON planted
	FOR EACH STATEMENT EXECUTE FUNCTION customers.refuse_confined_truncate();
SELECT raises('TRUNCATE planted') AS truncate_guard_on_another_table;
DROP TABLE planted;
-- on its own table, but for the wrong event
CREATE TRIGGER wrong_event AFTER INSERT ON customers.customer
	FOR EACH STATEMENT EXECUTE FUNCTION customers.delete_customer_history();
SELECT raises($$SELECT customers.save('{"data": [{"id": "cus_inv", "name": "Inventory"}]}')$$) AS delete_history_after_insert;
DROP TRIGGER wrong_event ON customers.customer;
CREATE TRIGGER wrong_event AFTER TRUNCATE ON customers.event
	FOR EACH STATEMENT EXECUTE FUNCTION customers.refuse_confined_truncate();
SELECT raises('TRUNCATE customers.event') AS truncate_guard_after_truncate;
DROP TRIGGER wrong_event ON customers.event;
-- called as a function
SELECT raises('SELECT customers.delete_customer_history()') AS delete_history_called;
SELECT raises('SELECT customers.refuse_confined_truncate()') AS truncate_guard_called;
SELECT raises('SELECT customers.cursor_key_guard()') AS cursor_key_guard_called;

REVOKE USAGE ON SCHEMA customers FROM customers_inv_app;
DROP ROLE customers_inv_app;
