-- A tenant isolated to shards of its own, then moved to the other worker,
-- keeps working: its documents, its cursors from before the move, writes,
-- and routing to its new worker only.
SET customers.tenant_id = 'citus_m';
SELECT count(*) AS saved FROM items(customers.save(jsonb_build_object('data',
	(SELECT jsonb_agg(jsonb_build_object('id', 'cus_m' || i, 'name', 'Mover ' || i, 'email', 'm' || i || '@example.com'))
	 FROM generate_series(1, 7) AS i)))) WHERE status = 200;
SELECT customers.patch('cus_m1', '{"name": "Mover 1b"}') IS NOT NULL AS patched;
SELECT customers.patch('cus_m1', '{"name": "Mover 1c"}') IS NOT NULL AS patched;
SELECT customers.create_user('cus_m1', '{"email": "one@example.com"}') IS NOT NULL AS user1;
SELECT customers.create_user('cus_m1', '{"email": "two@example.com"}') IS NOT NULL AS user2;
SELECT customers.query('{"limit": 3, "sort": {"orderBy": "NAME"}}') AS page1 \gset
SELECT customers.query(jsonb_build_object('limit', 3, 'sort', '{"orderBy": "NAME"}'::jsonb,
	'cursor', :'page1'::jsonb -> 'cursor' ->> 'after')) AS page2 \gset
SELECT customers.history('cus_m1', '{"limit": 1}') -> 'cursor' ->> 'after' AS history_after \gset
SELECT customers.users('cus_m1', '{"limit": 1}') -> 'cursor' ->> 'after' AS users_after \gset
SELECT tenant_worker('citus_m') AS worker_before, tenant_shards('citus_m') AS shards_before \gset
SELECT tenant_worker('citus_x') AS neighbour_worker \gset

SELECT isolate_tenant_to_new_shard('customers.customer', 'citus_m', 'CASCADE',
								   shard_transfer_mode => 'block_writes') IS NOT NULL AS isolated;
SELECT tenant_shards('citus_m') <> :'shards_before' AS own_shards;
SELECT citus_move_shard_placement(get_shard_id_for_distribution_column('customers.customer', 'citus_m'),
								  src.nodename, src.nodeport, dst.nodename, dst.nodeport,
								  shard_transfer_mode => 'block_writes') IS NOT NULL AS moved
FROM pg_dist_placement pl
JOIN pg_dist_node src ON src.groupid = pl.groupid
JOIN pg_dist_node dst ON dst.groupid > 0 AND dst.groupid <> pl.groupid AND dst.noderole = 'primary'
WHERE pl.shardid = get_shard_id_for_distribution_column('customers.customer', 'citus_m');
SELECT tenant_worker('citus_m') <> :'worker_before' AS on_the_other_worker,
	   tenant_worker('citus_x') = :'neighbour_worker' AS neighbour_stayed;

-- the same pages, from the cursors made before the move, both directions
SELECT customers.query('{"limit": 3, "sort": {"orderBy": "NAME"}}') = :'page1'::jsonb AS page1_same;
SELECT customers.query(jsonb_build_object('limit', 3, 'sort', '{"orderBy": "NAME"}'::jsonb,
	'cursor', :'page1'::jsonb -> 'cursor' ->> 'after')) = :'page2'::jsonb AS page2_same;
SELECT customers.query(jsonb_build_object('limit', 3, 'sort', '{"orderBy": "NAME"}'::jsonb,
	'cursor', :'page2'::jsonb -> 'cursor' ->> 'before')) = :'page1'::jsonb AS back_to_page1;
SELECT jsonb_path_query_array(customers.history('cus_m1', jsonb_build_object('limit', 1, 'cursor', :'history_after')),
							  '$.data[*].version') AS history_page2;
SELECT jsonb_path_query_array(customers.users('cus_m1', jsonb_build_object('limit', 1, 'cursor', :'users_after')),
							  '$.data[*].email') AS users_page2;
-- writes, and every statement on the new worker only
SELECT routed('citus_m', $$customers.save('{"data": [{"id": "cus_m8", "name": "Mover 8"}, {"id": "cus_m2", "name": "Mover 2b"}]}')$$) AS save;
SELECT routed('citus_m', $$customers.patch('cus_m3', '{"name": "Mover 3b"}')$$) AS patch;
SELECT routed('citus_m', $$customers.query('{"filter": {"name": {"contain": "over"}}}')$$) AS query;
SELECT jsonb_path_query_array(customers.query('{"sort": {"orderBy": "NAME"}}'), '$.data[*].name') AS names;
SELECT routed('citus_x', $$customers.get('cus_r1')$$) AS neighbour_get;
RESET customers.tenant_id;
