-- Tenant isolation on Citus. Row level security on direct SQL runs on the
-- workers, which see the tenant only when it is set with SET LOCAL
-- (citus.propagate_set_commands = 'local' passes it on); set another way,
-- direct SQL is refused there instead of reading tenant "default". The
-- functions take the tenant on the coordinator and work either way.
-- a role that direct SQL reaches the workers as: it must exist and log in
-- there
CREATE ROLE citus_tenant_app LOGIN;
GRANT USAGE ON SCHEMA customers TO citus_tenant_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON customers.customer TO citus_tenant_app;
SET ROLE citus_tenant_app;
BEGIN;
SET LOCAL customers.tenant_id = 'citus_x';
SELECT count(*) AS rows, array_agg(DISTINCT tenant_id) AS tenants FROM customers.customer;
SELECT count(*) AS other_tenant_rows FROM customers.customer WHERE tenant_id = 'citus_b';
SELECT customers.get('cus_r1') ->> 'name' AS function_get;
SELECT jsonb_path_query_array(customers.query('{}'), '$.data[*].id') AS function_query;
UPDATE customers.customer SET name = 'Taken' WHERE tenant_id = 'citus_b';
DELETE FROM customers.customer WHERE tenant_id = 'citus_b';
-- (the shard's name in the message, here without its number)
SELECT regexp_replace(raises($$INSERT INTO customers.customer (tenant_id, id, name, status, created_at, updated_at, version, doc)
	VALUES ('citus_b', 'cus_x', 'x', 'ACTIVE', now(), now(), 1, '{}')$$), '_[0-9]+"', '_<shard>"') AS insert_for_other_tenant;
COMMIT;
BEGIN;
SET LOCAL customers.tenant_id = 'citus_b';
SELECT count(*) AS rows, array_agg(DISTINCT tenant_id) AS tenants, min(name) AS name FROM customers.customer;
SELECT customers.get('cus_r1') ->> 'name' AS function_get;
COMMIT;
-- set_config(..., true), as a parameterized driver call would
BEGIN;
SELECT set_config('customers.tenant_id', 'citus_x', true) IS NOT NULL AS set;
SELECT raises('SELECT count(*) FROM customers.customer') AS direct_sql;
SELECT customers.get('cus_r1') ->> 'name' AS function_get;
SELECT jsonb_path_query_array(customers.query('{}'), '$.data[*].id') AS function_query;
COMMIT;
-- a session-level SET
SET customers.tenant_id = 'citus_b';
SELECT raises('SELECT count(*) FROM customers.customer') AS direct_sql;
SELECT customers.get('cus_r1') ->> 'name' AS function_get;
RESET customers.tenant_id;
RESET ROLE;

-- Deleting a customer directly takes its history with it, as on PostgreSQL
-- (where a statement trigger does it; on Citus a foreign key).
SET customers.tenant_id = 'citus_b';
SELECT mask(customers.patch('cus_r1', '{"name": "Other 2"}')) ->> 'version' AS version;
SELECT count(*) AS history_rows FROM customers.event WHERE tenant_id = 'citus_b' AND version IS NOT NULL;
DELETE FROM customers.customer WHERE tenant_id = 'citus_b' AND id = 'cus_r1';
SELECT count(*) AS history_rows FROM customers.event WHERE tenant_id = 'citus_b' AND version IS NOT NULL;
SELECT customers.get('cus_r1') AS deleted;
RESET customers.tenant_id;
-- and TRUNCATE ... CASCADE takes all history
BEGIN;
SET LOCAL client_min_messages = warning;
TRUNCATE customers.customer CASCADE;
SELECT count(*) AS history_after_truncate FROM customers.event WHERE customer_id IS NOT NULL;
ROLLBACK;
SELECT count(*) > 0 AS history_back FROM customers.event;
REVOKE ALL ON customers.customer FROM citus_tenant_app;
REVOKE USAGE ON SCHEMA customers FROM citus_tenant_app;
DROP ROLE citus_tenant_app;
