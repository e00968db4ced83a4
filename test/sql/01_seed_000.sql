-- Seed 000 (Tight "Save customers", docs/api.md §9.0): the seed's request,
-- test/fixtures/seed_000_save_request.json, must come back as the seed's
-- response, apart from the fields only the server sets (version,
-- times, actors) and the error arrays, which are empty on success where the
-- seed shows a placeholder error.
SET customers.tenant_id = 'seed000';
SET customers.actor = 'seed-test';

\getenv abs_srcdir PG_ABS_SRCDIR
\set seed_request `cat :'abs_srcdir'/fixtures/seed_000_save_request.json`
\set seed_response `cat :'abs_srcdir'/fixtures/seed_000_save_response.json`
CREATE TEMP TABLE seed AS SELECT :'seed_request'::jsonb AS request,
	   :'seed_response'::jsonb -> 'data' -> 0 -> 'data' AS response;

CREATE TEMP TABLE saved AS SELECT customers.save(request) AS envelope FROM seed;

-- the envelope
SELECT envelope ->> 'result' AS result,
	   envelope -> 'error' AS error,
	   jsonb_array_length(envelope -> 'data') AS items,
	   envelope -> 'data' -> 0 ->> 'result' AS item_result,
	   envelope -> 'data' -> 0 -> 'statusCode' AS item_status,
	   envelope -> 'data' -> 0 -> 'error' AS item_error
FROM saved;

-- the document equals the seed response once server-set fields are removed
SELECT (envelope -> 'data' -> 0 -> 'data')
		 - '{version,createdDateTime,updatedDateTime,createdBy,updatedBy}'::text[]
	   = response AS equals_seed_response
FROM saved, seed;

-- the server-set fields
SELECT d -> 'version' AS version, d ->> 'createdBy' AS created_by,
	   d ->> 'updatedBy' AS updated_by,
	   d ->> 'createdDateTime' = d ->> 'updatedDateTime' AS same_times,
	   (d ->> 'createdDateTime')::timestamptz <= now() AS created_in_past
FROM saved, LATERAL (SELECT envelope -> 'data' -> 0 -> 'data' AS d) AS x;

-- the whole stored document, as get returns it
SELECT jsonb_pretty(mask(customers.get('cus_28868401')));

-- saving the seed request again changes nothing
SELECT items.result, items.status, items.data -> 'version' AS version
FROM seed, items(customers.save(request));
