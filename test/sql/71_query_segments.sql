-- Class segments in query (docs/api.md §4, §5): filter.classSegments.id.in
-- finds the customers of the listed segments and of all their descendants,
-- and filter.classSegments.expand turns each assigned segment into the chain
-- from its root down to it, exactly as in seed 001 (§9.1). Filters and
-- chains follow a segment that moves. Pagination keeps its property under
-- segment filters.
SET customers.tenant_id = 'qsegments';
SET customers.actor = 'segments-test';
\pset format unaligned
\getenv abs_srcdir PG_ABS_SRCDIR
\set seed_000_request `cat :'abs_srcdir'/fixtures/seed_000_save_request.json`
\set seed_001_request `cat :'abs_srcdir'/fixtures/seed_001_query_request_values.json`
\set seed_001_response `cat :'abs_srcdir'/fixtures/seed_001_query_response.json`

-- the ids a query returns, in order (one page of up to 1000)
CREATE FUNCTION pg_temp.ids(filter jsonb) RETURNS text
LANGUAGE sql AS $$
	SELECT coalesce(string_agg(d ->> 'id', ' ' ORDER BY o), '(none)')
	FROM jsonb_array_elements(customers.query(jsonb_build_object('limit', 1000, 'filter', filter)) -> 'data')
		 WITH ORDINALITY AS t(d, o)
$$;
-- one customer's classSegments as a query with this filter returns it
CREATE FUNCTION pg_temp.segments_of(id text, filter jsonb) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT d -> 'classSegments'
	FROM jsonb_array_elements(customers.query(jsonb_build_object('limit', 1000, 'filter', filter)) -> 'data') AS d
	WHERE d ->> 'id' = id
$$;

-- Label Region (cll_4521, as in seed 001): Mid-Atlantic → Washington DC,
-- Mid-Atlantic → Maryland → Baltimore. Label Tier: Gold.
SELECT customers.save_class_labels('{"data": [
	{"id": "cll_4521", "name": "Region", "requiredness": "NOT_REQUIRED"},
	{"id": "cll_tier", "name": "Tier"}]}') ->> 'result' AS labels;
SELECT customers.save_class_segments('{"data": [
	{"id": "cls_593051", "name": "Mid-Atlantic", "label": "cll_4521"},
	{"id": "cls_593052", "name": "Washington DC", "label": "cll_4521", "parent": "cls_593051"},
	{"id": "cls_md", "name": "Maryland", "label": "cll_4521", "parent": "cls_593051"},
	{"id": "cls_balt", "name": "Baltimore", "label": "cll_4521", "parent": "cls_md"},
	{"id": "cls_gold", "name": "Gold", "label": "cll_tier"}]}') ->> 'result' AS segments;

-- the seed customer in Washington DC; one customer of Mid-Atlantic itself,
-- one of Maryland (and Gold), one of Baltimore, one of Gold only, one
-- without segments, and an archived one in Washington DC
SELECT customers.save(jsonb_build_object('data',
	jsonb_build_array((:'seed_000_request'::jsonb -> 'data' -> 0) || '{"classSegments": ["cls_593052"]}')
	|| $json$
[
  {"name": "Capitol Partners", "id": "cus_q_ma", "classSegments": [{"id": "cls_593051"}]},
  {"name": "Chesapeake LLC", "id": "cus_q_md", "classSegments": ["cls_gold", "cls_md"]},
  {"name": "Harbor Inc", "id": "cus_q_balt", "classSegments": ["cls_balt"]},
  {"name": "Gold Only", "id": "cus_q_gold", "classSegments": ["cls_gold"]},
  {"name": "No Segments", "id": "cus_q_none"},
  {"name": "Archived DC", "id": "cus_q_arch", "status": "ARCHIVED", "classSegments": ["cls_593052"]}
]
$json$)) ->> 'result' AS saved;

--
-- Seed 001: the full request, classSegments.expand and id.in included, with
-- values that hold for the seed customer (as test 62 explains), filtering
-- by the parent segment Mid-Atlantic
-- (test/fixtures/seed_001_query_request_values.json)
--
CREATE TEMP TABLE seed_query AS SELECT :'seed_001_request'::jsonb AS request;
SELECT r ->> 'result' AS result, jsonb_array_length(r -> 'data') AS rows, r -> 'cursor' AS cursor
FROM seed_query, LATERAL (SELECT customers.query(request) AS r) AS q;
-- the row is seed 001's response item (its "child": "<unknown>" is null at
-- the leaf), apart from the server-set fields
SELECT (r -> 'data' -> 0) - '{version,createdDateTime,updatedDateTime,createdBy,updatedBy}'::text[]
	   = jsonb_set((:'seed_001_response'::jsonb -> 'data' -> 0) - 'createdDateTime',
				   '{classSegments,0,child,child}', 'null') AS equals_seed_response
