-- Batch save: the request as a whole, mixed batches where bad items fail
-- alone, updates, conflicts, and the 1000-item bound.
SET customers.tenant_id = 'batch';
\pset format unaligned

-- requests malformed as a whole raise 22023 and save nothing
SELECT raises('SELECT customers.save(NULL)');
SELECT raises($$SELECT customers.save('[]')$$);
SELECT raises($$SELECT customers.save('"data"')$$);
SELECT raises($$SELECT customers.save('{}')$$);
SELECT raises($$SELECT customers.save('{"data": {}}')$$);
SELECT raises($$SELECT customers.save('{"data": []}')$$);
SELECT raises($$SELECT customers.save('{"data": [{"name": "A"}], "extra": 1}')$$);
SELECT raises($$SELECT customers.save(jsonb_build_object('data',
	(SELECT jsonb_agg(jsonb_build_object('name', 'n' || i)) FROM generate_series(1, 1001) AS i)))$$);
SELECT count(*) AS stored FROM customers.customer WHERE tenant_id = 'batch';

-- a mixed batch: good items are saved, bad ones fail alone with 400
CREATE TEMP TABLE mixed AS SELECT customers.save($$
{"data": [
  {"id": "cus_good1", "name": "Good One", "email": "one@example.com"},
  {"id": "cus_bad1", "name": "", "email": "not-an-email"},
  "not an object",
  {"id": "cus_good2", "name": "Good Two", "externalId": "ext-2"},
  {"name": "Bad Two", "address": {"countryCode": "XX"}, "colour": "red"}
]}$$) AS envelope;
SELECT envelope ->> 'result' AS result FROM mixed;
SELECT i.n, i.result, i.status, i.data ->> 'id' AS id, i.error
FROM mixed, items(envelope) AS i;
SELECT jsonb_pretty(envelope -> 'error') AS top_level_errors FROM mixed;
SELECT id, name, version FROM customers.customer WHERE tenant_id = 'batch' ORDER BY id;

-- update through save: given fields replace, absent ones are kept, null removes
SELECT i.status, i.data ->> 'name' AS name, i.data ->> 'email' AS email,
	   i.data ->> 'externalId' AS external_id, i.data -> 'version' AS version
FROM items(customers.save($$
{"data": [
  {"id": "cus_good1", "name": "Good One Renamed"},
  {"id": "cus_good2", "externalId": null, "email": "two@example.com"}
]}$$)) AS i;

-- a nested object given on update replaces the stored one wholesale
SELECT items.data -> 'address' AS address FROM items(customers.save(
	'{"data": [{"id": "cus_good1", "address": {"city": "Paris", "countryCode": "FR"}}]}'));
SELECT items.data -> 'address' AS address, items.data -> 'version' AS version FROM items(customers.save(
	'{"data": [{"id": "cus_good1", "address": {"zip": "75001"}}]}'));

-- saving the same values again is not a change: the version stays
SELECT items.data -> 'version' AS version FROM items(customers.save(
	'{"data": [{"id": "cus_good1", "name": "Good One Renamed"}]}'));

-- version preconditions: a stale one is a 409 conflict, the current one succeeds
SELECT i.n, i.result, i.status, i.data -> 'version' AS version, i.error
FROM items(customers.save($$
{"data": [
  {"id": "cus_good1", "version": 1, "name": "Stale"},
  {"id": "cus_good2", "version": 2, "name": "Good Two v3"},
  {"id": "cus_new0", "version": 0, "name": "Created with version 0"},
  {"id": "cus_new1", "version": 1, "name": "Does not exist at version 1"}
]}$$)) AS i;
SELECT id, name, version FROM customers.customer WHERE tenant_id = 'batch' ORDER BY id;

-- duplicate externalId: against a stored customer, and twice in one batch
SELECT customers.save('{"data": [{"id": "cus_ext", "name": "Ext", "externalId": "shared-ext"}]}') ->> 'result' AS result;
SELECT i.n, i.result, i.status, i.error
FROM items(customers.save($$
{"data": [
  {"id": "cus_ext2", "name": "Takes stored", "externalId": "shared-ext"},
  {"id": "cus_ext3", "name": "First claim", "externalId": "fresh-ext"},
  {"id": "cus_ext4", "name": "Second claim", "externalId": "fresh-ext"},
  {"id": "cus_ext", "name": "Keeps its own", "externalId": "shared-ext"}
]}$$)) AS i;

