-- Class labels and segments (docs/api.md §5): batch saves with per-item
-- errors, the tree rules (a parent of the same label, no cycles, depth at
-- most 32, paths that follow a move), listing, delete, what customers may
-- hold, and tenant separation. Test 71 covers segments in queries.
SET customers.tenant_id = 'segments';
SET customers.actor = 'segments-test';
\pset format unaligned

-- labels(item, ...) / segments(item, ...): save the items in one batch, one
-- row per item result (times masked)
CREATE FUNCTION pg_temp.labels(VARIADIC batch jsonb[])
RETURNS TABLE (n bigint, result text, status int, data jsonb, error jsonb)
LANGUAGE sql AS $$
	SELECT * FROM items(customers.save_class_labels(jsonb_build_object('data', to_jsonb(batch))))
$$;
CREATE FUNCTION pg_temp.segments(VARIADIC batch jsonb[])
RETURNS TABLE (n bigint, result text, status int, data jsonb, error jsonb)
LANGUAGE sql AS $$
	SELECT * FROM items(customers.save_class_segments(jsonb_build_object('data', to_jsonb(batch))))
$$;
-- every label, segment and assignment of every tenant, to show that a failed
-- call changed nothing
CREATE FUNCTION pg_temp.tree_checksum() RETURNS text
LANGUAGE sql AS $$
	SELECT md5(concat_ws('|',
		(SELECT string_agg(l::text, ',' ORDER BY tenant_id, id) FROM customers.class_label AS l),
		(SELECT string_agg(s::text, ',' ORDER BY tenant_id, id) FROM customers.class_segment AS s),
		(SELECT string_agg(a::text, ',' ORDER BY tenant_id, customer_id, label_id)
		 FROM customers.customer_segment AS a)))
$$;
-- the segments of this tenant as stored: parent and path (the tenant read
-- before the query, which on Citus runs on a worker: test/citus)
CREATE FUNCTION pg_temp.stored(label text)
RETURNS TABLE (id text, name text, parent_id text, path text[])
LANGUAGE plpgsql AS $$
DECLARE
	tenant text := current_setting('customers.tenant_id');
BEGIN
	RETURN QUERY SELECT s.id, s.name, s.parent_id, s.path FROM customers.class_segment AS s
	WHERE s.tenant_id = tenant AND s.label_id = label ORDER BY s.id;
END
$$;

--
-- Labels
--
-- create (requiredness defaults to NOT_REQUIRED), and the whole envelope
SELECT mask(customers.save_class_labels('{"data": [
	{"id": "cll_region", "name": "Region"},
	{"id": "cll_tier", "name": "  Tier  ", "requiredness": "NOT_REQUIRED"}]}'));
-- a label without id gets a generated one
SELECT n, result, status, data ->> 'id' ~ '^cll_[0-9A-HJKMNP-TV-Z]{26}$' AS generated_id,
	   data ->> 'name' AS name, data ->> 'requiredness' AS requiredness
FROM pg_temp.labels('{"name": "Generated"}');
-- an update changes the given fields and keeps the others
SELECT n, result, status, data, error
FROM pg_temp.labels('{"id": "cll_tier", "requiredness": "REQUIRED"}', '{"id": "cll_region", "name": "Region"}');
-- per-item errors; the first of two items with one id is saved
SELECT n, result, status, data, error
FROM pg_temp.labels(
	'{}',
	'{"name": ""}',
	'{"name": 7}',
	'{"name": "R", "requiredness": "required"}',
	'{"name": "R", "requiredness": true}',
	'{"id": "cls_wrong_prefix", "name": "R"}',
	'{"id": "cll_", "name": "R"}',
	'{"id": "cll_has-dash", "name": "R"}',
	'{"name": "R", "color": "red"}',
	'"cll_region"',
	'{"id": "cll_twice", "name": "First"}',
	'{"id": "cll_twice", "name": "Second"}');