FROM seed_query, LATERAL (SELECT customers.query(request) AS r) AS q;
SELECT jsonb_pretty(customers.query(request) -> 'data' -> 0 -> 'classSegments') AS seed_chain FROM seed_query;
-- without expand, the same customer holds [{"id": …}] as stored
SELECT customers.query(request #- '{filter,classSegments,expand}') -> 'data' -> 0 -> 'classSegments' AS unexpanded
FROM seed_query;
SELECT customers.query(jsonb_set(request, '{filter,classSegments,expand}', 'false')) -> 'data' -> 0 -> 'classSegments'
	   AS expand_false
FROM seed_query;

--
-- Filtering by subtree: a parent finds the customers of all its
-- descendants and its own; a leaf does not find its parent's customers
--
SELECT f AS segments, pg_temp.ids(jsonb_build_object('classSegments', jsonb_build_object('id', jsonb_build_object('in', f)))) AS customers
FROM (VALUES ('["cls_593051"]'::jsonb), ('["cls_593052"]'), ('["cls_md"]'), ('["cls_balt"]'),
			 ('["cls_gold"]'), ('["cls_593052", "cls_gold"]'), ('["cls_balt", "cls_md"]'),
			 ('[]'), ('["cls_nope"]')) AS t(f);
-- archived customers only when the status filter names ARCHIVED
SELECT pg_temp.ids('{"classSegments": {"id": {"in": ["cls_593052"]}}, "status": {"equal": "ARCHIVED"}}') AS archived,
	   pg_temp.ids('{"classSegments": {"id": {"in": ["cls_593052"]}}, "status": {"in": ["ACTIVE", "ARCHIVED"]}}') AS both;
-- with other fields: all must hold
SELECT pg_temp.ids('{"classSegments": {"id": {"in": ["cls_593051"]}}, "name": {"contain": "AR"}}') AS with_name,
	   pg_temp.ids('{"classSegments": {"expand": true}, "name": {"greaterThan": "H"}}') AS expand_only;

--
-- Expansion: one chain per assigned segment, in the order stored; a root
-- alone is a chain of one; a customer without segments has none
--
SELECT id, jsonb_pretty(pg_temp.segments_of(id, '{"classSegments": {"expand": true}}')) AS chains
FROM unnest('{cus_q_md,cus_q_ma}'::text[]) AS id;
SELECT pg_temp.segments_of('cus_q_none', '{"classSegments": {"expand": true}}') AS none_expanded,
	   pg_temp.segments_of('cus_q_md', '{}') AS md_unexpanded;
-- a renamed segment or label shows its new name in the chains
SELECT customers.save_class_labels('{"data": [{"id": "cll_tier", "name": "Customer tier"}]}') ->> 'result' AS renamed;
SELECT customers.save_class_segments('{"data": [{"id": "cls_gold", "name": "Gold+"}]}') ->> 'result' AS renamed;
SELECT pg_temp.segments_of('cus_q_gold', '{"classSegments": {"expand": true}}') AS gold_renamed;

--
-- Moving a segment moves its customers: filters and chains follow
--
-- Maryland (with Baltimore) moves under Washington DC
SELECT customers.save_class_segments('{"data": [{"id": "cls_md", "parent": "cls_593052"}]}') ->> 'result' AS moved;
SELECT pg_temp.ids('{"classSegments": {"id": {"in": ["cls_593052"]}}}') AS under_dc,
	   pg_temp.ids('{"classSegments": {"id": {"in": ["cls_593051"]}}}') AS under_mid_atlantic;
SELECT jsonb_path_query_array(pg_temp.segments_of('cus_q_balt', '{"classSegments": {"expand": true}}'),
							  'strict $[*].** ? (exists (@.child)).name') AS balt_chain;
-- Maryland becomes a root of its own: Mid-Atlantic no longer finds it
SELECT customers.save_class_segments('{"data": [{"id": "cls_md", "parent": null}]}') ->> 'result' AS moved;
SELECT pg_temp.ids('{"classSegments": {"id": {"in": ["cls_593051"]}}}') AS under_mid_atlantic,
	   pg_temp.ids('{"classSegments": {"id": {"in": ["cls_md"]}}}') AS under_maryland;
SELECT jsonb_path_query_array(pg_temp.segments_of('cus_q_balt', '{"classSegments": {"expand": true}}'),
							  'strict $[*].** ? (exists (@.child)).name') AS balt_chain;
-- a customer moved to another segment leaves the old subtree
SELECT customers.patch('cus_q_balt', '{"classSegments": ["cls_593052"]}') -> 'classSegments' AS patched;
SELECT pg_temp.ids('{"classSegments": {"id": {"in": ["cls_md"]}}}') AS under_maryland,
	   pg_temp.ids('{"classSegments": {"id": {"in": ["cls_593052"]}}}') AS under_dc;

--
-- Pages of an expanded, segment-filtered query: cursors work, and every
-- page is expanded
--
SELECT r -> 'data' -> 0 ->> 'id' AS page1, jsonb_array_length(r -> 'data' -> 0 -> 'classSegments') AS chains,
	   r -> 'cursor' ? 'after' AS has_after
FROM customers.query('{"limit": 1, "filter": {"classSegments": {"expand": true, "id": {"in": ["cls_593051"]}}}}') AS r;
SELECT customers.query('{"limit": 1, "filter": {"classSegments": {"expand": true, "id": {"in": ["cls_593051"]}}}}')
	   -> 'cursor' ->> 'after' AS after \gset
SELECT r -> 'data' -> 0 ->> 'id' AS page2, r -> 'data' -> 0 -> 'classSegments' -> 0 ->> 'name' AS root,
	   r -> 'data' -> 0 -> 'classSegments' -> 0 -> 'child' ->> 'name' AS child,
	   r -> 'cursor' ? 'after' AS has_after, r -> 'cursor' ? 'before' AS has_before
FROM customers.query(jsonb_build_object('limit', 1, 'cursor', :'after',
	 'filter', '{"classSegments": {"expand": true, "id": {"in": ["cls_593051"]}}}'::jsonb)) AS r;
-- the cursor is bound to the segment filter
SELECT raises(format($$SELECT customers.query('{"limit": 1, "cursor": "%s",
	"filter": {"classSegments": {"expand": true, "id": {"in": ["cls_md"]}}}}')$$, :'after')) AS other_segments;

--
-- Invalid segment filters: 22023 naming the path
--
SELECT r AS request, raises(format('SELECT customers.query(%L)', r)) AS error
FROM (VALUES
	('{"filter": {"classSegments": ["cls_1"]}}'),
	('{"filter": {"classSegments": {"expand": "true"}}}'),
	('{"filter": {"classSegments": {"id": ["cls_1"]}}}'),
	('{"filter": {"classSegments": {"id": {"notIn": ["cls_1"]}}}}'),
	('{"filter": {"classSegments": {"id": {"in": ["cls_1"], "notIn": []}}}}'),
	('{"filter": {"classSegments": {"id": {"in": [1]}}}}'),
	('{"filter": {"classSegments": {"label": "cll_4521"}}}')) AS c(r);

--
-- Pagination property (as test 60) under segment filters: 48 customers in
-- the segments of the tree, a quarter without any, some archived, with
-- duplicate names, NULL emails and business names
--
SET customers.tenant_id = 'qsegpage';
SELECT customers.save_class_labels('{"data": [{"id": "cll_r", "name": "Region"}]}') ->> 'result' AS labels;
SELECT customers.save_class_segments('{"data": [
	{"id": "cls_root", "name": "Root", "label": "cll_r"},
	{"id": "cls_a", "name": "A", "label": "cll_r", "parent": "cls_root"},
	{"id": "cls_a1", "name": "A1", "label": "cll_r", "parent": "cls_a"},
	{"id": "cls_b", "name": "B", "label": "cll_r", "parent": "cls_root"}]}') ->> 'result' AS segments;
SELECT customers.save(jsonb_build_object('data', (
	SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
		'id', format('cus_s%s', lpad(i::text, 3, '0')),
		'name', 'Name ' || (i % 4),
		'email', CASE WHEN i % 3 <> 0 THEN format('E%s@example.com', i % 5) END,
		'businessName', CASE WHEN i % 5 <> 0 THEN 'Biz ' || (i % 2) END,
		'status', CASE WHEN i % 7 = 0 THEN 'ARCHIVED' WHEN i % 6 = 0 THEN 'INACTIVE' ELSE 'ACTIVE' END,
		'classSegments', CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN '["cls_a"]'::jsonb
							  WHEN 2 THEN '["cls_a1"]' ELSE '["cls_b"]' END)) ORDER BY i)
	FROM generate_series(1, 48) AS i))) ->> 'result' AS saved;
