/*
 * cursor.c
 *		Cursor tokens: base64url of a small binary payload and its HMAC.
 *
 * The payload holds the sort key of a row at full precision (text as is,
 * times in microseconds) and its id, plus the sort it belongs to. The MAC is
 * HMAC-SHA256, truncated to 16 bytes, over the payload and the canonical text
 * of the query's filter, keyed by HMAC(database key, tenant id). So a token
 * altered in any bit, or sent by another tenant or with another filter, fails
 * verification; a token for another sort is refused by its sort fields.
 *
 * Payload: version, flags (before, key null), sort key, direction,
 * [key: 8-byte time, or 4-byte length and text], 2-byte id length, id.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "common/base64.h"
#include "common/cryptohash.h"
#include "common/hmac.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "cursor.h"
#include "pg_compat.h"
#include "spi_plans.h"

#define CURSOR_VERSION 1
#define FLAG_BEFORE 1
#define FLAG_KEY_NULL 2
#define MAC_BYTES 16
#define KEY_BYTES 32
#define MAX_TOKEN_CHARS 4096
#define ALTERED_DETAIL \
	"The cursor was altered, or was issued for another tenant or another filter."

#define CURSOR_KEY_SQL \
	"SELECT key FROM customers.cursor_key ORDER BY created_at, key_id LIMIT 1"

static SPIPlanPtr cursor_key_plan = NULL;
static uint8 database_key[KEY_BYTES];
static Oid	database_key_extension = InvalidOid;

/* The database's cursor key, read once per backend and per extension install */
static const uint8 *
DatabaseKey(void)
{
	Oid			extension = get_extension_oid("customers", false);
	bool		isnull;
	bytea	   *key;

	if (extension == database_key_extension)
		return database_key;

	ExecutePlan(KeptPlan(&cursor_key_plan, CURSOR_KEY_SQL, 0, NULL), NULL, true, SPI_OK_SELECT);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("customers.cursor_key holds no key"),
				 errhint("Reinstall the extension, or restore customers.cursor_key from a dump.")));
	key = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (VARSIZE_ANY_EXHDR(key) != KEY_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("customers.cursor_key holds a key of the wrong length")));
	memcpy(database_key, VARDATA_ANY(key), KEY_BYTES);
	SPI_freetuptable(SPI_tuptable);
	database_key_extension = extension;
	return database_key;
}

/* HMAC-SHA256 of up to two byte strings under key */
static void
Hmac(const uint8 *key, int key_len, const void *a, int a_len, const void *b, int b_len,
	 uint8 *digest)
{
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);

	if (ctx == NULL ||
		pg_hmac_init(ctx, key, key_len) < 0 ||
		pg_hmac_update(ctx, a, a_len) < 0 ||
		(b != NULL && pg_hmac_update(ctx, b, b_len) < 0) ||
		pg_hmac_final(ctx, digest, PG_SHA256_DIGEST_LENGTH) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("could not compute a cursor signature: %s", pg_hmac_error(ctx))));
	pg_hmac_free(ctx);
}

/* The MAC of a payload under the tenant's key and the filter */
static void
PayloadMac(const CursorBinding *binding, const char *payload, int len, uint8 *mac)
{
	uint8		tenant_key[PG_SHA256_DIGEST_LENGTH];
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	StringInfoData message;

	Hmac(DatabaseKey(), KEY_BYTES, "tenant:", 7, binding->tenant_id,
		 strlen(binding->tenant_id), tenant_key);

	initStringInfo(&message);
	appendBinaryStringInfo(&message, payload, len);
	appendStringInfoString(&message, binding->filter_text);
	Hmac(tenant_key, sizeof(tenant_key), message.data, message.len, NULL, 0, digest);
	memcpy(mac, digest, MAC_BYTES);
}

/* Raise the error for a token that is not one of ours, or not for this query */
static void
InvalidCursor(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid cursor"),
			 errdetail("%s", detail),
			 errhint("Send back cursor.after or cursor.before exactly as a query returned it, "
					 "with the same filter and sort, or leave \"cursor\" out for the first page.")));
}

/* Append a big-endian integer of n bytes */
static void
AppendInt(StringInfo buf, uint64 value, int n)
{
	for (int i = n - 1; i >= 0; i--)
		appendStringInfoChar(buf, (char) ((value >> (8 * i)) & 0xFF));
}

