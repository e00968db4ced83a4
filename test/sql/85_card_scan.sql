-- The card-number scan (src/card_data.c, docs/api.md §6.1) with generated
-- inputs: card numbers of every common length written with every separator
-- a person types, in full-width and other Unicode digits, split across array
-- elements; in payment methods (22023) and in a customer's customData (400
-- in save, 22023 in patch). Nothing is stored; near misses stay data.
SET customers.tenant_id = 'card_scan';
\pset format unaligned

SELECT data ->> 'id' AS customer FROM items(customers.save('{"data": [{"id": "cus_card1", "name": "Card Scan"}]}'));

-- card numbers passing Luhn: Visa 16 and 13, Mastercard 51 and 2-series,
-- Amex 15, Discover, JCB 19
CREATE TEMP TABLE cards (pan text PRIMARY KEY);
INSERT INTO cards VALUES ('4266473782883003'), ('5159612330669706'), ('375871502110720'),
	('6011856722073136'), ('3539118786352864570'), ('4865764012706'), ('2271898399589121');
-- separators, alone and doubled: space, tab, no-break space, the U+2000
-- spaces, narrow no-break and ideographic space, dashes, dot, slash,
-- underscore, bullet, full-width hyphen, full stop and solidus
CREATE TEMP TABLE separators AS
SELECT chr(cp) AS sep, cp FROM unnest(ARRAY[32, 9, 160, 8194, 8195, 8201, 8239, 12288, 45, 8208,
	8211, 8212, 8722, 46, 47, 95, 8226, 65293, 65294, 65295]) AS cp
UNION ALL SELECT chr(32) || chr(32), 3232 UNION ALL SELECT ' - ', 324532 UNION ALL SELECT ' / ', 324732;

