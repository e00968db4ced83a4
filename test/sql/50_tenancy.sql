-- Tenancy: customers.tenant_id scopes every function, require_tenant refuses
-- calls without a tenant, and an ordinary application role works through the
-- functions alone.
\pset format unaligned

-- unset ('' after RESET) means the tenant "default"
RESET customers.tenant_id;
SELECT customers.current_tenant();
SELECT customers.save('{"data": [{"id": "cus_shared", "name": "Default tenant"}]}') ->> 'result' AS result;

-- the same id and externalId in another tenant are another customer
SET customers.tenant_id = 'tenant_a';
SELECT customers.current_tenant();
SELECT customers.get('cus_shared') AS not_visible_in_a;
SELECT i.status, i.data ->> 'name' AS name, i.data -> 'version' AS version
FROM items(customers.save('{"data": [{"id": "cus_shared", "name": "Tenant A", "externalId": "ext-1"}]}')) AS i;
SET customers.tenant_id = 'tenant_b';
SELECT i.status, i.data ->> 'name' AS name, i.data -> 'version' AS version
FROM items(customers.save('{"data": [{"id": "cus_shared", "name": "Tenant B", "externalId": "ext-1"}]}')) AS i;
SELECT raises($$SELECT customers.patch('cus_only_in_a', '{"name": "x"}')$$);
SELECT tenant_id, id, name, external_id FROM customers.customer WHERE id = 'cus_shared' ORDER BY tenant_id;

-- patch, archive and restore never reach another tenant's customer
SET customers.tenant_id = 'tenant_a';
SELECT customers.save('{"data": [{"id": "cus_only_in_a", "name": "Only A"}]}') ->> 'result' AS result;
SET customers.tenant_id = 'tenant_b';
SELECT raises($$SELECT customers.patch('cus_only_in_a', '{"name": "Hijacked"}')$$);
SELECT raises($$SELECT customers.archive('cus_only_in_a')$$);
SELECT raises($$SELECT customers.restore('cus_only_in_a')$$);
SELECT customers.get('cus_only_in_a') AS not_visible_in_b;
SELECT name, status, version FROM customers.customer WHERE id = 'cus_only_in_a';

-- SET LOCAL lasts for the transaction; afterwards the setting reads '' again
BEGIN;
SET LOCAL customers.tenant_id = 'tenant_a';
SELECT customers.get('cus_shared') ->> 'name' AS name_in_transaction;
COMMIT;
RESET customers.tenant_id;
SELECT current_setting('customers.tenant_id') AS after_commit, customers.get('cus_shared') ->> 'name' AS name;

-- require_tenant refuses calls without a tenant, and tenant ids are bounded
SET customers.require_tenant = on;
SELECT raises($$SELECT customers.get('cus_shared')$$);
SELECT raises($$SELECT customers.save('{"data": [{"name": "No tenant"}]}')$$);
SET customers.tenant_id = 'tenant_a';
SELECT customers.get('cus_shared') ->> 'name' AS with_tenant;
RESET customers.require_tenant;
SELECT set_config('customers.tenant_id', repeat('t', 256), false) IS NOT NULL AS set_long_tenant;
SELECT raises($$SELECT customers.get('cus_shared')$$);
SELECT set_config('customers.tenant_id', repeat('t', 255), false) IS NOT NULL AS set_255_tenant;
SELECT customers.get('cus_shared') AS none_in_tenant_255;

-- customers.actor names who made a change; unset, the database user does
SET customers.tenant_id = 'tenant_actor';
SET customers.actor = 'api-key-42';
SELECT i.data ->> 'createdBy' AS created_by, i.data ->> 'updatedBy' AS updated_by
FROM items(customers.save('{"data": [{"id": "cus_actor", "name": "Actor"}]}')) AS i;
RESET customers.actor;
SELECT customers.patch('cus_actor', '{"name": "Actor 2"}') ->> 'updatedBy' = current_user AS updated_by_user;

-- an ordinary role (no table privileges, not the owner, RLS in force) works
-- through the functions, and reads nothing directly
CREATE ROLE customers_test_app;
GRANT USAGE ON SCHEMA customers TO customers_test_app;
SET ROLE customers_test_app;
SET customers.tenant_id = 'tenant_app';
SELECT i.status, i.data ->> 'createdBy' AS created_by
FROM items(customers.save('{"data": [{"id": "cus_app", "name": "From the app"}]}')) AS i;
SELECT customers.get('cus_app') ->> 'name' AS name;
SELECT customers.archive('cus_app') ->> 'status' AS status;
SELECT raises('SELECT count(*) FROM customers.customer');
RESET ROLE;

-- granted direct access, row level security shows the role its tenant only
GRANT SELECT ON customers.customer TO customers_test_app;
SET ROLE customers_test_app;
SELECT tenant_id, id FROM customers.customer ORDER BY id;
SET customers.tenant_id = 'tenant_a';
SELECT tenant_id, id FROM customers.customer ORDER BY id;
RESET ROLE;
REVOKE ALL ON customers.customer FROM customers_test_app;
REVOKE ALL ON SCHEMA customers FROM customers_test_app;
DROP ROLE customers_test_app;
