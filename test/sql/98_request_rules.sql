-- Rules every call applies to what it is given (docs/api.md §3.2, §3.3,
-- §7): a message repeats at most 64 characters of a caller's id, key or
-- value; one rule for integers; the actor's length; tenant ids without
-- white space around them.
\pset format unaligned
SET customers.tenant_id = 'request_rules';
SELECT customers.save('{"data": [{"id": "cus_rules", "name": "Rules"}]}') ->> 'result' AS saved;
SELECT customers.save_payment_method('cus_rules', '{"type": "CARD",
	"card": {"brand": "visa", "last4": "4242", "expMonth": 1, "expYear": 2030}}') ->> 'type' AS method;

-- A 100,000-character id, key or value: the message repeats its first 64
-- characters and "..."
SELECT repeat('x', 100000) AS long \gset
SELECT raises(format('SELECT customers.patch(%L, %L)', :'long', '{"name": "N"}')) AS patch;
SELECT raises(format('SELECT customers.archive(%L)', :'long')) AS archive;
SELECT raises(format('SELECT customers.restore(%L)', :'long')) AS restore;
SELECT raises(format('SELECT customers.history(%L, %L)', :'long', '{}')) AS history;
SELECT raises(format('SELECT customers.users(%L, %L)', :'long', '{}')) AS users;
SELECT raises(format('SELECT customers.payment_methods(%L)', :'long')) AS payment_methods;
SELECT raises(format('SELECT customers.payment_method(%L, %L)', 'cus_rules', 'pm_' || :'long')) AS payment_method;
SELECT raises(format('SELECT customers.detach_payment_method(%L, %L)', 'cus_rules', 'pm_' || :'long')) AS detach;
SELECT raises(format('SELECT customers.delete_class_segment(%L)', 'cls_' || :'long')) AS delete_class_segment;
SELECT raises(format('SELECT customers.patch(%L, %L)', 'cus_rules', jsonb_build_object(:'long', 1))) AS patch_key;
SELECT raises(format('SELECT customers.patch(%L, %L)', 'cus_rules',
	jsonb_build_object('address', jsonb_build_object('countryCode', repeat('Z', 255))))) AS country_code;
SELECT raises(format('SELECT customers.save_payment_method(%L, %L)', 'cus_rules',
	jsonb_build_object('type', 'CARD', 'card', '{"brand": "visa", "last4": "4242", "expMonth": 1, "expYear": 2030}'::jsonb,
					   'billingDetails', jsonb_build_object(:'long', '4242 4242 4242 4242')))) AS card_under_long_key;
SELECT i.status, i.error
FROM items(customers.save(jsonb_build_object('data', jsonb_build_array(
	jsonb_build_object('name', 'Key', :'long', true),
	jsonb_build_object('name', 'Nested key', 'address', jsonb_build_object(:'long', 'x')))))) AS i;
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object(:'long', 1))) AS request_key;
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('sort',
	jsonb_build_object('orderBy', :'long')))) AS sort_order_by;
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('sort',
	jsonb_build_object('direction', :'long')))) AS sort_direction;
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('filter',
	jsonb_build_object(:'long', '{"equal": "x"}'::jsonb)))) AS filter_field;
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('filter',
	jsonb_build_object('name', jsonb_build_object(:'long', 'x'))))) AS filter_operator;
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('filter',
	jsonb_build_object('status', jsonb_build_object('equal', :'long'))))) AS filter_status;
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('filter',
	jsonb_build_object('createdDateTime', jsonb_build_object('lessThan', :'long'))))) AS filter_time;
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('filter',
	jsonb_build_object('classSegments', jsonb_build_object(:'long', true))))) AS filter_segments_key;
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('limit', ('1' || repeat('0', 1000))::numeric)))
	AS limit_1001_digits;
-- characters, not bytes: 64 two-byte characters and "..."
SELECT raises(format('SELECT customers.archive(%L)', repeat('é', 100))) AS multibyte;
-- up to 64 characters are repeated whole
SELECT raises(format('SELECT customers.archive(%L)', repeat('y', 64))) AS sixty_four;

-- One rule for integers (docs/api.md §3.3): a number with a whole value in
-- range, however written, is that integer; anything else is refused
SELECT l.given, coalesce(jsonb_array_length(customers.query(jsonb_build_object('limit', l.given::jsonb)) -> 'data')::text,
						 '') AS page