-- pan in groups of 4 joined by sep
CREATE FUNCTION pg_temp.grouped(pan text, sep text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT string_agg(substr(pan, i, 4), sep ORDER BY i) FROM generate_series(1, length(pan), 4) AS i
$$;
-- pan with each digit moved to the Unicode block whose zero is zero
CREATE FUNCTION pg_temp.digits_in(pan text, zero int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT string_agg(chr(zero + ascii(d) - 48), '' ORDER BY i)
	FROM regexp_split_to_table(pan, '') WITH ORDINALITY AS t(d, i)
$$;

SELECT table_checksum() AS before \gset

-- outcome_pm(billingDetails), outcome_save(customData): what a payment
-- method or a customer create holding the value gets
CREATE FUNCTION pg_temp.outcome_pm(details jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT split_part(raises(format($f$SELECT customers.save_payment_method('cus_card1', %L)$f$,
		jsonb_build_object('type', 'BANK_ACCOUNT', 'bankAccount', jsonb_build_object('last4', '0002'),
			'billingDetails', details))), E'\n', 1)
$$;
CREATE FUNCTION pg_temp.outcome_save(data jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT CASE WHEN r.status = 200 THEN 'saved' ELSE r.error::text END
	FROM items(customers.save(jsonb_build_object('data',
		jsonb_build_array(jsonb_build_object('name', 'N', 'customData', data))))) AS r
$$;

-- 1. every card written with every separator, in a payment method and in customData
SELECT count(*) AS written,
	count(*) FILTER (WHERE pg_temp.outcome_pm(jsonb_build_object('note', w.text))
		= '22023: "billingDetails.note" looks like a full card number') AS refused_pm,
	count(*) FILTER (WHERE pg_temp.outcome_save(jsonb_build_object('note', w.text))
		= '[{"type": "VALIDATION_ERROR", "param": "customData.note", "message": "\"customData.note\" looks like a full card number"}]') AS refused_save
FROM (SELECT pg_temp.grouped(c.pan, s.sep) AS text FROM cards c, separators s) AS w;

-- 2. in text, with an expiry after it, and in Unicode digits
SELECT count(*) AS written,
	count(*) FILTER (WHERE pg_temp.outcome_save(jsonb_build_object('k', w.text)) LIKE '%looks like a full card number%') AS refused
FROM (SELECT 'card: ' || pg_temp.grouped(c.pan, s.sep) || ' exp 12/30' AS text FROM cards c, separators s
	  UNION ALL SELECT pg_temp.grouped(c.pan, ' ') || ' 12/30 cvc' FROM cards c
	  UNION ALL SELECT pg_temp.digits_in(c.pan, z) FROM cards c,
		unnest(ARRAY[65296, 1632, 1776, 2406, 2534, 3664]) AS z
	  UNION ALL SELECT pg_temp.grouped(pg_temp.digits_in(c.pan, 65296), chr(12288)) FROM cards c) AS w;

-- 3. split across array elements of three or more digits (a 13-digit card
-- as 4-3-3-3), as strings or numbers, in both places; nested in objects and
-- arrays
SELECT count(*) AS arrays,
	count(*) FILTER (WHERE pg_temp.outcome_pm(jsonb_build_object('parts', a.parts))
		= '22023: elements of "billingDetails.parts" together look like a full card number') AS refused_pm,
	count(*) FILTER (WHERE pg_temp.outcome_save(jsonb_build_object('x', jsonb_build_array(jsonb_build_object('parts', a.parts))))
		= '[{"type": "VALIDATION_ERROR", "param": "customData.x[0].parts", "message": "elements of \"customData.x[0].parts\" together look like a full card number"}]') AS refused_save
FROM (SELECT (SELECT jsonb_agg(substr(c.pan, i, 4) ORDER BY i) FROM generate_series(1, length(c.pan), 4) AS i) AS parts
	  FROM cards c WHERE length(c.pan) <> 13
	  UNION ALL SELECT (SELECT jsonb_agg(substr(c.pan, i, 4) || '-' ORDER BY i) FROM generate_series(1, length(c.pan), 4) AS i)
	  FROM cards c WHERE length(c.pan) <> 13
	  UNION ALL SELECT '["4865", "764", "012", "706"]'
	  UNION ALL SELECT jsonb_build_array(substr(c.pan, 1, 8), substr(c.pan, 9)) FROM cards c
	  UNION ALL SELECT '[4242, 4242, 4242, 4242]'
	  UNION ALL SELECT '[4242, "4242", "4242 4242"]') AS a;
-- the message names the path, never the value
SELECT n, result, status, error FROM items(customers.save($$
{"data": [{"name": "N", "metadata": {"cards": ["ok", "4242", "4242", "4242", "4242", "ok"]}},
          {"name": "N", "customData": {"a": {"b": "4242.4242.4242.4242"}, "4242 4242 4242 4242": 1, "cvv": "123"}}]}$$));
SELECT raises($$SELECT customers.patch('cus_card1', '{"customData": {"pan": "4242\u00a04242\u00a04242\u00a04242"}}')$$);
SELECT raises($$SELECT customers.patch('cus_card1', '{"metadata": {"pan": "４２４２４２４２４２４２４２４２"}}')$$);
SELECT table_checksum() = :'before' AS unchanged;

-- 4. near misses are data: a failing Luhn digit, four separators, groups
-- split by words, 12 and 20 digits, a long number without separators, phone
-- numbers, an array of short numbers, dates
SELECT w.text, pg_temp.outcome_save(jsonb_build_object('k', w.text)) AS save,
	pg_temp.outcome_pm(jsonb_build_object('k', w.text)) AS payment_method
FROM (VALUES ('4242 4242 4242 4241'), ('4242    4242    4242    4242'), ('4242 4242 and 4242 4242'),
	('424242424242'), ('42424242424242424242'), ('+1 415 555 0100'), ('+44 20 7946 0958'),
	('2026-12-02'), ('12/30'), ('4242.4242')) AS w(text);
SELECT pg_temp.outcome_save('{"k": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]}') AS short_numbers,
	pg_temp.outcome_save('{"k": ["4242", "a", "4242", "4242", "4242"]}') AS split_by_a_word;
-- in customData, digits glued to letters are part of a word (a hexadecimal
-- hash, an identifier); in a payment method they count
SELECT pg_temp.outcome_save(jsonb_build_object('sha', 'a4266473782883003f', 'id', 'ord4266473782883003',
	'hashes', (SELECT jsonb_agg(md5(i::text)) FROM generate_series(1, 2000) AS i))) AS save,
	pg_temp.outcome_pm('{"k": "a4266473782883003f"}') AS payment_method;
-- ... but a number written after a word and a space is a number
SELECT pg_temp.outcome_save('{"k": "card 4266 4737 8288 3003."}') AS save;
-- 10,000 levels deep, found and named
SELECT pg_temp.outcome_save((repeat('{"a":', 10000) || '"4242 4242 4242 4242"' || repeat('}', 10000))::jsonb)::jsonb =
	jsonb_build_array(jsonb_build_object('type', 'VALIDATION_ERROR', 'param', 'customData' || repeat('.a', 10000),
		'message', format('"%s" looks like a full card number', 'customData' || repeat('.a', 10000)))) AS deep_found;