-- the same id twice in one batch: the later item fails
SELECT i.n, i.result, i.status, i.data ->> 'name' AS name, i.error
FROM items(customers.save($$
{"data": [
  {"id": "cus_twice", "name": "First"},
  {"id": "cus_twice", "name": "Second"}
]}$$)) AS i;

-- a batch of 1000 new customers is saved whole, with ids in creation order
SELECT count(*) AS items, bool_and((item ->> 'statusCode')::int = 200) AS all_saved,
	   count(DISTINCT item -> 'data' ->> 'id') AS distinct_ids
FROM jsonb_array_elements(customers.save(jsonb_build_object('data',
	(SELECT jsonb_agg(jsonb_build_object('name', 'bulk ' || i) ORDER BY i)
	 FROM generate_series(1, 1000) AS i))) -> 'data') AS item;
SELECT count(*) AS bulk_stored FROM customers.customer
WHERE tenant_id = 'batch' AND name LIKE 'bulk %';
SELECT bool_and(prev_id < id) AS ids_increase
FROM (SELECT id, lag(id) OVER (ORDER BY (regexp_replace(name, '\D', '', 'g'))::int) AS prev_id
	  FROM customers.customer WHERE tenant_id = 'batch' AND name LIKE 'bulk %') AS t;

-- a failed batch changes nothing
SELECT table_checksum() AS before \gset
SELECT raises($$SELECT customers.save(jsonb_build_object('data',
	(SELECT jsonb_agg(jsonb_build_object('name', 'over ' || i)) FROM generate_series(1, 1001) AS i)))$$);
SELECT table_checksum() = :'before' AS unchanged;

-- an externalId released by an earlier item may be claimed by a later one
-- (by a create or an update, also along a chain); a release in a later item,
-- or by an item that fails, leaves the claim a 409 (docs/api.md §3.5)
SELECT i.n, i.status, i.data ->> 'externalId' AS external_id FROM items(customers.save($$
{"data": [{"id": "cus_rel_a", "name": "A", "externalId": "rel-x"},
          {"id": "cus_rel_b", "name": "B", "externalId": "rel-y"},
          {"id": "cus_rel_c", "name": "C", "externalId": "rel-z"}]}$$)) AS i;
SELECT i.n, i.result, i.status, i.data ->> 'id' AS id, i.data ->> 'externalId' AS external_id, i.error
FROM items(customers.save($$
{"data": [{"id": "cus_rel_a", "externalId": "rel-x2"},
          {"id": "cus_rel_new", "name": "New", "externalId": "rel-x"}]}$$)) AS i;
SELECT i.n, i.result, i.status, i.data ->> 'id' AS id, i.data ->> 'externalId' AS external_id, i.error
FROM items(customers.save($$
{"data": [{"id": "cus_rel_new", "externalId": null},
          {"id": "cus_rel_b", "externalId": "rel-x"},
          {"id": "cus_rel_c", "externalId": "rel-y"},
          {"id": "cus_rel_a", "externalId": "rel-z"}]}$$)) AS i;
SELECT table_checksum() AS before_rel \gset
-- a swap: each claim waits for a release in a later item, so both fail
SELECT i.n, i.result, i.status, i.data ->> 'id' AS id, i.error
FROM items(customers.save($$
{"data": [{"id": "cus_rel_b", "externalId": "rel-y"},
          {"id": "cus_rel_c", "externalId": "rel-x"}]}$$)) AS i;
-- the releasing item fails, so the claim fails too
SELECT i.n, i.result, i.status, i.data ->> 'id' AS id, i.error
FROM items(customers.save($$
{"data": [{"id": "cus_rel_a", "externalId": null, "email": "not an address"},
          {"id": "cus_rel_b", "externalId": "rel-z"}]}$$)) AS i;
SELECT table_checksum() = :'before_rel' AS unchanged;
-- the release comes after the claim: the claim fails, the release is saved
SELECT i.n, i.result, i.status, i.data ->> 'id' AS id, i.error
FROM items(customers.save($$
{"data": [{"id": "cus_rel_a", "externalId": "rel-y"},
          {"id": "cus_rel_c", "externalId": null}]}$$)) AS i;
SELECT id, external_id, doc ->> 'externalId' AS doc_external_id, version FROM customers.customer
WHERE tenant_id = 'batch' AND id LIKE 'cus_rel%' ORDER BY id;
