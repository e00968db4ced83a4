-- customers 0.1.0 -> 0.2.0
-- Every schema change of 0.2.0 adds its statements here, in the order they
-- appear in sql/customers.sql; test/t/004_upgrade.pl compares the result
-- with a fresh install of 0.2.0.
\echo Use "ALTER EXTENSION customers UPDATE TO '0.2.0'" to load this file. \quit
