-- Field rules of docs/api.md §2, each at and just past its bounds, through
-- customers.save. Every rejected item shows its exact error (type, message,
-- param) and statusCode; accepted items show the stored value.
SET customers.tenant_id = 'fields';
SET customers.actor = 'fields-test';
\pset format unaligned

-- save_items(item, ...): save the items in one batch, one row per item result
CREATE FUNCTION pg_temp.save_items(VARIADIC batch jsonb[])
RETURNS TABLE (n bigint, result text, status int, data jsonb, error jsonb)
LANGUAGE sql AS $$
	SELECT * FROM items(customers.save(jsonb_build_object('data', to_jsonb(batch))))
$$;
-- abbrev(value): a JSON value as text; strings over 40 characters shown as
-- their first 8 characters and their length
CREATE FUNCTION pg_temp.abbrev(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN jsonb_typeof(v) = 'string' AND length(v #>> '{}') > 40
		   THEN '"' || left(v #>> '{}', 8) || '..." (' || length(v #>> '{}') || ' chars)'
		   ELSE v::text END
$$;

-- A minimal create: every default of the document
SELECT n, result, status, data, error FROM pg_temp.save_items('{"name": "Minimal"}');

-- name: required, a string, 1..255 characters after trimming (multibyte
-- characters count once), stored trimmed
SELECT n, result, status, pg_temp.abbrev(data -> 'name') AS name, error
FROM pg_temp.save_items(
	'{}',
	'{"name": null}',
	'{"name": 42}',
	'{"name": ["x"]}',
	'{"name": ""}',
	jsonb_build_object('name', E' \t\n '),
	'{"name": "  Trimmed Name  "}',
	jsonb_build_object('name', repeat('n', 255)),
	jsonb_build_object('name', repeat('n', 256)),
	jsonb_build_object('name', '   ' || repeat('t', 255) || '   '),
	jsonb_build_object('name', repeat('é', 255)),
	jsonb_build_object('name', repeat('日', 256)));

-- id: a client may give "cus_" + 1..64 of [A-Za-z0-9_]; absent or null: generated
SELECT n, result, status, pg_temp.abbrev(data -> 'id') AS id, error
FROM pg_temp.save_items(
	'{"id": "cus_Client_id_01", "name": "A"}',
	jsonb_build_object('id', 'cus_' || repeat('a', 64), 'name', 'A'),
	jsonb_build_object('id', 'cus_' || repeat('b', 65), 'name', 'A'),
	'{"id": "cus_", "name": "A"}',
	'{"id": "cust_abc", "name": "A"}',
	'{"id": "CUS_abc", "name": "A"}',
	'{"id": "abc", "name": "A"}',
	'{"id": "cus_a-b", "name": "A"}',
	'{"id": "cus_a b", "name": "A"}',
	'{"id": "cus_é", "name": "A"}',
	'{"id": 42, "name": "A"}',
	'{"id": "bad", "name": "", "colour": "red"}',
	'{"id": null, "name": "A"}',
	'{"name": "A"}');

-- status: ACTIVE (default), INACTIVE, ARCHIVED in exact case; saving ARCHIVED
-- on create archives (archivedDateTime set)
SELECT n, result, status, data -> 'status' AS doc_status,
	   data -> 'archivedDateTime' AS archived, error
FROM pg_temp.save_items(
	'{"name": "S", "status": "ACTIVE"}',
	'{"name": "S", "status": "INACTIVE"}',
	'{"name": "S", "status": "ARCHIVED"}',
	'{"name": "S", "status": null}',
	'{"name": "S", "status": "active"}',
	'{"name": "S", "status": "Archived"}',
	'{"name": "S", "status": "DELETED"}',
	'{"name": "S", "status": ""}',
	'{"name": "S", "status": 1}');

-- externalId: a string of 1..255 characters
SELECT n, result, status, pg_temp.abbrev(data -> 'externalId') AS external_id, error
FROM pg_temp.save_items(
	'{"name": "E", "externalId": "x"}',
	jsonb_build_object('name', 'E', 'externalId', repeat('e', 255)),
	'{"name": "E", "externalId": ""}',
	jsonb_build_object('name', 'E', 'externalId', repeat('f', 256)),
	'{"name": "E", "externalId": 7}',
	'{"name": "E", "externalId": null}');

-- additionalContactName and businessName: strings of at most 255
-- characters, stored as given (not trimmed)
SELECT n, result, status, pg_temp.abbrev(data -> 'additionalContactName') AS contact,
	   pg_temp.abbrev(data -> 'businessName') AS business, error
FROM pg_temp.save_items(
	jsonb_build_object('name', 'B', 'additionalContactName', repeat('c', 255),
					   'businessName', repeat('b', 255)),
	'{"name": "B", "additionalContactName": "  Jane  ", "businessName": ""}',
	jsonb_build_object('name', 'B', 'additionalContactName', repeat('c', 256)),
	jsonb_build_object('name', 'B', 'businessName', repeat('b', 256)),
	'{"name": "B", "additionalContactName": false, "businessName": {}}');

-- ein: 9 digits as NNNNNNNNN or NN-NNNNNNN, stored as the us_ein tax id NN-NNNNNNN; anything else 400
SELECT n, result, status, data -> 'taxIds' AS tax_ids, error
FROM pg_temp.save_items(
	'{"name": "N", "ein": "123456789"}',
	'{"name": "N", "ein": "12-3456789"}',
	'{"name": "N", "ein": "12345678"}',
	'{"name": "N", "ein": "1234567890"}',
	'{"name": "N", "ein": "12-345678"}',
	'{"name": "N", "ein": "12-34567890"}',
	'{"name": "N", "ein": "12345678A"}',
	'{"name": "N", "ein": "AB-CDEFGHI"}',
	'{"name": "N", "ein": "123-456789"}',
	'{"name": "N", "ein": "1-23456789"}',
	'{"name": "N", "ein": "12345678-9"}',
	'{"name": "N", "ein": ""}',
	'{"name": "N", "ein": 123456789}');

-- email: valid addresses (plus, dots, subdomains, case kept, trimmed) and
-- the length bounds: 254 in all and 64 in the local part
SELECT n, result, status, pg_temp.abbrev(data -> 'email') AS email, error
FROM pg_temp.save_items(
	'{"name": "M", "email": "john.doe@example.com"}',
	'{"name": "M", "email": "john+billing@mail.example.co.uk"}',
	'{"name": "M", "email": "First.Last@Example.COM"}',
	'{"name": "M", "email": "  padded@example.com  "}',
	'{"name": "M", "email": "a@b.co"}',
	'{"name": "M", "email": "x_y-z!#$%&*=?^{}|~@sub-domain.example.io"}',
	'{"name": "M", "email": "n@123.example.com"}',
	jsonb_build_object('name', 'M', 'email', repeat('l', 64) || '@' || repeat('a', 63) || '.'
					   || repeat('b', 63) || '.' || repeat('c', 57) || '.com'),
	jsonb_build_object('name', 'M', 'email', repeat('l', 64) || '@' || repeat('a', 63) || '.'
					   || repeat('b', 63) || '.' || repeat('c', 58) || '.com'),
	jsonb_build_object('name', 'M', 'email', repeat('l', 64) || '@example.com'),
	jsonb_build_object('name', 'M', 'email', repeat('l', 65) || '@example.com'),
	jsonb_build_object('name', 'M', 'email', 'j@' || repeat('d', 63) || '.com'),
	jsonb_build_object('name', 'M', 'email', 'j@' || repeat('d', 64) || '.com'));

-- email: invalid syntax, each rejected
SELECT n, result, status, error
FROM pg_temp.save_items(
	'{"name": "M", "email": "plainaddress"}',
	'{"name": "M", "email": "a@b@example.com"}',
	'{"name": "M", "email": "@example.com"}',
	'{"name": "M", "email": "john@"}',
	'{"name": "M", "email": ".john@example.com"}',
	'{"name": "M", "email": "john.@example.com"}',
	'{"name": "M", "email": "john..doe@example.com"}',
	'{"name": "M", "email": "john@localhost"}',
	'{"name": "M", "email": "john@-example.com"}',
	'{"name": "M", "email": "john@example-.com"}',
	'{"name": "M", "email": "john@example..com"}',
	'{"name": "M", "email": "john@example.com."}',
	'{"name": "M", "email": "john@example.123"}',
	'{"name": "M", "email": "john doe@example.com"}',
	'{"name": "M", "email": "\"john\"@example.com"}',
	'{"name": "M", "email": "jöhn@example.com"}',
	'{"name": "M", "email": ""}',
	'{"name": "M", "email": 42}');

-- ccEmails/bccEmails: JSON-encoded array elements are flattened, duplicates
-- (ignoring case) dropped keeping the first spelling; null and absent give []
SELECT n, result, status, data -> 'ccEmails' AS cc, data -> 'bccEmails' AS bcc, error
FROM pg_temp.save_items(
	'{"name": "C", "ccEmails": ["[\"cc@acme.com\"]"]}',
	'{"name": "C", "ccEmails": ["a@x.com", "[\"b@x.com\", \"c@x.com\"]", "A@X.com", " b@X.COM "],
	  "bccEmails": ["[ \"Z@x.com\" , \"z@x.com\" ]", "y@x.com"]}',
	'{"name": "C", "ccEmails": [], "bccEmails": null}',
	'{"name": "C", "ccEmails": ["[]", "a@x.com"]}');

-- ... at most 50 addresses after flattening and dedupe
SELECT n, result, status, jsonb_array_length(data -> 'ccEmails') AS cc,
	   jsonb_array_length(data -> 'bccEmails') AS bcc, error
FROM pg_temp.save_items(
	jsonb_build_object('name', 'C', 'ccEmails',
		(SELECT jsonb_agg('u' || i || '@example.com') FROM generate_series(1, 50) AS i)),
	jsonb_build_object('name', 'C', 'ccEmails',
		(SELECT jsonb_agg('u' || i || '@example.com') FROM generate_series(1, 51) AS i)),
	jsonb_build_object('name', 'C', 'bccEmails',
		(SELECT jsonb_agg('u' || i || '@example.com') FROM generate_series(1, 51) AS i)),
	jsonb_build_object('name', 'C', 'ccEmails',
		(SELECT jsonb_agg('u' || i % 50 || '@Example.com') FROM generate_series(1, 60) AS i)),
	jsonb_build_object('name', 'C', 'bccEmails', jsonb_build_array(
		(SELECT jsonb_agg('v' || i || '@example.com') FROM generate_series(1, 30) AS i)::text,
		(SELECT jsonb_agg('w' || i || '@example.com') FROM generate_series(1, 21) AS i)::text)));

-- ... invalid lists and elements name the element, e.g. "ccEmails[1]"
SELECT n, result, status, error
FROM pg_temp.save_items(
	'{"name": "C", "ccEmails": ["ok@x.com", "bad"]}',
	'{"name": "C", "bccEmails": ["ok@x.com", "", "a@b@c.com"]}',
	'{"name": "C", "ccEmails": "a@x.com"}',
	'{"name": "C", "bccEmails": {"0": "a@x.com"}}',
	'{"name": "C", "ccEmails": ["a@x.com", 42, null]}',
	'{"name": "C", "ccEmails": ["[\"a@x.com\""]}',
	'{"name": "C", "ccEmails": ["[\"a@x.com\", 1]"]}',
	'{"name": "C", "bccEmails": ["[\"ok@x.com\", \"bad\"]"]}');

-- invoiceSettings: the six flags default to true (null too), explicit false
-- kept, invoicePrefix only when given and at most 16 characters
SELECT n, result, status, data -> 'invoiceSettings' AS invoice_settings, error
FROM pg_temp.save_items(
	'{"name": "I"}',
	'{"name": "I", "invoiceSettings": null}',
	'{"name": "I", "invoiceSettings": {}}',
	'{"name": "I", "invoiceSettings": {"showAdditionalContactName": false, "showBusinessName": false,
	  "showName": false, "showEmail": false, "showAddress": false, "showPhoneWork": false}}',
	'{"name": "I", "invoiceSettings": {"showName": null, "showEmail": true, "showAddress": false}}',
	'{"name": "I", "invoiceSettings": {"invoicePrefix": "INV-2026-ABCDEFG"}}',
	'{"name": "I", "invoiceSettings": {"invoicePrefix": "INV-2026-ABCDEFGH"}}',
	'{"name": "I", "invoiceSettings": {"invoicePrefix": 12}}',
	'{"name": "I", "invoiceSettings": {"showName": "false", "showEmail": 0}}',
	'{"name": "I", "invoiceSettings": {"foo": true}}',
	'{"name": "I", "invoiceSettings": []}',
	'{"name": "I", "invoiceSettings": "yes"}');

