-- Helpers the later tests share. Generated ids and server times differ on
-- every run, so tests compare documents through mask(), which replaces them
-- with placeholders only when they have exactly the documented format (a
-- malformed time or id would show up in the diff).
CREATE FUNCTION mask(doc jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	k text;
	v jsonb;
	result jsonb;
BEGIN
	IF jsonb_typeof(doc) = 'array' THEN
		SELECT coalesce(jsonb_agg(mask(e) ORDER BY n), '[]')
		  INTO result FROM jsonb_array_elements(doc) WITH ORDINALITY AS t(e, n);
		RETURN result;
	ELSIF jsonb_typeof(doc) <> 'object' THEN
		RETURN doc;
	END IF;
	result := '{}';
	FOR k, v IN SELECT * FROM jsonb_each(doc) LOOP
		IF k IN ('createdDateTime', 'updatedDateTime', 'archivedDateTime')
		   AND v #>> '{}' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$' THEN
			v := '"<time>"';
		ELSIF k = 'id' AND v #>> '{}' ~ '^cus_[0-9A-HJKMNP-TV-Z]{26}$' THEN
			v := '"<generated id>"';
		ELSE
			v := mask(v);
		END IF;
		result := result || jsonb_build_object(k, v);
	END LOOP;
	RETURN result;
END
$$;

-- The item results of a save envelope, one row per item, masked.
CREATE FUNCTION items(envelope jsonb)
RETURNS TABLE (n bigint, result text, status int, data jsonb, error jsonb)
LANGUAGE sql IMMUTABLE AS $$
	SELECT t.n - 1, t.item ->> 'result', (t.item ->> 'statusCode')::int,
		   mask(t.item -> 'data'), t.item -> 'error'
	FROM jsonb_array_elements(envelope -> 'data') WITH ORDINALITY AS t(item, n)
	ORDER BY t.n
$$;

-- A checksum of every stored row, to show that a failed call changed nothing.
CREATE FUNCTION table_checksum() RETURNS text
LANGUAGE sql AS $$
	SELECT md5(coalesce(string_agg(c::text, '|' ORDER BY tenant_id, id), ''))
	FROM customers.customer AS c
$$;

SELECT mask('{"id": "cus_01M84C2G0JTQA0YT69CK6RPX8N", "createdDateTime": "2026-11-23T14:13:36Z",
              "nested": [{"updatedDateTime": "2026-11-23 14:13:36"}], "other": {"id": "cus_1"}}');

-- Run a statement that should fail and show its SQLSTATE, message, detail
-- and hint (psql's verbose mode would also print C line numbers).
CREATE FUNCTION raises(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	state text;
	message text;
	detail text;
	hint text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
	RETURN concat_ws(E'\n', state || ': ' || message,
					 nullif('DETAIL: ' || detail, 'DETAIL: '),
					 nullif('HINT: ' || hint, 'HINT: '));
END
$$;
SELECT raises('SELECT 1/0');
