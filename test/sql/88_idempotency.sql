-- Idempotency keys (docs/api.md §3.8): a writing call made with
-- customers.idempotency_key set stores its result; a retry with the same
-- key and request gets it back without running; the same key with another
-- request is CU001; a failed call stores nothing; keys are per tenant and
-- expire.
SET customers.tenant_id = 'idem';
SET customers.actor = 'ida';
\pset format unaligned

-- a create, retried: the first envelope, byte for byte, and one customer
SET customers.idempotency_key = 'create-1';
SELECT customers.save('{"data": [{"name": "Idem One"}]}') AS first \gset
SELECT customers.save('{"data": [{"name": "Idem One"}]}')::text = :'first' AS replayed;
SELECT count(*) AS customers FROM customers.customer WHERE tenant_id = 'idem';
SELECT function, length(fingerprint) AS fingerprint_bytes, response::text = :'first' AS stored,
	expires_at - created_at AS kept_for
FROM customers.idempotency_key WHERE tenant_id = 'idem';
-- the key with another request, or another function: CU001, nothing changes
SELECT table_checksum() AS before \gset
SELECT raises($$SELECT customers.save('{"data": [{"name": "Idem Two"}]}')$$);
SELECT raises($$SELECT customers.save('{"data": [{"name": "Idem One", "email": "one@example.com"}]}')$$);
SELECT raises($$SELECT customers.archive('cus_whatever')$$);
SELECT table_checksum() = :'before' AS unchanged;

-- a patch replays its first document even after the customer changed
RESET customers.idempotency_key;
SELECT customers.save('{"data": [{"id": "cus_i1", "name": "Patched"}]}') ->> 'result' AS saved;
SET customers.idempotency_key = 'patch-1';
SELECT customers.patch('cus_i1', '{"email": "p@example.com"}') -> 'version' AS version;
RESET customers.idempotency_key;
SELECT customers.patch('cus_i1', '{"name": "Changed since"}') -> 'version' AS version;
SET customers.idempotency_key = 'patch-1';
SELECT customers.patch('cus_i1', '{"email": "p@example.com"}') -> 'version' AS replayed_version;
RESET customers.idempotency_key;
SELECT customers.get('cus_i1') -> 'version' AS stored_version;

-- a failed call stores nothing: the retry runs again (and fails again, or succeeds)
SET customers.idempotency_key = 'fails-1';
SELECT raises($$SELECT customers.patch('cus_i1', '{"email": "bad"}')$$);
SELECT count(*) AS keys FROM customers.idempotency_key WHERE key = 'fails-1';
SELECT raises($$SELECT customers.patch('cus_i1', '{"email": "bad"}')$$);
SELECT customers.patch('cus_i1', '{"email": "good@example.com"}') ->> 'email' AS email;

-- a delete, retried, replays what it deleted instead of P0002
SET customers.idempotency_key = 'delete-1';
SELECT customers.delete('cus_i1') ->> 'deleted' AS deleted;
SELECT customers.delete('cus_i1') ->> 'id' AS replayed_delete;
SET customers.idempotency_key = 'delete-2';
SELECT raises($$SELECT customers.delete('cus_i1')$$);

-- every writing function takes a key: each call twice, one effect
RESET customers.idempotency_key;
SELECT customers.save('{"data": [{"id": "cus_i2", "name": "Every"}]}') ->> 'result' AS saved;
CREATE TEMP TABLE keyed (n int, call text);
INSERT INTO keyed VALUES
	(1, $$customers.archive('cus_i2')$$),
	(2, $$customers.restore('cus_i2')$$),
	(3, $$customers.save_payment_method('cus_i2', '{"type": "BANK_ACCOUNT", "bankAccount": {"last4": "1234"}}')$$),
	(4, $$customers.create_user('cus_i2', '{"email": "u@example.com"}')$$),
	(5, $$customers.save_class_labels('{"data": [{"name": "Region"}]}')$$),
	(6, $$customers.save_class_segments('{"data": [{"id": "cls_idem", "name": "North", "label": {"id": "cll_idem"}}]}')$$);
