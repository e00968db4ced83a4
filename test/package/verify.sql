-- The install check of docs/operations.md (Installing), run by
-- scripts/package.sh against the installed package in a new database
CREATE EXTENSION customers CASCADE;
SELECT extversion FROM pg_extension WHERE extname = 'customers';
SELECT customers.query('{"limit": 1}') ->> 'result';
