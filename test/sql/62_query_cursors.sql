-- The seed 001 query (docs/api.md §9.1; without classSegments, which test
-- 71 covers) and the cursor contract: tokens work only as issued, for their
-- tenant, filter and sort; anything else is 22023 "invalid cursor", never a
-- silent restart.
SET customers.tenant_id = 'qcursor';
SET customers.actor = 'cursor-test';

\getenv abs_srcdir PG_ABS_SRCDIR
\set seed_000_request `cat :'abs_srcdir'/fixtures/seed_000_save_request.json`
\set seed_001_request `cat :'abs_srcdir'/fixtures/seed_001_query_request_values.json`
\set seed_001_response `cat :'abs_srcdir'/fixtures/seed_001_query_response.json`

-- the seed 000 customer, a second "Acme Corp" (so the seed filter has two
-- pages at limit 1), and customers the filter must leave out
SELECT customers.save(jsonb_build_object('data', (:'seed_000_request'::jsonb -> 'data') || $json$
[
  {"name": "Acme Corp", "id": "cus_28868402", "email": "ap@acme.com"},
  {"name": "Acme Corp", "id": "cus_28868403", "email": "ops@acme.com", "status": "INACTIVE"},
  {"name": "Acme Corp", "id": "cus_28868404", "email": "old@acme.com", "status": "ARCHIVED"},
  {"name": "Acme Corp", "id": "cus_28868405"},
  {"name": "Bolt Inc", "id": "cus_28868406", "email": "billing@acme.com"}
]
$json$)) ->> 'result' AS saved;

-- Seed 001's request shape: every operator of name, status and email at
-- once, with values that hold for the active Acme Corps that have an
-- acme.com email (all but status.greaterThan: no status sorts before
-- ACTIVE); test/fixtures/seed_001_query_request_values.json without its
-- classSegments, at limit 1.
CREATE TEMP TABLE seed_query AS
SELECT (:'seed_001_request'::jsonb #- '{filter,classSegments}') || '{"limit": 1}' AS request;

-- one row: the seed customer; the filter admits no second page
SELECT r ->> 'result' AS result, jsonb_array_length(r -> 'data') AS rows,
	   r -> 'data' -> 0 ->> 'id' AS id, r -> 'cursor' AS cursor
FROM seed_query, LATERAL (SELECT customers.query(request) AS r) AS q;

-- the row is seed 001's response item, apart from classSegments (none
-- assigned here) and the server-set fields
SELECT (r -> 'data' -> 0) - '{classSegments,version,createdDateTime,updatedDateTime,createdBy,updatedBy}'::text[]
	   = (:'seed_001_response'::jsonb -> 'data' -> 0) - '{classSegments,createdDateTime}'::text[] AS equals_seed_response,
	   r -> 'data' -> 0 ->> 'createdDateTime' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$' AS created_rfc3339
FROM seed_query, LATERAL (SELECT customers.query(request) AS r) AS q;

-- Widened to every acme.com email: two pages at limit 1, then back.
UPDATE seed_query SET request = jsonb_set(request, '{filter,email}', '{"contain": "@acme.com"}');
SELECT r -> 'data' -> 0 ->> 'id' AS page1, r -> 'cursor' ? 'after' AS has_after,
	   r -> 'cursor' ? 'before' AS has_before
FROM seed_query, LATERAL (SELECT customers.query(request) AS r) AS q;
SELECT customers.query(request) -> 'cursor' ->> 'after' AS after FROM seed_query \gset
SELECT r -> 'data' -> 0 ->> 'id' AS page2, r -> 'cursor' ? 'after' AS has_after,
	   r -> 'cursor' ? 'before' AS has_before
FROM seed_query, LATERAL (SELECT customers.query(request || jsonb_build_object('cursor', :'after')) AS r) AS q;
SELECT customers.query(request || jsonb_build_object('cursor', :'after')) -> 'cursor' ->> 'before' AS before
FROM seed_query \gset
SELECT r -> 'data' -> 0 ->> 'id' AS back_to_page1, r -> 'cursor' ? 'after' AS has_after,
	   r -> 'cursor' ? 'before' AS has_before
FROM seed_query, LATERAL (SELECT customers.query(request || jsonb_build_object('cursor', :'before')) AS r) AS q;
-- the limit may change between pages
SELECT jsonb_array_length(customers.query(request || jsonb_build_object('cursor', :'before', 'limit', 50)) -> 'data')
	   AS rows_before_with_limit_50
FROM seed_query;

-- Tokens altered one character at a time, at every position, into every
-- other base64url character: all refused as altered (a token has one
-- canonical spelling, so even the spare bits of the last character count).
CREATE TEMP TABLE alphabet AS
SELECT regexp_split_to_table('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', '') AS c;
SELECT length(:'after') > 20 AS token_is_long,
	   count(*) AS altered_tokens,
	   count(*) FILTER (WHERE raises(format('SELECT customers.query(%L::jsonb || %L)', request,
		   jsonb_build_object('cursor', overlay(:'after' placing c from pos for 1))))
		   LIKE '22023: invalid cursor%') AS refused_22023
