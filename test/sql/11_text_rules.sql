-- The text rules of docs/api.md §2.2 over every text field of the customer
-- document, with generated inputs: every Unicode white space code point
-- trimmed and blank when alone, every control character refused, NFC; and
-- the address rules of §2 and §2.1 (aliases merge into the stored address, a
-- stored country is kept and cannot be removed). A refused item or call
-- changes nothing.
SET customers.tenant_id = 'text_rules';
SET customers.actor = 'text-rules-test';
\pset format unaligned

-- the White_Space code points, ZERO WIDTH SPACE and BOM
CREATE TEMP TABLE spaces AS
SELECT chr(cp) AS ch, cp FROM unnest(ARRAY[9, 10, 11, 12, 13, 32, 133, 160, 5760,
	8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8203,
	8232, 8233, 8239, 8287, 12288, 65279]) AS cp;
-- the control characters (Cc) that are not white space
CREATE TEMP TABLE controls AS
SELECT chr(cp) AS ch, cp FROM generate_series(1, 159) AS cp
WHERE (cp < 32 OR cp BETWEEN 127 AND 159) AND cp NOT IN (9, 10, 11, 12, 13, 133);
SELECT (SELECT count(*) FROM spaces) AS spaces, (SELECT count(*) FROM controls) AS controls;

-- the text fields, as paths into an item
CREATE TEMP TABLE text_fields (param text, path text[]);
INSERT INTO text_fields VALUES
	('name', '{name}'), ('externalId', '{externalId}'), ('businessName', '{businessName}'),
	('additionalContactName', '{additionalContactName}'),
	('invoiceSettings.invoicePrefix', '{invoiceSettings,invoicePrefix}'),
	('address.state', '{address,state}'), ('address.city', '{address,city}'),
	('address.zip', '{address,zip}'), ('address.phoneWork', '{address,phoneWork}'),
	('address.address1', '{address,address1}'), ('address.address2', '{address,address2}');

