-- Every call for one tenant sends its statements to the one worker that
-- holds the tenant, and names only the tenant's shards there: from Citus's
-- own log of the commands it sends (routed(), test 00). Writes included:
-- each statement carries tenant_id = $1 and is planned with its value.
SELECT routed('citus_x', $$customers.save_class_labels('{"data": [{"id": "cll_r", "name": "Region"}]}')$$) AS save_class_labels;
SELECT routed('citus_x', $$customers.save_class_segments('{"data": [
	{"id": "cls_r1", "name": "East", "label": "cll_r"},
	{"id": "cls_r2", "name": "Boston", "label": "cll_r", "parent": "cls_r1"},
	{"id": "cls_r3", "name": "Gone", "label": "cll_r"}]}')$$) AS save_class_segments;
SELECT routed('citus_x', $$customers.class_segments('{"label": "cll_r"}')$$) AS class_segments;
SELECT routed('citus_x', $$customers.delete_class_segment('cls_r3')$$) AS delete_class_segment;
SELECT routed('citus_x', $$customers.save('{"data": [
	{"id": "cus_r1", "name": "Alpha", "email": "a@example.com", "classSegments": ["cls_r2"]},
	{"id": "cus_r2", "name": "Beta", "externalId": "ext-r2"},
	{"id": "cus_r3", "name": "Gamma"}]}')$$) AS save_create;
SELECT routed('citus_x', $$customers.save('{"data": [{"id": "cus_r2", "name": "Beta 2"},
	{"id": "cus_r4", "name": "Delta"}]}')$$) AS save_update_and_create;
SELECT routed('citus_x', $$customers.get('cus_r1')$$) AS get;
SELECT routed('citus_x', $$customers.patch('cus_r1', '{"customData": {"k": 1}}')$$) AS patch;
SELECT routed('citus_x', $$customers.archive('cus_r3')$$) AS archive;
SELECT routed('citus_x', $$customers.restore('cus_r3')$$) AS restore;
SELECT routed('citus_x', $$customers.query('{"limit": 2}')$$) AS query;
SELECT routed('citus_x', $$customers.query('{"limit": 2, "sort": {"orderBy": "NAME", "direction": "DESC"}}')$$) AS query_sorted;
SELECT routed('citus_x', $$customers.query('{"filter": {"name": {"contain": "lph"}}}')$$) AS query_contain;
SELECT routed('citus_x', $$customers.query('{"filter": {"classSegments": {"expand": true, "id": {"in": ["cls_r1"]}}}}')$$) AS query_segments_expand;
SET customers.tenant_id = 'citus_x';
SELECT customers.query('{"limit": 2}') -> 'cursor' ->> 'after' AS after \gset
RESET customers.tenant_id;
SELECT routed('citus_x', format('customers.query(%L)', jsonb_build_object('limit', 2, 'cursor', :'after'))) AS query_next_page;
SELECT routed('citus_x', $$customers.history('cus_r1', '{"limit": 1}')$$) AS history;
SELECT routed('citus_x', $$customers.save_payment_method('cus_r1', '{"type": "CARD", "isDefault": true,
	"card": {"brand": "visa", "last4": "4242", "expMonth": 12, "expYear": 2030}}')$$) AS save_payment_method;
SELECT routed('citus_x', $$customers.payment_methods('cus_r1')$$) AS payment_methods;
SET customers.tenant_id = 'citus_x';
SELECT customers.payment_methods('cus_r1') -> 'data' -> 0 ->> 'id' AS pm \gset
RESET customers.tenant_id;
SELECT routed('citus_x', format('customers.payment_method(%L, %L)', 'cus_r1', :'pm')) AS payment_method;
SELECT routed('citus_x', format('customers.detach_payment_method(%L, %L)', 'cus_r1', :'pm')) AS detach_payment_method;
SELECT routed('citus_x', $$customers.create_user('cus_r1', '{"email": "u@example.com"}')$$) AS create_user;
SELECT routed('citus_x', $$customers.users('cus_r1', '{"limit": 1}')$$) AS users;
-- the other tenant's calls go to the other worker
SELECT routed('citus_b', $$customers.save('{"data": [{"id": "cus_r1", "name": "Other"}]}')$$) AS other_tenant_save;
SELECT routed('citus_b', $$customers.get('cus_r1')$$) AS other_tenant_get;
SET customers.tenant_id = 'citus_b';
SELECT customers.get('cus_r1') ->> 'name' AS other_tenants_own_customer;
RESET customers.tenant_id;