SELECT customers.save_class_labels('{"data": [{"id": "cll_idem", "name": "Idem"}]}') ->> 'result' AS label;
CREATE FUNCTION twice(n int, call text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	a jsonb;
	b jsonb;
BEGIN
	PERFORM set_config('customers.idempotency_key', 'every-' || n, false);
	EXECUTE 'SELECT ' || call INTO a;
	EXECUTE 'SELECT ' || call INTO b;
	PERFORM set_config('customers.idempotency_key', '', false);
	RETURN a = b;
END
$$;
SELECT n, twice(n, call) AS same FROM keyed ORDER BY n;
SELECT (SELECT count(*) FROM customers.payment_method WHERE tenant_id = 'idem') AS methods,
	(SELECT count(*) FROM customers.customer_user WHERE tenant_id = 'idem') AS users,
	(SELECT count(*) FROM customers.class_label WHERE tenant_id = 'idem') AS labels,
	(SELECT count(*) FROM customers.event WHERE customer_id = 'cus_i2' AND version IS NOT NULL) AS history;
SELECT id AS method FROM customers.payment_method WHERE customer_id = 'cus_i2' \gset
SELECT twice(7, format($$customers.detach_payment_method('cus_i2', %L)$$, :'method')) AS detach_same,
	twice(8, $$customers.delete_class_segment('cls_idem')$$) AS delete_segment_same;

-- keys belong to their tenant: the same key elsewhere runs its own call
SET customers.tenant_id = 'idem-other';
SET customers.idempotency_key = 'create-1';
SELECT customers.save('{"data": [{"name": "Other Tenant"}]}') #>> '{data,0,data,name}' AS other_tenant;
SET customers.tenant_id = 'idem';

-- a key of 255 characters is accepted, 256 refused; '' is no key
SET customers.idempotency_key TO DEFAULT;
SELECT set_config('customers.idempotency_key', repeat('k', 255), false) IS NOT NULL AS set;
SELECT customers.save('{"data": [{"name": "Long Key"}]}') ->> 'result' AS saved;
SELECT set_config('customers.idempotency_key', repeat('k', 256), false) IS NOT NULL AS set;
SELECT raises($$SELECT customers.save('{"data": [{"name": "Too Long"}]}')$$);
SET customers.idempotency_key = '';
SELECT customers.save('{"data": [{"name": "No Key"}]}') ->> 'result' AS saved;
SELECT customers.save('{"data": [{"name": "No Key"}]}') ->> 'result' AS saved_again;
SELECT count(*) AS no_key_customers FROM customers.customer WHERE tenant_id = 'idem' AND name = 'No Key';

-- an expired key is taken over by the next call with it
UPDATE customers.idempotency_key SET expires_at = now() - interval '1 second'
WHERE tenant_id = 'idem' AND key = 'create-1';
SET customers.idempotency_key = 'create-1';
SELECT customers.save('{"data": [{"name": "After Expiry"}]}') #>> '{data,0,data,name}' AS ran;
SELECT response #>> '{data,0,data,name}' AS stored FROM customers.idempotency_key
WHERE tenant_id = 'idem' AND key = 'create-1';

-- expired keys are deleted: each keyed call deletes up to 8 of its tenant's,
-- purge_idempotency_keys(batch) up to batch of every tenant
RESET customers.idempotency_key;
INSERT INTO customers.idempotency_key (tenant_id, key, function, fingerprint, response, created_at, expires_at)
SELECT t, 'old-' || i, 'save', '\x00', '{}', now() - interval '2 days', now() - interval '1 day'
FROM generate_series(1, 10) AS i, unnest(ARRAY['idem', 'idem-old']) AS t;
SET customers.idempotency_key = 'cleanup-1';
SELECT customers.save('{"data": [{"name": "Cleaner"}]}') ->> 'result' AS saved;
RESET customers.idempotency_key;
SELECT tenant_id, count(*) AS expired FROM customers.idempotency_key
WHERE expires_at <= now() GROUP BY tenant_id ORDER BY tenant_id;
SELECT customers.purge_idempotency_keys(5) AS purged;
SELECT customers.purge_idempotency_keys() AS purged;
SELECT customers.purge_idempotency_keys() AS purged;
SELECT count(*) AS expired FROM customers.idempotency_key WHERE expires_at <= now();
SELECT raises('SELECT customers.purge_idempotency_keys(0)');
SELECT raises('SELECT customers.purge_idempotency_keys(NULL)');
-- the time to live is the administrator's (PGC_SUSET), in seconds
SET customers.idempotency_key_ttl = '1h';
SET customers.idempotency_key = 'ttl-1';
SELECT customers.save('{"data": [{"name": "Short Lived"}]}') ->> 'result' AS saved;
RESET customers.idempotency_key;
RESET customers.idempotency_key_ttl;
SELECT expires_at - created_at AS kept_for FROM customers.idempotency_key WHERE key = 'ttl-1';
-- the range's units in PostgreSQL's message differ between majors
SELECT regexp_replace(raises($$SET customers.idempotency_key_ttl = 10$$), ' \(.*\)$', '') AS raises;
DROP FUNCTION twice(int, text);