FROM seed_query, generate_series(1, length(:'after')) AS pos, alphabet
WHERE substr(:'after', pos, 1) <> c;
-- the messages, for one altered character near the start and one at the end
SELECT raises(format('SELECT customers.query(%L::jsonb || %L)', request,
	   jsonb_build_object('cursor', overlay(:'after' placing
		   CASE substr(:'after', 3, 1) WHEN 'A' THEN 'B' ELSE 'A' END from 3 for 1))))
FROM seed_query;
SELECT raises(format('SELECT customers.query(%L::jsonb || %L)', request,
	   jsonb_build_object('cursor', overlay(:'after' placing
		   CASE right(:'after', 1) WHEN 'A' THEN 'B' ELSE 'A' END from length(:'after') for 1))))
FROM seed_query;

-- truncated at every length, and extended
SELECT count(*) AS truncations,
	   count(*) FILTER (WHERE raises(format('SELECT customers.query(%L::jsonb || %L)', request,
		   jsonb_build_object('cursor', left(:'after', n)))) LIKE '22023: invalid cursor%') AS refused_22023
FROM seed_query, generate_series(1, length(:'after') - 1) AS n;
SELECT raises(format('SELECT customers.query(%L::jsonb || %L)', request,
	   jsonb_build_object('cursor', left(:'after', length(:'after') - 4)))) AS truncated
FROM seed_query;
SELECT raises(format('SELECT customers.query(%L::jsonb || %L)', request,
	   jsonb_build_object('cursor', :'after' || 'AAAA'))) AS extended
FROM seed_query;

-- not a token at all
SELECT raises(format('SELECT customers.query(%L::jsonb || %L)', request, c)) AS not_a_token
FROM seed_query, (VALUES ('{"cursor": ""}'::jsonb), ('{"cursor": "not a cursor!"}'),
						 ('{"cursor": "A"}'), ('{"cursor": "AAAA"}'), ('{"cursor": 42}'),
						 ('{"cursor": {"after": "x"}}')) AS v(c);
SELECT raises(format('SELECT customers.query(%L::jsonb || %L)', request,
	   jsonb_build_object('cursor', repeat('A', 4100))))  AS too_long
FROM seed_query;

-- the same token with another filter, another sort, another direction
SELECT raises(format('SELECT customers.query(%L::jsonb || %L)',
	   jsonb_set(request, '{filter,email,contain}', '"@acme.co"'), jsonb_build_object('cursor', :'after')))
	   AS other_filter
FROM seed_query;
SELECT raises(format('SELECT customers.query(%L::jsonb || %L)',
	   request - 'filter', jsonb_build_object('cursor', :'after'))) AS no_filter
FROM seed_query;
SELECT raises(format('SELECT customers.query(%L::jsonb || %L)',
	   jsonb_set(request, '{sort,orderBy}', '"EMAIL"'), jsonb_build_object('cursor', :'after')))
	   AS other_sort
FROM seed_query;
SELECT raises(format('SELECT customers.query(%L::jsonb || %L)',
	   jsonb_set(request, '{sort,direction}', '"DESC"'), jsonb_build_object('cursor', :'after')))
	   AS other_direction
FROM seed_query;
-- the filter's key order and spacing do not matter: it is bound as canonical jsonb
SELECT jsonb_array_length(customers.query(jsonb_build_object('limit', 1, 'cursor', :'after',
		   'sort', '{"direction": "ASC", "orderBy": "NAME"}'::jsonb, 'filter', request -> 'filter')) -> 'data')
	   AS same_filter_rebuilt
FROM seed_query;

-- another tenant: the same request and token
SET customers.tenant_id = 'qcursor_other';
SELECT customers.save('{"data": [{"name": "Acme Corp", "id": "cus_28868401", "email": "billing@acme.com"},
								 {"name": "Acme Corp", "id": "cus_28868402", "email": "ap@acme.com"}]}')
	   ->> 'result' AS saved_other_tenant;
SELECT raises(format('SELECT customers.query(%L::jsonb || %L)', request,
	   jsonb_build_object('cursor', :'after'))) AS foreign_tenant
FROM seed_query;
SET customers.tenant_id = 'qcursor';

-- query and get only read: they work in a read-only transaction
BEGIN READ ONLY;
SELECT jsonb_array_length(customers.query('{"limit": 3}') -> 'data') AS read_only_rows,
	   customers.get('cus_28868401') ->> 'name' AS read_only_get;
SELECT customers.query(request || jsonb_build_object('cursor', :'after')) -> 'data' -> 0 ->> 'id'
	   AS read_only_page2
FROM seed_query;
COMMIT;