FROM (VALUES ('1'), ('1.0'), ('1.000'), ('1e0'), ('1E0'), ('0.1e1'), ('10e-1')) AS l(given);
SELECT l.given, raises(format('SELECT customers.query(%L)', jsonb_build_object('limit', l.given::jsonb))) AS error
FROM (VALUES ('1.5'), ('0.0'), ('-1'), ('-0.0'), ('1E4'), ('1001.0'), ('1e-1'), ('"1"'), ('true')) AS l(given);
SELECT jsonb_array_length(customers.query('{"limit": 5e1}') -> 'data') AS limit_5e1,
	   jsonb_array_length(customers.query('{"limit": 1E3}') -> 'data') AS limit_1e3,
	   jsonb_array_length(customers.query('{"limit": 50.0}') -> 'data') AS limit_50_0;
SELECT jsonb_array_length(customers.history('cus_rules', '{"limit": 2.0}') -> 'data') AS history_limit_2_0,
	   jsonb_array_length(customers.users('cus_rules', '{"limit": 1e1}') -> 'data') AS users_limit_1e1;
-- version: a whole number from 0
SELECT customers.get('cus_rules') ->> 'version' AS version \gset
SELECT customers.patch('cus_rules', format('{"version": %s.0, "name": "Version N.0"}', :version)::jsonb) ->> 'name'
	AS version_n_0;
SELECT customers.patch('cus_rules', format('{"version": %se0, "name": "Version Ne0"}', :version + 1)::jsonb) ->> 'name'
	AS version_n_e0;
SELECT raises(format('SELECT customers.patch(%L, %L)', 'cus_rules', v.patch)) AS error
FROM (VALUES ('{"version": 3.5}'), ('{"version": -1}'), ('{"version": 1e18}')) AS v(patch);
-- a payment method's expMonth and expYear
SELECT customers.save_payment_method('cus_rules', '{"type": "CARD",
	"card": {"brand": "visa", "last4": "1881", "expMonth": 12.0, "expYear": 2.03e3}}') -> 'card' AS card;
SELECT raises(format('SELECT customers.save_payment_method(%L, %L)', 'cus_rules',
	'{"type": "CARD", "card": {"brand": "visa", "last4": "1881", "expMonth": 12.5, "expYear": 2030}}')) AS half_month;

-- customers.actor: at most 255 bytes, with an error of its own
SET customers.actor = 'api-key-42';
SELECT customers.patch('cus_rules', '{"name": "Actor"}') ->> 'updatedBy' AS actor;
SELECT set_config('customers.actor', repeat('a', 255), false) IS NOT NULL AS set_255;
SELECT length(customers.patch('cus_rules', '{"name": "Actor 255"}') ->> 'updatedBy') AS actor_255;
SELECT set_config('customers.actor', repeat('a', 256), false) IS NOT NULL AS set_256;
SELECT raises($$SELECT customers.patch('cus_rules', '{"name": "Actor 256"}')$$) AS actor_256;
SELECT set_config('customers.actor', repeat('a', 300 * 1024), false) IS NOT NULL AS set_300kb;
SELECT raises($$SELECT customers.save('{"data": [{"name": "Actor 300 kB"}]}')$$) AS actor_300kb;
RESET customers.actor;
SELECT customers.get('cus_rules') ->> 'name' AS unchanged;

-- Tenant ids are taken exactly, so white space around one is refused
-- rather than naming another tenant that no one can tell apart
SELECT t.tenant, raises(format('SELECT customers.get(%L) WHERE set_config(%L, %L, true) IS NOT NULL',
							  'cus_rules', 'customers.tenant_id', t.tenant)) AS error
FROM (VALUES (' request_rules '), ('request_rules '), (' request_rules'), (E'\trequest_rules'),
			 (E'request_rules\n')) AS t(tenant);
SET customers.tenant_id = ' request_rules ';
SELECT raises('SELECT customers.current_tenant()') AS current_tenant;
-- white space inside is part of the id
SET customers.tenant_id = 'request rules';
SELECT customers.current_tenant() AS inner_space, customers.get('cus_rules') AS other_tenant;
RESET customers.tenant_id;
