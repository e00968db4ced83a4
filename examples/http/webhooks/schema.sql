-- The webhook dispatcher's own tables and calls (examples/http/README.md,
-- "Webhooks"). They belong to the application, not to the extension: the
-- extension keeps the events (customers.events), this schema keeps where
-- each tenant wants them sent and what became of each delivery. Every call
-- acts for customers.current_tenant(), the tenant the transaction set, as
-- the extension's calls do. Run once by the role that owns the schema
-- (the dispatcher creates it when missing).

CREATE SCHEMA IF NOT EXISTS webhooks;

-- An endpoint: where a tenant's events of some types go, signed with its
-- secret. cursor is the feed position up to which its deliveries exist.
CREATE TABLE IF NOT EXISTS webhooks.endpoint (
	id text PRIMARY KEY DEFAULT 'we_' || replace(gen_random_uuid()::text, '-', ''),
	tenant text NOT NULL,
	url text NOT NULL CHECK (url ~ '^https?://'),
	types text[],
	secret text NOT NULL,
	cursor text,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS endpoint_tenant_idx ON webhooks.endpoint (tenant, id);

-- One event for one endpoint, in feed order (id). order_key is the
-- customer the event belongs to (or the object): deliveries of one key go
-- out one at a time, in order.
CREATE TABLE IF NOT EXISTS webhooks.delivery (
	id bigserial PRIMARY KEY,
	endpoint_id text NOT NULL REFERENCES webhooks.endpoint ON DELETE CASCADE,
	event_id text NOT NULL,
	order_key text NOT NULL,
	event jsonb NOT NULL,
	status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
	attempts int NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	created_at timestamptz NOT NULL DEFAULT now(),
	delivered_at timestamptz,
	UNIQUE (endpoint_id, event_id)
);
CREATE INDEX IF NOT EXISTS delivery_pending_idx ON webhooks.delivery (endpoint_id, order_key, id)
	WHERE status = 'pending';

-- Every HTTP attempt of a delivery
CREATE TABLE IF NOT EXISTS webhooks.attempt (
	delivery_id bigint NOT NULL REFERENCES webhooks.delivery ON DELETE CASCADE,
	n int NOT NULL,
	started_at timestamptz NOT NULL,
	finished_at timestamptz NOT NULL,
	status_code int,
	error text,
	PRIMARY KEY (delivery_id, n)
);

-- The cursor after the current tenant's last event (NULL when it has none)
CREATE OR REPLACE FUNCTION webhooks.feed_end()
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	page jsonb;
	cursor text;
BEGIN
	LOOP
		page := customers.events(CASE WHEN cursor IS NULL THEN '{"limit": 1000}'::jsonb
								 ELSE jsonb_build_object('limit', 1000, 'cursor', cursor) END);
		cursor := coalesce(page -> 'cursor' ->> 'after', cursor);
		EXIT WHEN jsonb_array_length(page -> 'data') < 1000;
	END LOOP;
	RETURN cursor;
END
$$;

-- Register an endpoint for the current tenant: it gets the events written
-- from now on (its cursor starts at the end of the tenant's feed). types
-- NULL means every type; secret NULL makes one. The only answer that shows
-- the secret.
CREATE OR REPLACE FUNCTION webhooks.create_endpoint(url text, types text[], secret text)
RETURNS jsonb LANGUAGE sql AS $$
	INSERT INTO webhooks.endpoint (tenant, url, types, secret, cursor)
	VALUES (customers.current_tenant(), url, types,
		coalesce(secret, 'whsec_' || replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')),
		webhooks.feed_end())
	RETURNING jsonb_build_object('id', id, 'url', url, 'types', types, 'secret', secret,
		'createdDateTime', created_at)
$$;

CREATE OR REPLACE FUNCTION webhooks.endpoints()
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('data', coalesce(jsonb_agg(jsonb_build_object('id', id, 'url', url,
		'types', types, 'createdDateTime', created_at) ORDER BY id), '[]'))
	FROM webhooks.endpoint WHERE tenant = customers.current_tenant()
$$;

-- A delivery as the API shows it
CREATE OR REPLACE FUNCTION webhooks.delivery_json(d webhooks.delivery)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', d.id, 'endpointId', d.endpoint_id, 'eventId', d.event_id,
		'type', d.event ->> 'type', 'status', d.status, 'attempts', d.attempts,
		'nextAttemptDateTime', CASE WHEN d.status = 'pending' THEN d.next_attempt_at END,
		'createdDateTime', d.created_at, 'deliveredDateTime', d.delivered_at)
$$;

-- An endpoint's deliveries, newest first, optionally of one status
CREATE OR REPLACE FUNCTION webhooks.deliveries(endpoint text, only_status text, max int)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('data', coalesce(jsonb_agg(webhooks.delivery_json(d) ORDER BY d.id DESC), '[]'))
	FROM (SELECT d.* FROM webhooks.delivery d JOIN webhooks.endpoint e ON e.id = d.endpoint_id
		  WHERE e.tenant = customers.current_tenant() AND e.id = endpoint
			AND (only_status IS NULL OR d.status = only_status)
		  ORDER BY d.id DESC LIMIT max) AS d
$$;

-- A delivery's attempts, oldest first; NULL when the tenant has no such delivery
CREATE OR REPLACE FUNCTION webhooks.attempts(delivery bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('delivery', webhooks.delivery_json(d),
		'data', (SELECT coalesce(jsonb_agg(jsonb_build_object('n', a.n, 'startedDateTime', a.started_at,
			'finishedDateTime', a.finished_at, 'statusCode', a.status_code, 'error', a.error) ORDER BY a.n), '[]')
			FROM webhooks.attempt a WHERE a.delivery_id = d.id))
	FROM webhooks.delivery d JOIN webhooks.endpoint e ON e.id = d.endpoint_id
	WHERE e.tenant = customers.current_tenant() AND d.id = delivery
$$;

-- Send a failed delivery again: pending now, with a fresh set of attempts.
-- NULL when the tenant has no failed delivery of that id.
CREATE OR REPLACE FUNCTION webhooks.replay(delivery bigint)
RETURNS jsonb LANGUAGE sql AS $$
	UPDATE webhooks.delivery d SET status = 'pending', attempts = 0, next_attempt_at = now()
	FROM webhooks.endpoint e
	WHERE e.id = d.endpoint_id AND e.tenant = customers.current_tenant() AND d.id = delivery
	  AND d.status = 'failed'
	RETURNING webhooks.delivery_json(d)
$$;
