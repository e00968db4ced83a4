-- Demo of the customers extension; run by scripts/demo.sh (psql -e).
-- Plain, header-less output so jsonb_pretty prints as clean JSON.
\pset format unaligned
\pset tuples_only on

\echo
\echo '=== 1. customers.save: create "Acme Corp" (cus_28868401) ==='
-- seed 000's request (docs/api.md §9.0), shown as the file holds it rather
-- than as psql quotes it; psql runs from the repository's root
\set seed_000_request `cat test/fixtures/seed_000_save_request.json`
\echo 'SELECT jsonb_pretty(customers.save(:''seed_000_request''::jsonb)); -- test/fixtures/seed_000_save_request.json:'
\echo :seed_000_request
\set ECHO none
SELECT jsonb_pretty(customers.save(:'seed_000_request'::jsonb));
\set ECHO queries

\echo
\echo '=== 2. customers.get: read it back ==='
SELECT jsonb_pretty(customers.get('cus_28868401'));

\echo
\echo '=== 3. customers.patch: new email, city; drop customData.some_other_field ==='
SELECT jsonb_pretty(customers.patch('cus_28868401',
  '{"email":"ap@acme.com","address":{"city":"Washington"},"customData":{"some_other_field":null}}'));

\echo
\echo '=== 4. customers.archive ==='
SELECT jsonb_pretty(customers.archive('cus_28868401'));

\echo
\echo '=== 5. customers.restore ==='
SELECT jsonb_pretty(customers.restore('cus_28868401'));

\echo
\echo '=== 6. customers.query: two more customers, then the ones whose name contains "ac", by name, two per page ==='
SELECT customers.save('{"data": [{"name": "Beacon Labs", "email": "ap@beacon.io"},
                                 {"name": "Tracy & Co", "status": "INACTIVE"}]}') ->> 'result' AS saved;
SELECT jsonb_pretty(jsonb_build_object(
         'names', jsonb_path_query_array(page, '$.data[*].name'),
         'has_next_page', page -> 'cursor' ? 'after'))
FROM customers.query('{"limit": 2, "sort": {"orderBy": "NAME"}, "filter": {"name": {"contain": "ac"}}}') AS page;