-- how many each walk below must visit
SELECT count(*) FILTER (WHERE status <> 'ARCHIVED' AND doc -> 'classSegments' -> 0 ->> 'id' IN ('cls_a', 'cls_a1')) AS under_a,
	   count(*) FILTER (WHERE status IN ('ACTIVE', 'ARCHIVED') AND doc ? 'classSegments') AS under_root,
	   count(*) FILTER (WHERE status <> 'ARCHIVED' AND doc -> 'classSegments' -> 0 ->> 'id' IN ('cls_a1', 'cls_b')
						AND (email IS NULL OR email <> 'e1@example.com')) AS under_a1_b,
	   count(*) AS customers
FROM customers.customer WHERE tenant_id = 'qsegpage';
SELECT * FROM check_all('{"classSegments": {"id": {"in": ["cls_a"]}}}',
	$$status <> 'ARCHIVED' AND doc -> 'classSegments' @> ANY (ARRAY['[{"id": "cls_a"}]', '[{"id": "cls_a1"}]']::jsonb[])$$);
SELECT * FROM check_all('{"classSegments": {"expand": true, "id": {"in": ["cls_root"]}}, "status": {"in": ["ACTIVE", "ARCHIVED"]}}',
	$$status IN ('ACTIVE', 'ARCHIVED') AND doc ? 'classSegments'$$);
SELECT * FROM check_all('{"classSegments": {"id": {"in": ["cls_a1", "cls_b"]}}, "email": {"notEqual": "e1@example.com"}}',
	$$status <> 'ARCHIVED' AND (doc -> 'classSegments' @> '[{"id": "cls_a1"}]' OR doc -> 'classSegments' @> '[{"id": "cls_b"}]')
	  AND (email IS NULL OR email <> 'e1@example.com')$$);