SELECT id, name, requiredness FROM customers.class_label
WHERE tenant_id = 'segments' AND name <> 'Generated' ORDER BY id;
DELETE FROM customers.class_label WHERE tenant_id = 'segments' AND id NOT IN ('cll_region', 'cll_tier');
-- the whole request: errors
SELECT raises($$SELECT customers.save_class_labels(NULL)$$);
SELECT raises($$SELECT customers.save_class_labels('[]')$$);
SELECT raises($$SELECT customers.save_class_labels('{"data": []}')$$);
SELECT raises($$SELECT customers.save_class_labels('{"data": {}}')$$);
SELECT raises($$SELECT customers.save_class_labels('{"data": [], "more": 1}')$$);
-- tier became REQUIRED: make it NOT_REQUIRED again until the customer tests
SELECT n, result, data ->> 'requiredness' AS requiredness
FROM pg_temp.labels('{"id": "cll_tier", "requiredness": "NOT_REQUIRED"}');

--
-- Segments: Region → Mid-Atlantic → Washington DC, Maryland → Baltimore;
-- Tier → Gold, Silver. A parent given as an id or as {"id": …}; a parent
-- and its child may come in one batch, parent first.
--
SELECT mask(customers.save_class_segments('{"data": [
	{"id": "cls_ma", "name": "Mid-Atlantic", "label": "cll_region"},
	{"id": "cls_dc", "name": "Washington DC", "label": {"id": "cll_region"}, "parent": "cls_ma"},
	{"id": "cls_md", "name": "Maryland", "label": "cll_region", "parent": {"id": "cls_ma"}},
	{"id": "cls_balt", "name": "Baltimore", "label": "cll_region", "parent": "cls_md"}]}'));
SELECT n, result, status, data -> 'label' ->> 'id' AS label, data -> 'parent' AS parent, error
FROM pg_temp.segments(
	'{"id": "cls_gold", "name": "Gold", "label": "cll_tier"}',
	'{"id": "cls_silver", "name": "Silver", "label": "cll_tier", "parent": null}');
SELECT * FROM pg_temp.stored('cll_region');
-- a segment without id gets a generated one; an update may leave out the
-- label (it cannot change) and keeps what it does not give
SELECT n, result, data ->> 'id' ~ '^cls_[0-9A-HJKMNP-TV-Z]{26}$' AS generated_id, data ->> 'name' AS name
FROM pg_temp.segments('{"name": "Bronze", "label": "cll_tier"}');
DELETE FROM customers.class_segment WHERE tenant_id = 'segments' AND name = 'Bronze';
SELECT n, result, data ->> 'name' AS name, data -> 'parent' AS parent, data -> 'label' AS label
FROM pg_temp.segments('{"id": "cls_balt", "name": "Baltimore City"}');
-- a segment as returned (label object, parent reference, times) can be sent
-- back unchanged
SELECT n, result, status, data -> 'parent' AS parent, data -> 'label' ->> 'id' AS label, error
FROM pg_temp.segments(customers.save_class_segments('{"data": [{"id": "cls_balt"}]}') -> 'data' -> 0 -> 'data');

-- every invalid item fails alone with its exact error; the tree is unchanged
SELECT pg_temp.tree_checksum() AS before_bad_segments \gset
SELECT n, result, status, data, error
FROM pg_temp.segments(
	'{"id": "cls_new1", "name": "No label"}',
	'{"id": "cls_new2", "label": "cll_region"}',
	'{"id": "cls_new3", "name": "Unknown label", "label": "cll_nope"}',
	'{"id": "cls_new4", "name": "Unknown parent", "label": "cll_region", "parent": "cls_nope"}',
	'{"id": "cls_new5", "name": "Wrong-label parent", "label": "cll_region", "parent": "cls_gold"}',
	'{"id": "cls_gold", "label": "cll_region"}',
	'{"id": "cls_dc", "parent": "cls_dc"}',
	'{"id": "cls_ma", "parent": "cls_balt"}',
	'{"id": "cls_md", "parent": "cls_balt"}',
	'{"id": "cls_bad-id", "name": "X", "label": "cll_region"}',
	'{"id": "cll_region", "name": "X", "label": "cll_region"}',
	'{"name": "X", "label": "cls_ma"}',
	'{"name": "X", "label": "cll_region", "parent": {"id": "cls_ma", "name": "Mid-Atlantic"}}',
	'{"name": "X", "label": {"id": "cll_region", "color": "red"}}',
	'{"name": "  ", "label": "cll_region"}',
	'{"name": "X", "label": "cll_region", "children": []}',
	'["cls_ma"]');