-- address: countryCode defaults to USA; alpha-2 and alpha-3 in any case are
-- stored as alpha-3; unknown codes rejected
SELECT n, result, status, data -> 'address' AS address, error
FROM pg_temp.save_items(
	'{"name": "A"}',
	'{"name": "A", "address": null}',
	'{"name": "A", "address": {"countryCode": null, "city": "Boston"}}',
	'{"name": "A", "address": {"countryCode": "DE"}}',
	'{"name": "A", "address": {"countryCode": "us"}}',
	'{"name": "A", "address": {"countryCode": "fRa"}}',
	'{"name": "A", "address": {"countryCode": "GBR"}}',
	'{"name": "A", "address": {"countryCode": "XX"}}',
	'{"name": "A", "address": {"countryCode": "xxx"}}',
	'{"name": "A", "address": {"countryCode": "USAA"}}',
	'{"name": "A", "address": {"countryCode": ""}}',
	'{"name": "A", "address": {"countryCode": 840}}');

-- ... the six string members take at most 255 characters; unknown members
-- and non-objects rejected
SELECT n, result, status, (SELECT jsonb_object_agg(key, length(value #>> '{}'))
	   FROM jsonb_each(data -> 'address')) AS member_lengths, error
FROM pg_temp.save_items(
	(SELECT jsonb_build_object('name', 'A', 'address', jsonb_object_agg(m, repeat('a', 255)))
	 FROM unnest('{state,city,zip,phoneWork,address1,address2}'::text[]) AS m),
	(SELECT jsonb_build_object('name', 'A', 'address', jsonb_object_agg(m, repeat('a', 256)))
	 FROM unnest('{state,city,zip,phoneWork,address1,address2}'::text[]) AS m),
	'{"name": "A", "address": {"city": 1, "zip": null}}',
	'{"name": "A", "address": {"foo": "bar", "country": "DE"}}',
	'{"name": "A", "address": "1 Main St"}',
	'{"name": "A", "address": ["1 Main St"]}');

-- customData: any object, kept as is; null gives {}; anything else rejected
SELECT n, result, status, data -> 'customData' AS custom_data, error
FROM pg_temp.save_items(
	'{"name": "D", "customData": {"tier": "gold", "n": 1.50, "deep": {"list": [1, null, {"x": true}]}, "empty": {}}}',
	'{"name": "D", "customData": null}',
	'{"name": "D", "customData": []}',
	'{"name": "D", "customData": "x"}',
	'{"name": "D", "customData": 3}');

-- ... the whole document may not exceed 256 kB (262144 bytes): about 1 kB
-- under is accepted, a 256 kB string alone is over
SELECT n, result, status, length(data -> 'customData' ->> 'blob') AS blob_chars, error
FROM pg_temp.save_items(
	jsonb_build_object('name', 'D', 'customData', jsonb_build_object('blob', repeat('x', 261000))),
	jsonb_build_object('name', 'D', 'customData', jsonb_build_object('blob', repeat('x', 262144))));

-- version on create: 0 ("must not exist yet") accepted; any other value is a
-- 409 conflict; a value that is not a non-negative integer is a 400
SELECT n, result, status, data -> 'version' AS version, error
FROM pg_temp.save_items(
	'{"id": "cus_version0", "name": "V", "version": 0}',
	'{"id": "cus_version1", "name": "V", "version": 1}',
	'{"id": "cus_version2", "name": "V", "version": -1}',
	'{"id": "cus_version3", "name": "V", "version": 1.5}',
	'{"id": "cus_version4", "name": "V", "version": "0"}',
	'{"name": "V", "version": 2}');
SELECT id FROM customers.customer WHERE tenant_id = 'fields' AND id LIKE 'cus_version%';

-- classSegments: [] or null hold none; ids must look like segment ids and
-- name segments that exist (test 70 covers segments in depth)
SELECT n, result, status, data ? 'classSegments' AS has_segments, error
FROM pg_temp.save_items(
	'{"name": "G", "classSegments": []}',
	'{"name": "G", "classSegments": null}',
	'{"name": "G", "classSegments": ["seg_1"]}',
	'{"name": "G", "classSegments": [{"id": "seg_1"}]}',
	'{"name": "G", "classSegments": {}}',
	'{"name": "G", "classSegments": ["cls_missing"]}',
	'{"name": "G", "classSegments": [{"id": "cls_missing", "name": "x"}]}');

-- server-set fields on input are ignored ...
SELECT n, result, status, data, error FROM pg_temp.save_items(
	'{"id": "cus_readonly", "name": "R", "createdDateTime": "1999-01-01T00:00:00Z",
	  "updatedDateTime": "not a time", "archivedDateTime": "2000-01-01T00:00:00Z",
	  "createdBy": "mallory", "updatedBy": 42}');
-- ... so a fetched document can be sent back unchanged (same version)
SELECT n, result, status, data -> 'version' AS version, error
FROM pg_temp.save_items(customers.get('cus_readonly'));

-- unknown top-level fields are rejected by name (names are case-sensitive)
SELECT n, result, status, error
FROM pg_temp.save_items(
	'{"name": "U", "foo": 1}',
	'{"Name": "U"}',
	'{"name": "U", "customdata": {}, "tags": null}');

-- every error of an item is listed, and the other items are unaffected
SELECT n, result, status, data ->> 'name' AS name, error
FROM pg_temp.save_items(
	'{"name": "", "ein": "1", "email": "x", "address": {"countryCode": "ZZ"}, "colour": "red"}',
	'{"name": "Fine"}');

-- what was stored: one row per successful item above, each at version 1
-- with its name and email columns matching the document
SELECT count(*) AS stored,
	   count(*) FILTER (WHERE version = 1 AND name = doc ->> 'name'
						AND email IS NOT DISTINCT FROM lower(doc ->> 'email')) AS consistent
FROM customers.customer WHERE tenant_id = 'fields';
