-- search and count (docs/api.md §4.1, §4.3): one text across name, email,
-- businessName, externalId, id and the address's city, ignoring case and
-- accents, every word somewhere; pages walked under every sort; counts exact
-- up to a cap. test 64 draws search and count in its random trees.
\pset format unaligned
SET customers.tenant_id = 'qsearch';
SELECT count(*) AS saved FROM jsonb_array_elements(customers.save($$ {"data": [
	{"id": "cus_s01", "name": "Crème Brûlée Café", "email": "Jane.Doe@Example.com", "address": {"city": "Montréal"}},
	{"id": "cus_s02", "name": "Acme Corp", "businessName": "ÅCME Holdings GmbH", "externalId": "org-42",
	 "address": {"city": "Zürich"}},
	{"id": "cus_s03", "name": "Straße & Söhne", "email": "info@strasse.de", "businessName": "Łódź Trading"},
	{"id": "cus_s04", "name": "ＡＣＭＥ full width", "externalId": "ACME-7", "address": {"city": "São Paulo"}},
	{"id": "cus_s05", "name": "Jane Roe", "email": "jane@roe.io", "businessName": "Roe 50%_off",
	 "address": {"city": "Æbeltoft"}},
	{"id": "cus_s06", "name": "Dänisch Øl", "status": "INACTIVE", "address": {"city": "Paris"}},
	{"id": "cus_s07", "name": "Archived Acme"}
]} $$) -> 'data');
SELECT customers.archive('cus_s07') ->> 'status' AS archived;

CREATE FUNCTION pg_temp.found(request jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(d ->> 'id', ' ' ORDER BY n), '-')
	FROM jsonb_array_elements(customers.query(request || '{"sort": {"orderBy": "ID"}}') -> 'data')
		 WITH ORDINALITY AS t(d, n)
$$;
SELECT s AS search, pg_temp.found(jsonb_build_object('filter', jsonb_build_object('search', s))) AS found
FROM unnest(ARRAY[
	'acme',                 -- name, businessName (Å), full-width letters, externalId; not the archived one
	'ÁcMé',                 -- accents and case in the search too
	'creme brulee',         -- two words of one field
	'cafe jane',            -- words of two fields (name and email)
	'jane',                 -- name, email
	'JANE.DOE@EXAMPLE',     -- email ignoring case
	'montreal',             -- the address's city
	'zurich org-42',        -- city and externalId
	'strasse',              -- ß spelled ss, and the email
	'lodz',                 -- Ł and ź
	'aebeltoft',            -- Æ
	'øl dänisch',           -- ø, and words in any order
	'cus_s0',               -- ids
	'S_S0',                 -- _ is an ordinary character
	's_0',                  -- (no id has s, _ and 0 in a row)
	'50%_',                 -- and %
	'ACME paris',           -- no customer has both
	'sao paulo acme-7',     -- spaces: São Paulo is two words
	'   ',                  -- white space only: every customer
	'xyz'                   -- nobody
]) AS s;

-- with other filters, under and, or and not; archived customers on request
SELECT f AS filter, pg_temp.found(jsonb_build_object('filter', f::jsonb)) AS found
FROM (VALUES
	('{"search": "acme", "status": {"in": ["ACTIVE", "ARCHIVED"]}}'),
	('{"search": "jane", "email": {"contain": "roe"}}'),
	('{"or": [{"search": "zurich"}, {"search": "paris"}]}'),
	('{"not": {"search": "acme"}}'),
	('{"and": [{"search": "jane"}, {"not": {"search": "example"}}]}')) AS c(f);

-- every sort, direction and page size, both ways (one character: no
-- trigram, the sort index walked; three: the trigram index)
SELECT * FROM check_all('{"search": "e"}',
						$$status <> 'ARCHIVED' AND id <> 'cus_s06'$$);
SELECT * FROM check_all('{"search": "acme"}', $$id IN ('cus_s02', 'cus_s04')$$);
SELECT * FROM check_all('{"search": "jane"}', $$id IN ('cus_s01', 'cus_s05')$$);

-- the cursor is bound to the search
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('limit', 1,
	'filter', '{"search": "acme corp"}'::jsonb,
	'cursor', customers.query('{"limit": 1, "filter": {"search": "acme"}}') #>> '{cursor,after}'))) AS other_search;

-- errors name the path
SELECT r AS request, raises(format('SELECT customers.query(%L)', r::jsonb)) AS error
FROM (VALUES
	('{"filter": {"search": 5}}'),
	('{"filter": {"or": [{}, {"search": ["acme"]}]}}'),
	('{"filter": {"search": "a b c d e f g h i"}}')) AS c(r);
SELECT raises(format('SELECT customers.query(%L)', jsonb_build_object('filter', jsonb_build_object('search', repeat('é', 256))))) AS chars_256;
SELECT pg_temp.found(jsonb_build_object('filter', jsonb_build_object('search', repeat('é', 255)))) AS chars_255;

-- count: exact up to the cap, "more than" past it; not bound to the page
SELECT r AS request, customers.query(r::jsonb) -> 'count' AS count, jsonb_array_length(customers.query(r::jsonb) -> 'data') AS page
FROM (VALUES
	('{"count": true}'),
	('{"count": true, "limit": 2}'),
	('{"count": {"upTo": 5}, "limit": 1}'),
	('{"count": {"upTo": 6}, "limit": 1}'),
	('{"count": {"upTo": 1}, "filter": {"search": "jane"}}'),
	('{"count": {"upTo": 2}, "filter": {"search": "jane"}}'),
	('{"count": {}, "filter": {"search": "xyz"}}'),
	('{"count": {"upTo": 10000}, "filter": {"status": {"equal": "ARCHIVED"}}}'),
	('{"count": false}'),
	('{"count": null}')) AS c(r);
-- from a cursor, the count is still the whole filter's
SELECT customers.query(jsonb_build_object('limit', 2, 'count', true,
	'cursor', customers.query('{"limit": 2, "count": true}') #>> '{cursor,after}')) -> 'count' AS count_from_cursor;
SELECT r AS request, raises(format('SELECT customers.query(%L)', r::jsonb)) AS error
FROM (VALUES
	('{"count": "yes"}'),
	('{"count": {"upTo": 0}}'),
	('{"count": {"upTo": 10001}}'),
	('{"count": {"upTo": 2.5}}'),
	('{"count": {"upTo": "5"}}'),
	('{"count": {"max": 5}}')) AS c(r);