SELECT pg_temp.tree_checksum() = :'before_bad_segments' AS bad_segments_changed_nothing;
-- the same id twice in one batch: the later item fails, the first is saved
SELECT n, result, status, data -> 'parent' AS parent, error
FROM pg_temp.segments('{"id": "cls_md", "parent": "cls_ma"}', '{"id": "cls_md", "parent": null}');
-- a child listed before its new parent does not see it yet
SELECT n, result, status, error
FROM pg_temp.segments(
	'{"id": "cls_child", "name": "Child", "label": "cll_region", "parent": "cls_later"}',
	'{"id": "cls_later", "name": "Later", "label": "cll_region"}');
DELETE FROM customers.class_segment WHERE tenant_id = 'segments' AND id = 'cls_later';
SELECT raises($$SELECT customers.save_class_segments('{"data": "cls_ma"}')$$);
SELECT raises($$SELECT customers.save_class_segments('{}')$$);

-- moving a segment moves its subtree: the descendants' paths follow
SELECT n, result, data -> 'parent' AS parent FROM pg_temp.segments('{"id": "cls_md", "parent": null}');
SELECT * FROM pg_temp.stored('cll_region');
SELECT n, result, data -> 'parent' AS parent FROM pg_temp.segments('{"id": "cls_md", "parent": "cls_dc"}');
SELECT * FROM pg_temp.stored('cll_region');
-- moving the segment above a subtree under its own descendant is a cycle
SELECT n, result, status, error FROM pg_temp.segments('{"id": "cls_dc", "parent": "cls_balt"}');
SELECT n, result, data -> 'parent' AS parent FROM pg_temp.segments('{"id": "cls_md", "parent": "cls_ma"}');
SELECT * FROM pg_temp.stored('cll_region');

--
-- Depth: chains of at most 32 segments, counted over the whole subtree
-- being moved
--
SELECT n, result FROM pg_temp.labels('{"id": "cll_deep", "name": "Deep"}');
SELECT customers.save_class_segments(jsonb_build_object('data', jsonb_agg(
	jsonb_strip_nulls(jsonb_build_object('id', format('cls_d%s', lpad(i::text, 2, '0')), 'name', 'Level ' || i,
	'label', 'cll_deep', 'parent', CASE WHEN i > 1 THEN format('cls_d%s', lpad((i - 1)::text, 2, '0')) END))
	ORDER BY i))) ->> 'result' AS chain_of_32
FROM generate_series(1, 32) AS i;
SELECT max(cardinality(path)) AS deepest FROM customers.class_segment
WHERE tenant_id = 'segments' AND label_id = 'cll_deep';
-- renaming the deepest segment changes no chain
SELECT n, result, data ->> 'name' AS name FROM pg_temp.segments('{"id": "cls_d32", "name": "Level 32, renamed"}');
SELECT n, result, status, error
FROM pg_temp.segments('{"id": "cls_d33", "name": "Level 33", "label": "cll_deep", "parent": "cls_d32"}');
-- a subtree of two levels fits under level 30, not under level 31
SELECT n, result FROM pg_temp.segments(
	'{"id": "cls_e1", "name": "E1", "label": "cll_deep"}',
	'{"id": "cls_e2", "name": "E2", "label": "cll_deep", "parent": "cls_e1"}');
SELECT pg_temp.tree_checksum() AS before_deep_move \gset
SELECT n, result, status, error FROM pg_temp.segments('{"id": "cls_e1", "parent": "cls_d31"}');
SELECT pg_temp.tree_checksum() = :'before_deep_move' AS deep_move_changed_nothing;
SELECT n, result, data -> 'parent' AS parent FROM pg_temp.segments('{"id": "cls_e1", "parent": "cls_d30"}');
SELECT id, cardinality(path) AS depth, path[1] AS root FROM customers.class_segment
WHERE tenant_id = 'segments' AND id IN ('cls_e1', 'cls_e2') ORDER BY id;
-- moving the top of the 32-chain under another root would make it 33 deep
SELECT n, result FROM pg_temp.segments('{"id": "cls_top", "name": "Top", "label": "cll_deep"}');
SELECT n, result, status, error FROM pg_temp.segments('{"id": "cls_d01", "parent": "cls_top"}');
-- the database itself refuses a path deeper than 32, a path that does not
-- end in the segment, and a parent under another label (checked at commit)
SELECT split_part(raises($$UPDATE customers.class_segment SET path = array_fill('cls_top'::text, '{33}')
						 WHERE tenant_id = 'segments' AND id = 'cls_top'$$), E'\n', 1) AS too_deep;