-- an item with value at path (objects on the way created), and a name
CREATE FUNCTION pg_temp.item_with(path text[], value text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN cardinality(path) = 1
		THEN jsonb_build_object('name', 'N') || jsonb_build_object(path[1], value)
		ELSE jsonb_build_object('name', 'N', path[1], jsonb_build_object(path[2], value)) END
$$;

SELECT table_checksum() AS before \gset

-- 1. every white space code point, alone, doubled and around text, in every field:
-- blank alone (refused: required or optional, blank is not a value), trimmed around text
SELECT f.param, count(*) AS cases,
	count(*) FILTER (WHERE r.error = jsonb_build_array(jsonb_build_object('type', 'VALIDATION_ERROR',
		'param', f.param, 'message', format('"%s" must have 1 to %s characters after trimming, not 0',
		f.param, CASE WHEN f.param LIKE 'invoice%' THEN 16 ELSE 255 END)))) AS blank_refused
FROM text_fields f, spaces s,
	LATERAL (VALUES (s.ch), (s.ch || s.ch), (s.ch || ' ' || chr(12288))) AS v(blank),
	LATERAL items(customers.save(jsonb_build_object('data', jsonb_build_array(
		pg_temp.item_with(f.path, v.blank))))) AS r
GROUP BY f.param ORDER BY f.param;

SELECT f.param, count(*) AS cases,
	count(*) FILTER (WHERE r.data #>> f.path = 'Ab c') AS stored_trimmed
FROM text_fields f, spaces s,
	LATERAL items(customers.save(jsonb_build_object('data', jsonb_build_array(
		pg_temp.item_with(f.path, s.ch || s.ch || 'Ab c' || s.ch))))) AS r
WHERE f.param <> 'externalId'
GROUP BY f.param ORDER BY f.param;
-- externalId is unique: one customer per white space code point
SELECT count(*) AS cases, count(*) FILTER (WHERE r.data ->> 'externalId' = 'ext ' || s.cp) AS stored_trimmed
FROM spaces s, LATERAL items(customers.save(jsonb_build_object('data', jsonb_build_array(
	jsonb_build_object('name', 'N', 'externalId', s.ch || 'ext ' || s.cp || s.ch))))) AS r;
-- a white space code point inside the text is kept (only control characters are refused)
SELECT r.result, r.data ->> 'name' = 'Jean' || chr(160) || 'Dupont' AS kept
FROM items(customers.save(jsonb_build_object('data', jsonb_build_array(
	jsonb_build_object('name', chr(12288) || 'Jean' || chr(160) || 'Dupont' || chr(8203)))))) AS r;

-- 2. every control character inside any field is refused, naming it
SELECT f.param, count(*) AS cases,
	count(*) FILTER (WHERE r.error = jsonb_build_array(jsonb_build_object('type', 'VALIDATION_ERROR',
		'param', f.param, 'message', format('"%s" must not contain control characters, such as U+%s',
		f.param, lpad(upper(to_hex(c.cp)), 4, '0'))))) AS refused
FROM text_fields f, controls c,
	LATERAL items(customers.save(jsonb_build_object('data', jsonb_build_array(
		pg_temp.item_with(f.path, 'a' || c.ch || 'b'))))) AS r
GROUP BY f.param ORDER BY f.param;
-- inside, a tab or newline is a control character too
SELECT n, result, status, error FROM items(customers.save($$
{"data": [{"name": "Line one\nLine two"}, {"name": "N", "address": {"address1": "1 Main St\t"}},
          {"name": "N", "address": {"address1": "1 Main\tSt"}}]}$$));

-- 3. NFC: decomposed input is stored composed; the lengths count after it
SELECT n, result, left(data ->> 'name', 8) AS name, length(data ->> 'name') AS chars,
	data ->> 'name' = normalize(data ->> 'name', NFC) AS is_nfc, error
FROM items(customers.save(jsonb_build_object('data', jsonb_build_array(
	jsonb_build_object('name', 'Ame' || chr(769) || 'lie'),
	jsonb_build_object('name', 'A' || chr(778) || 'ngstro' || chr(776) || 'm'),
	jsonb_build_object('id', 'cus_text_nfc', 'name', 'Ame' || chr(769) || 'lie', 'externalId', 'e' || chr(769)),
	jsonb_build_object('name', repeat('e' || chr(769), 255)),
	jsonb_build_object('name', 'x', 'externalId', chr(233)))))) AS t;
-- every decomposable Latin-1 letter, decomposed, is stored as its composed form
SELECT count(*) AS letters, count(*) FILTER (WHERE r.data ->> 'businessName' = chr(cp)) AS composed
FROM generate_series(192, 255) AS cp,
	LATERAL items(customers.save(jsonb_build_object('data', jsonb_build_array(
		jsonb_build_object('name', 'N', 'businessName', normalize(chr(cp), NFD)))))) AS r
WHERE normalize(chr(cp), NFD) <> chr(cp);

-- 4. patch follows the same rules (22023, nothing changed)
SELECT data ->> 'id' AS patched FROM items(customers.save(
	'{"data": [{"id": "cus_text1", "name": "Text One", "externalId": "text-1",
	  "address": {"countryCode": "FR", "address1": "1 rue de la Paix", "zip": "75002", "city": "Paris"}}]}'));
SELECT table_checksum() AS before_patch \gset
SELECT raises($$SELECT customers.patch('cus_text1', jsonb_build_object('name', chr(160) || chr(12288)))$$);
SELECT raises($$SELECT customers.patch('cus_text1', '{"businessName": ""}')$$);
SELECT raises($$SELECT customers.patch('cus_text1', '{"externalId": " \u3000 "}')$$);
SELECT raises($$SELECT customers.patch('cus_text1', '{"address": {"city": "Par\u0000is"}}')$$);
SELECT raises($$SELECT customers.patch('cus_text1', '{"address": {"city": "Par\u0007is"}}')$$);
SELECT table_checksum() = :'before_patch' AS unchanged;
SELECT p ->> 'name' AS name, p ->> 'externalId' AS external_id
FROM customers.patch('cus_text1', jsonb_build_object('name', chr(8195) || 'Text  One' || chr(10),
	'externalId', ' text-1 ')) AS p;
-- the trimmed values equal the stored ones: no change, the version stays
SELECT p -> 'version' AS version FROM customers.patch('cus_text1', '{"name": " Text  One "}') AS p;

-- 5. address aliases merge into the stored address (save and patch) ...
SELECT n, result, data -> 'address' AS address, data -> 'version' AS version, error
FROM items(customers.save('{"data": [{"id": "cus_text1", "city": "Lyon"}]}'));
SELECT n, result, data -> 'address' AS address, error
FROM items(customers.save('{"data": [{"id": "cus_text1", "address_line2": "Bât. B", "postal_code": "69001"}]}'));
SELECT p -> 'address' AS address FROM customers.patch('cus_text1', '{"state": "ARA"}') AS p;
-- ... while an "address" object given in save still replaces the stored one
-- whole (with aliases beside it merging into it), keeping the stored country
SELECT n, result, data -> 'address' AS address, error
FROM items(customers.save('{"data": [{"id": "cus_text1", "address": {"city": "Nice"}, "postal_code": "06000"}]}'));

-- 6. the stored country is kept: an address without countryCode on update,
-- an "address": null, a removed address alias; null for countryCode is refused
SELECT n, result, data -> 'address' AS address, error
FROM items(customers.save('{"data": [{"id": "cus_text1", "address": {"zip": "06100"}}]}'));
SELECT n, result, data -> 'address' AS address, error
FROM items(customers.save('{"data": [{"id": "cus_text1", "address": null}]}'));
SELECT table_checksum() AS before_removal \gset
SELECT n, result, status, data, error FROM items(customers.save(
	'{"data": [{"id": "cus_text1", "country": null}, {"id": "cus_text1x", "name": "New", "address": {"countryCode": null}}]}'));
SELECT n, result, status, data, error FROM items(customers.save(
	'{"data": [{"id": "cus_text1", "address": {"countryCode": null, "city": "Nice"}, "name": ""}]}'));
SELECT raises($$SELECT customers.patch('cus_text1', '{"country": null}')$$);
SELECT raises($$SELECT customers.patch('cus_text1', '{"address": {"countryCode": null}}')$$);
SELECT raises($$SELECT customers.patch('cus_text1', '{"address_country": null, "city": "Lyon"}')$$);
-- (the create of cus_text1x with countryCode null got the default, USA)
SELECT c -> 'address' AS address FROM customers.get('cus_text1x') AS c;
DELETE FROM customers.customer WHERE tenant_id = 'text_rules' AND id = 'cus_text1x';
SELECT table_checksum() = :'before_removal' AS unchanged;
SELECT c -> 'address' AS address, c -> 'version' AS version FROM customers.get('cus_text1') AS c;
-- a patch that replaces the country does so
SELECT p -> 'address' AS address FROM customers.patch('cus_text1', '{"country": "de"}') AS p;
-- a new customer without a country still gets USA
SELECT n, result, data -> 'address' AS address FROM items(customers.save('{"data": [{"name": "No Country", "city": "Austin"}]}'));

-- the stored rows agree with their documents
SELECT count(*) AS stored,
	count(*) FILTER (WHERE name = doc ->> 'name' AND external_id IS NOT DISTINCT FROM doc ->> 'externalId'
		AND business_name IS NOT DISTINCT FROM doc ->> 'businessName') AS consistent
FROM customers.customer WHERE tenant_id = 'text_rules';
