-- customers.distribute(), the one step that distributes the tables with
-- Citus (test/citus runs it on a Citus cluster), refuses where Citus is not
-- installed, and changes nothing.
SELECT raises('SELECT customers.distribute()') AS without_citus;
SELECT tgname FROM pg_trigger
WHERE tgrelid = 'customers.customer'::regclass AND NOT tgisinternal ORDER BY tgname;
SELECT conname FROM pg_constraint
WHERE conrelid = 'customers.event'::regclass AND contype = 'f';
-- an application role may not run it
CREATE ROLE customers_distribute_app;
GRANT USAGE ON SCHEMA customers TO customers_distribute_app;
SET ROLE customers_distribute_app;
SELECT raises('SELECT customers.distribute()') AS as_application;
RESET ROLE;
REVOKE USAGE ON SCHEMA customers FROM customers_distribute_app;
DROP ROLE customers_distribute_app;