SELECT split_part(raises($$UPDATE customers.class_segment SET path = '{cls_ma}'
						 WHERE tenant_id = 'segments' AND id = 'cls_top'$$), E'\n', 1) AS wrong_path;
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;
SELECT raises($$UPDATE customers.class_segment SET parent_id = 'cls_gold'
			  WHERE tenant_id = 'segments' AND id = 'cls_top'$$) AS other_label_parent;
ROLLBACK;

--
-- Listing: every label with its tree (labels and siblings by name), or one
-- label's
--
SELECT jsonb_pretty(customers.class_segments('{"label": "cll_region"}'));
SELECT customers.class_segments('{"label": {"id": "cll_tier"}}');
SELECT jsonb_path_query_array(customers.class_segments('{}'), '$.data[*].id') AS labels,
	   jsonb_path_query_array(customers.class_segments(), '$.data[*].id') AS with_default,
	   customers.class_segments(NULL) = customers.class_segments('{}') AS null_is_all;
SELECT raises($$SELECT customers.class_segments('{"label": "cll_nope"}')$$);
SELECT raises($$SELECT customers.class_segments('{"label": "nope"}')$$);
SELECT raises($$SELECT customers.class_segments('{"labels": "cll_region"}')$$);
SELECT raises($$SELECT customers.class_segments('[]')$$);

--
-- What customers hold: segment ids or {"id": …}; at most one per label;
-- every REQUIRED label on create
--
SELECT n, result, data ->> 'requiredness' AS requiredness
FROM pg_temp.labels('{"id": "cll_tier", "requiredness": "REQUIRED"}');
SELECT table_checksum() AS customers_before \gset
SELECT pg_temp.tree_checksum() AS tree_before \gset
SELECT n, result, status, data, error
FROM items(customers.save('{"data": [
	{"id": "cus_seg_none", "name": "No tier"},
	{"id": "cus_seg_empty", "name": "No tier", "classSegments": []},
	{"id": "cus_seg_unknown", "name": "Unknown", "classSegments": ["cls_gold", "cls_nope"]},
	{"id": "cus_seg_two", "name": "Two regions", "classSegments": ["cls_dc", "cls_gold", {"id": "cls_balt"}]},
	{"id": "cus_seg_deep", "name": "Deep only", "classSegments": ["cls_d05"]},
	{"id": "cus_seg_bad", "name": "Bad", "classSegments": ["cls_gold", 7, {"id": "cls_dc", "name": "x"}, "cll_tier"]},
	{"id": "cus_seg_object", "name": "Object", "classSegments": {"id": "cls_gold"}}]}'));
SELECT n, result, status, error
FROM items(customers.save(jsonb_build_object('data', jsonb_build_array(jsonb_build_object(
	'name', 'Too many', 'classSegments', (SELECT jsonb_agg('cls_s' || i) FROM generate_series(1, 101) AS i))))));
SELECT table_checksum() = :'customers_before' AS customers_unchanged,
	   pg_temp.tree_checksum() = :'tree_before' AS tree_unchanged;
-- stored as [{"id": …}] in the order given; a repeated id counts once
SELECT n, result, status, data -> 'classSegments' AS segments, error
FROM items(customers.save('{"data": [
	{"id": "cus_seg_a", "name": "A", "classSegments": ["cls_dc", {"id": "cls_gold"}, "cls_dc"]},
	{"id": "cus_seg_b", "name": "B", "classSegments": ["cls_silver", "cls_d32"]}]}'));
SELECT customer_id, label_id, segment_id FROM customers.customer_segment
WHERE tenant_id = 'segments' ORDER BY customer_id, label_id;
-- an update may leave a REQUIRED label unheld (checked on create only); a
-- given classSegments replaces the stored one, an absent one keeps it
SELECT n, result, status, data -> 'classSegments' AS segments, data -> 'version' AS version, error
FROM items(customers.save('{"data": [
	{"id": "cus_seg_b", "classSegments": ["cls_balt"]},
	{"id": "cus_seg_a", "name": "A2"}]}'));
