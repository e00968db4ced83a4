-- Customer users (docs/api.md §6.2): create_user and users(), email unique
-- per customer ignoring case, the first_name / last_name aliases, pagination
-- both ways with signed cursors, tenants and customers kept apart.
SET customers.tenant_id = 'users';
SET customers.actor = 'users-test';
\set VERBOSITY default
\set SHOW_CONTEXT never
\pset format unaligned

SELECT count(*) AS saved FROM items(customers.save('{"data": [
	{"id": "cus_u1", "name": "Many Users"}, {"id": "cus_u2", "name": "Other"},
	{"id": "cus_u_archived", "name": "Gone"}]}')) WHERE status = 200;
SELECT customers.archive('cus_u_archived') ->> 'status' AS status;

-- canonical names, aliases, both with the same value; email kept as given
-- (trimmed), customerId may be repeated
SELECT mask(customers.create_user('cus_u1', '{"email": "Ann@Example.com", "firstName": "Ann", "lastName": "Lee"}')) AS u;
SELECT mask(customers.create_user('cus_u1', '{"email": " bob@example.com ", "first_name": "Bob", "last_name": "Ray"}')) AS u;
SELECT mask(customers.create_user('cus_u1', '{"email": "cy@example.com", "first_name": "Cy", "firstName": "Cy",
	"customerId": "cus_u1"}')) AS u;
SELECT mask(customers.create_user('cus_u1', '{"email": "dee@example.com", "lastName": null}')) AS u;

-- the same email in another case is taken (23505); another customer may use it
SELECT table_checksum() AS before \gset
SELECT raises($$SELECT customers.create_user('cus_u1', '{"email": "ANN@example.COM"}')$$);
SELECT table_checksum() = :'before' AS unchanged;
SELECT customers.create_user('cus_u2', '{"email": "ann@example.com"}') ->> 'email' AS other_customer;

-- invalid users (22023; the detail lists further errors) change nothing
SELECT table_checksum() AS before \gset
SELECT raises($$SELECT customers.create_user('cus_u1', '{}')$$);
SELECT raises($$SELECT customers.create_user('cus_u1', '{"email": "not-an-email"}')$$);
SELECT raises($$SELECT customers.create_user('cus_u1', '{"email": 42, "firstName": 1, "middle_name": "X"}')$$);
SELECT raises($$SELECT customers.create_user('cus_u1', '{"email": "e@example.com", "first_name": "A", "firstName": "B"}')$$);
SELECT raises($$SELECT customers.create_user('cus_u1', '{"email": "e@example.com", "customerId": "cus_u2"}')$$);
SELECT raises(format('SELECT customers.create_user(%L, %L)', 'cus_u1',
	jsonb_build_object('email', 'e@example.com', 'last_name', repeat('x', 256))));
SELECT raises($$SELECT customers.create_user('cus_u1', '{"email": "e@example.com", "id": "cuu_mine"}')$$);
SELECT raises($$SELECT customers.create_user('cus_nobody', '{"email": "e@example.com"}')$$);
SELECT raises($$SELECT customers.create_user('cus_u_archived', '{"email": "e@example.com"}')$$);
SELECT raises($$SELECT customers.create_user(NULL, '{"email": "e@example.com"}')$$);
SELECT raises($$SELECT customers.create_user('cus_u1', NULL)$$);
SELECT raises($$SELECT customers.create_user('cus_u1', '"e@example.com"')$$);
SELECT table_checksum() = :'before' AS unchanged;

-- the list: oldest first, in the Tight envelope
SELECT page(customers.users('cus_u1', '{}')) AS first_page;
SELECT page(customers.users('cus_u1')) AS default_request;
SELECT page(customers.users('cus_u_archived')) AS archived_customer;

-- pagination: 23 users walked forward and backward at several limits
-- visit every user once, in order; the first page has no cursor.before
-- and the last no cursor.after
SELECT count(customers.create_user('cus_u1', jsonb_build_object('email', format('user%s@example.com', i))))
	AS created FROM generate_series(1, 19) AS i;
SELECT array_agg(id ORDER BY id) AS stored_users FROM customers.customer_user
WHERE tenant_id = 'users' AND customer_id = 'cus_u1' \gset
SELECT lim, walk_list('users', 'cus_u1', lim) = :'stored_users'::text[] AS every_user_once_in_order
FROM unnest('{1,2,5,22,23,24,1000}'::int[]) AS lim;

-- a page past the end (possible only when rows go away; here deleted
-- directly and rolled back) is empty and leads back with cursor.before
BEGIN;
SELECT customers.users('cus_u1', '{"limit": 21}') -> 'cursor' ->> 'after' AS after21 \gset
DELETE FROM customers.customer_user WHERE tenant_id = 'users' AND customer_id = 'cus_u1'
	AND id > :'after21' AND id IN (SELECT id FROM customers.customer_user
		WHERE tenant_id = 'users' AND customer_id = 'cus_u1'
		ORDER BY id DESC LIMIT 2);
SELECT customers.users('cus_u1', jsonb_build_object('limit', 21, 'cursor', :'after21')) AS past_end \gset
SELECT page(:'past_end') AS past_end;
SELECT page(customers.users('cus_u1', jsonb_build_object('limit', 2, 'cursor',
	:'past_end'::jsonb -> 'cursor' ->> 'before'))) -> 'data' AS back_from_the_end;
ROLLBACK;

-- invalid requests and cursors (22023): a cursor is bound to the tenant,
-- the list and the customer
SELECT customers.users('cus_u1', '{"limit": 2}') -> 'cursor' ->> 'after' AS cursor \gset
SELECT raises($$SELECT customers.users('cus_u1', NULL)$$);
SELECT raises($$SELECT customers.users('cus_u1', '[]')$$);
SELECT raises($$SELECT customers.users('cus_u1', '{"limit": 0}')$$);
SELECT raises($$SELECT customers.users('cus_u1', '{"limit": 1001}')$$);
SELECT raises($$SELECT customers.users('cus_u1', '{"limit": "5"}')$$);
SELECT raises($$SELECT customers.users('cus_u1', '{"sort": {}}')$$);
SELECT raises($$SELECT customers.users('cus_u1', '{"cursor": 5}')$$);
SELECT raises($$SELECT customers.users('cus_u1', '{"cursor": "abc!"}')$$);
SELECT raises(format('SELECT customers.users(%L, %L)', 'cus_u1',
	jsonb_build_object('cursor', left(:'cursor', -2) || 'AA')));
SELECT raises(format('SELECT customers.users(%L, %L)', 'cus_u2', jsonb_build_object('cursor', :'cursor')));
SELECT raises(format('SELECT customers.history(%L, %L)', 'cus_u1', jsonb_build_object('cursor', :'cursor')));
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('cursor', :'cursor')));
SELECT raises($$SELECT customers.users('cus_nobody', '{}')$$);
SELECT raises($$SELECT customers.users(NULL, '{}')$$);
SET customers.tenant_id = 'users_other';
SELECT customers.save('{"data": [{"id": "cus_u1", "name": "Same id, other tenant"}]}') ->> 'result' AS saved;
SELECT raises(format('SELECT customers.users(%L, %L)', 'cus_u1', jsonb_build_object('cursor', :'cursor')));
SELECT page(customers.users('cus_u1')) AS other_tenant_sees_none;
SET customers.tenant_id = 'users';
SELECT jsonb_array_length(customers.users('cus_u1', jsonb_build_object('cursor', :'cursor')) -> 'data') AS still_valid_here;
