-- Fixtures of the memory benchmark (bench/memory.sh), run once as the
-- superuser that created the extension, after bench/setup.sql.
--
--   tenant deep   100 labels, each a chain of 32 segments (the longest tree
--                 docs/api.md §3.3 allows), and DEEP_ROWS customers holding
--                 the leaf of every label (100 segments, the most a customer
--                 may hold): the largest classSegments.expand there is
--   tenant tree   100 labels of n segments each in chains of up to n / 100
--                 (memory.make_tree_tenant(n)): a class_segments listing
--                 of 100 n segments
--   memory.save_request(n, kb)   n new customers of about kb kB each
--                 (seed-shaped, customData padded), for the save cases
--   memory.errors_request(n)     n items of 20,000 unrecognized fields
--                 each: a batch envelope of errors (about 4 MB an item)
CREATE SCHEMA memory;
GRANT USAGE ON SCHEMA memory TO bench_app;

-- n new customers (no ids) of about kb kB each
CREATE FUNCTION memory.save_request(n int, kb int) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('data', jsonb_agg(
		bench.customer(i) || jsonb_build_object('customData',
			jsonb_build_object('pad', repeat(md5(i::text), kb * 1024 / 32)))
		ORDER BY i))
	FROM generate_series(1, n) AS i
$$;

-- The labels and their chains, level by level (a parent before its children)
CREATE FUNCTION memory.make_deep_tenant(customers int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	envelope jsonb;
BEGIN
	PERFORM set_config('customers.tenant_id', 'deep', true);
	envelope := customers.save_class_labels(jsonb_build_object('data', (
		SELECT jsonb_agg(jsonb_build_object('id', 'cll_' || l, 'name', 'Label ' || l,
			'requiredness', 'NOT_REQUIRED'))
		FROM generate_series(1, 100) AS l)));
	IF envelope ->> 'result' <> 'SUCCESS' THEN
		RAISE EXCEPTION 'labels: %', envelope;
	END IF;
	FOR level IN 1..32 LOOP
		envelope := customers.save_class_segments(jsonb_build_object('data', (
			SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
				'id', format('cls_%s_%s', l, level), 'label', 'cll_' || l,
				'name', format('Segment %s of label %s, a name of some length', level, l),
				'parent', CASE WHEN level > 1 THEN format('cls_%s_%s', l, level - 1) END)))
			FROM generate_series(1, 100) AS l)));
		IF envelope ->> 'result' <> 'SUCCESS' THEN
			RAISE EXCEPTION 'segments: %', envelope;
		END IF;
	END LOOP;
	FOR n IN 1..customers BY 100 LOOP
		envelope := customers.save(jsonb_build_object('data', (
			SELECT jsonb_agg(jsonb_build_object('name', 'Deep ' || i, 'classSegments',
				(SELECT jsonb_agg(format('cls_%s_32', l)) FROM generate_series(1, 100) AS l)))
			FROM generate_series(n, least(n + 99, customers)) AS i)));
		IF envelope ->> 'result' <> 'SUCCESS' THEN
			RAISE EXCEPTION 'customers: %', envelope;
		END IF;
	END LOOP;
END
$$;

-- The tenant "tree": 100 labels of n segments each, a segment's parent the
-- one 100 before it
CREATE FUNCTION memory.make_tree_tenant(n int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	envelope jsonb;
BEGIN
	PERFORM set_config('customers.tenant_id', 'tree', true);
	PERFORM customers.save_class_labels(jsonb_build_object('data', (
		SELECT jsonb_agg(jsonb_build_object('id', 'cll_' || l, 'name', 'Label ' || l))
		FROM generate_series(1, 100) AS l)));
	FOR l IN 1..100 LOOP
		FOR f IN 1..n BY 1000 LOOP
			envelope := customers.save_class_segments(jsonb_build_object('data', (
				SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('id', format('cls_%s_%s', l, i),
					'label', 'cll_' || l, 'name', format('Segment %s of label %s', i, l),
					'parent', CASE WHEN i > 100 THEN format('cls_%s_%s', l, i - 100) END)))
				FROM generate_series(f, least(f + 999, n)) AS i)));
			IF envelope ->> 'result' <> 'SUCCESS' THEN
				RAISE EXCEPTION 'segments: %', envelope;
			END IF;
		END LOOP;
	END LOOP;
END
$$;

-- A batch of n items of 20,000 unrecognized fields each (an envelope of errors)
CREATE FUNCTION memory.errors_request(n int) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('data', jsonb_agg(jsonb_build_object('name', 'Errors')
		|| (SELECT jsonb_object_agg('k' || i, 0) FROM generate_series(1, 20000) AS i)))
	FROM generate_series(1, n)
$$;
