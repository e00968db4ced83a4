-- What the Citus tests share (test/citus/run.sh runs them on the coordinator
-- after the differential run of test/sql, whose helpers they use).

-- The shards of a tenant: one per table, all in one colocation group.
CREATE OR REPLACE FUNCTION tenant_shards(tenant text) RETURNS bigint[]
LANGUAGE sql AS $$
	SELECT array_agg(get_shard_id_for_distribution_column(p.logicalrelid, tenant) ORDER BY 1)
	FROM pg_dist_partition p
	WHERE p.logicalrelid::regclass::text LIKE 'customers.%' AND p.partmethod = 'h'
$$;

-- The worker holding a tenant: worker1 or worker2 (in port order).
CREATE OR REPLACE FUNCTION tenant_worker(tenant text) RETURNS text
LANGUAGE sql AS $$
	SELECT 'worker' || (SELECT count(*) FROM pg_dist_node o
						WHERE o.noderole = 'primary' AND o.groupid > 0 AND o.nodeport <= n.nodeport)
	FROM pg_dist_placement pl JOIN pg_dist_node n USING (groupid)
	WHERE pl.shardid = get_shard_id_for_distribution_column('customers.customer', tenant)
$$;

-- Run one call for a tenant and say where its statements went, from
-- Citus's own log of every command it sends to a worker
-- (citus.log_remote_commands, written to the coordinator's server log):
-- 'tenant''s worker only' when every command went to the worker holding the
-- tenant and named only the tenant's shards (and the cursor key, a
-- reference table there); else which workers and which other shards. The call's result is not shown.
CREATE OR REPLACE FUNCTION routed(tenant text, call text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	logfile text := current_setting('data_directory') || '.log';
	start bigint;
	sent text;
	workers text[];
	own_port int;
	foreign_shards bigint[];
BEGIN
	PERFORM set_config('customers.tenant_id', tenant, true);
	PERFORM set_config('client_min_messages', 'warning', true);
	PERFORM set_config('log_min_messages', 'notice', true);
	start := (pg_stat_file(logfile)).size;
	PERFORM set_config('citus.log_remote_commands', 'on', true);
	EXECUTE 'SELECT ' || call;
	PERFORM set_config('citus.log_remote_commands', 'off', true);
	sent := pg_read_file(logfile, start, (pg_stat_file(logfile)).size - start);

	SELECT n.nodeport INTO own_port
	FROM pg_dist_placement pl JOIN pg_dist_node n USING (groupid)
	WHERE pl.shardid = get_shard_id_for_distribution_column('customers.customer', tenant);
	SELECT array_agg(w ORDER BY w) INTO workers
	FROM (SELECT DISTINCT CASE WHEN m[1]::int = own_port THEN 'the tenant''s worker'
						  ELSE 'another worker' END AS w
		  FROM regexp_matches(sent, 'on server [^@\s]+@\S+:(\d+) connectionId', 'g') AS m) AS s;
	SELECT array_agg(DISTINCT m[1]::bigint ORDER BY m[1]::bigint) INTO foreign_shards
	FROM regexp_matches(sent, 'customers\.[a-z_]+_(\d+)\M', 'g') AS m
	WHERE m[1]::bigint <> ALL (tenant_shards(tenant))
	  AND m[1]::bigint IN (SELECT shardid FROM pg_dist_shard JOIN pg_dist_partition USING (logicalrelid)
						   WHERE partmethod = 'h');
	IF workers IS NULL THEN
		RETURN 'no command sent';
	ELSIF workers = ARRAY['the tenant''s worker'] AND foreign_shards IS NULL THEN
		RETURN 'tenant''s worker only';
	END IF;
	RETURN format('workers %s, other shards %s', workers, coalesce(foreign_shards, '{}'));
END
$$;

-- Tenants on both workers, so routing to the wrong one would show.
SELECT tenant_worker('citus_x') <> tenant_worker('citus_b') AS tenants_on_two_workers;