/* The token for a position */
char *
EncodeCursor(const CursorBinding *binding, const CursorPosition *position)
{
	StringInfoData payload;
	uint8		mac[MAC_BYTES];
	char	   *token;
	int			len;
	int			out = 0;

	initStringInfo(&payload);
	appendStringInfoChar(&payload, CURSOR_VERSION);
	appendStringInfoChar(&payload, (position->before ? FLAG_BEFORE : 0) |
						 (position->key_null ? FLAG_KEY_NULL : 0));
	appendStringInfoChar(&payload, (char) binding->sort_key);
	appendStringInfoChar(&payload, binding->descending ? 1 : 0);
	if (!position->key_null && position->key_is_time)
		AppendInt(&payload, (uint64) position->key_time, 8);
	else if (!position->key_null && !binding->key_is_id)
	{
		AppendInt(&payload, strlen(position->key_text), 4);
		appendStringInfoString(&payload, position->key_text);
	}
	AppendInt(&payload, strlen(position->id), 2);
	appendStringInfoString(&payload, position->id);
	PayloadMac(binding, payload.data, payload.len, mac);
	appendBinaryStringInfo(&payload, (char *) mac, MAC_BYTES);

	token = palloc(pg_b64_enc_len(payload.len) + 1);
	len = B64Encode(payload.data, payload.len, token, pg_b64_enc_len(payload.len));
	if (len < 0)
		elog(ERROR, "could not encode a cursor");
	/* base64url without padding */
	for (int i = 0; i < len; i++)
	{
		if (token[i] == '=')
			break;
		token[out++] = token[i] == '+' ? '-' : token[i] == '/' ? '_' : token[i];
	}
	token[out] = '\0';
	return token;
}

/* Read a big-endian integer of n bytes, if the payload has them */
static bool
ReadInt(const uint8 **p, const uint8 *end, int n, uint64 *value)
{
	if (end - *p < n)
		return false;
	*value = 0;
	for (int i = 0; i < n; i++)
		*value = (*value << 8) | *(*p)++;
	return true;
}

/* Decode and verify a token for this query; any mismatch raises 22023 */
void
DecodeCursor(const CursorBinding *binding, const char *token, int len,
			 CursorPosition *position)
{
	char	   *padded;
	int			token_len = len;
	uint8	   *payload;
	int			payload_len;
	char	   *reencoded;
	const uint8 *p;
	const uint8 *end;
	uint8		mac[MAC_BYTES];
	uint8		diff = 0;
	uint64		value;

	if (len < 1 || len > MAX_TOKEN_CHARS || len % 4 == 1)
		InvalidCursor("The cursor has the wrong length.");
	padded = palloc(len + 4);
	for (int i = 0; i < len; i++)
	{
		char		c = token[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_'))
			InvalidCursor("The cursor is not base64url text.");
		padded[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	while (len % 4 != 0)
		padded[len++] = '=';

	payload = palloc(pg_b64_dec_len(len) + 1);
	payload_len = B64Decode(padded, len, payload, pg_b64_dec_len(len));
	if (payload_len < 4 + 2 + MAC_BYTES)
		InvalidCursor("The cursor is too short.");

	/*
	 * The last character of unpadded base64 has spare bits that decoding
	 * ignores; a token has one spelling, so one with other spare bits was
	 * altered.
	 */
	reencoded = palloc(pg_b64_enc_len(payload_len) + 1);
	if (B64Encode(payload, payload_len, reencoded, pg_b64_enc_len(payload_len)) < token_len ||
		memcmp(reencoded, padded, token_len) != 0)
		InvalidCursor(ALTERED_DETAIL);

	payload_len -= MAC_BYTES;
	PayloadMac(binding, (char *) payload, payload_len, mac);
	for (int i = 0; i < MAC_BYTES; i++)
		diff |= mac[i] ^ payload[payload_len + i];
	if (diff != 0)
		InvalidCursor(ALTERED_DETAIL);

	p = payload;
	end = payload + payload_len;
	if (p[0] != CURSOR_VERSION)
		InvalidCursor("The cursor comes from another version of the extension.");
	if (p[2] != binding->sort_key || p[3] != (binding->descending ? 1 : 0))
		InvalidCursor("The cursor was issued for another sort.");
	memset(position, 0, sizeof(CursorPosition));
	position->before = (p[1] & FLAG_BEFORE) != 0;
	position->key_null = (p[1] & FLAG_KEY_NULL) != 0;
	p += 4;

	position->key_is_time = binding->key_is_time;
	if (!position->key_null && !binding->key_is_id)
	{
		if (binding->key_is_time)
		{
			if (!ReadInt(&p, end, 8, &value))
				InvalidCursor("The cursor is truncated.");
			position->key_time = (TimestampTz) value;
		}
		else
		{
			if (!ReadInt(&p, end, 4, &value) || (uint64) (end - p) < value)
				InvalidCursor("The cursor is truncated.");
			position->key_text = pnstrdup((const char *) p, value);
			p += value;
		}
	}
	if (!ReadInt(&p, end, 2, &value) || (uint64) (end - p) != value || value == 0)
		InvalidCursor("The cursor is truncated.");
	position->id = pnstrdup((const char *) p, value);
}