SELECT customer_id, label_id, segment_id FROM customers.customer_segment
WHERE tenant_id = 'segments' ORDER BY customer_id, label_id;
-- patch: the same rules raise 22023 and change nothing
SELECT table_checksum() AS customers_before \gset
SELECT pg_temp.tree_checksum() AS tree_before \gset
SELECT raises($$SELECT customers.patch('cus_seg_a', '{"classSegments": ["cls_dc", "cls_md"]}')$$);
SELECT raises($$SELECT customers.patch('cus_seg_a', '{"classSegments": ["cls_nope", "cls_gold", "cls_silver"]}')$$);
SELECT raises($$SELECT customers.patch('cus_seg_a', '{"classSegments": "cls_dc"}')$$);
SELECT table_checksum() = :'customers_before' AS customers_unchanged,
	   pg_temp.tree_checksum() = :'tree_before' AS tree_unchanged;
SELECT customers.patch('cus_seg_a', '{"classSegments": ["cls_md", "cls_silver"]}') -> 'classSegments' AS patched;
SELECT customers.patch('cus_seg_b', '{"classSegments": null}') ? 'classSegments' AS b_has_segments;
SELECT customer_id, label_id, segment_id FROM customers.customer_segment
WHERE tenant_id = 'segments' ORDER BY customer_id, label_id;
-- archiving keeps the segments
SELECT customers.archive('cus_seg_a') -> 'classSegments' AS archived_keeps;
SELECT count(*) AS assignments_of_archived FROM customers.customer_segment
WHERE tenant_id = 'segments' AND customer_id = 'cus_seg_a';

--
-- delete_class_segment: only a segment without children that no customer
-- (archived ones included) holds
--
SELECT pg_temp.tree_checksum() AS tree_before \gset
SELECT raises($$SELECT customers.delete_class_segment('cls_ma')$$);
SELECT raises($$SELECT customers.delete_class_segment('cls_md')$$);
SELECT raises($$SELECT customers.delete_class_segment('cls_silver')$$);
SELECT raises($$SELECT customers.delete_class_segment('cls_nope')$$);
SELECT raises($$SELECT customers.delete_class_segment(NULL)$$);
SELECT pg_temp.tree_checksum() = :'tree_before' AS failed_deletes_changed_nothing;
SELECT customers.delete_class_segment('cls_e2');
SELECT raises($$SELECT customers.delete_class_segment('cls_e2')$$);
SELECT customers.delete_class_segment('cls_e1');
SELECT count(*) AS e_left FROM customers.class_segment WHERE tenant_id = 'segments' AND id LIKE 'cls\_e_';
-- the listing holds the whole 32-level chain
SELECT count(*) AS stored FROM customers.class_segment WHERE tenant_id = 'segments' AND label_id = 'cll_deep' \gset
SELECT jsonb_array_length(jsonb_path_query_array(customers.class_segments('{"label": "cll_deep"}'),
											  'strict $.data[0].segments.**.id')) AS listed, :stored AS stored;

--
-- Tenants: the same ids in another tenant are other labels and segments;
-- nothing of one tenant is visible or usable from another
--
SET customers.tenant_id = 'segments_other';
SELECT customers.class_segments('{}') AS other_tenant_tree;
SELECT n, result, status, error FROM pg_temp.segments('{"id": "cls_x", "name": "X", "label": "cll_region"}');
SELECT n, result, status, error FROM pg_temp.labels('{"id": "cll_region", "name": "Other region"}');
SELECT n, result, status, data -> 'parent' AS parent, error
FROM pg_temp.segments(
	'{"id": "cls_ma", "name": "Other Mid-Atlantic", "label": "cll_region"}',
	'{"id": "cls_y", "name": "Y", "label": "cll_region", "parent": "cls_dc"}');
SELECT n, result, status, error
FROM items(customers.save('{"data": [{"name": "Other", "classSegments": ["cls_dc"]}]}'));
SELECT raises($$SELECT customers.delete_class_segment('cls_gold')$$);
SELECT raises($$SELECT customers.class_segments('{"label": "cll_tier"}')$$);
SELECT customers.class_segments('{}') AS other_tenant_tree;
SET customers.tenant_id = 'segments';
SELECT tenant_id, id, label_id, name, path FROM customers.class_segment WHERE id = 'cls_ma' ORDER BY tenant_id;
SELECT tenant_id, id, name FROM customers.class_label WHERE id = 'cll_region' ORDER BY tenant_id;
