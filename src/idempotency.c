/*
 * idempotency.c
 *		Idempotency keys for every writing function (docs/api.md §3.8).
 *
 * A call made while customers.idempotency_key is set claims the key in
 * customers.idempotency_key (the table) before it runs, in its own
 * transaction, with a fingerprint of the function and its arguments, and
 * stores its result there when it returns. So:
 *
 * - a retry with the same key and request after the first committed finds
 *   the row and gets the stored result, byte for byte, without running;
 * - the same key with another function or other arguments is refused with
 *   CU001;
 * - a retry while the first is still running waits on the first's
 *   uncommitted row (the unique key), then replays its result, or runs
 *   itself if the first rolled back: never both. Under REPEATABLE READ the
 *   wait ends in 40001, and lock_timeout bounds it (55P03);
 * - a call that fails rolls back its claim with everything else, so it
 *   stores nothing and a retry runs again.
 *
 * A key is kept customers.idempotency_key_ttl (default 24 hours) after its
 * first call; an expired key is taken over as if absent. Each keyed call
 * also deletes a few of its tenant's expired keys, and
 * customers.purge_idempotency_keys() deletes them across tenants in small
 * batches; both lock only the rows they delete and skip locked ones.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "call_context.h"
#include "envelope.h"
#include "idempotency.h"
#include "spi_plans.h"

/* a key used again for another request */
#define ERRCODE_IDEMPOTENCY_KEY_REUSED MAKE_SQLSTATE('C','U','0','0','1')

/* how many expired keys of its tenant each keyed call deletes */
#define CLEANUP_BATCH 8

/*
 * Claim the key: a new row, or an expired one taken over. Returns a row
 * only when the claim succeeded; waits while another transaction holds it.
 */
#define CLAIM_SQL \
	"INSERT INTO customers.idempotency_key AS k (tenant_id, key, function, fingerprint," \
	" customer_ref, created_at, expires_at) VALUES ($1, $2, $3, $4, NULLIF($7, ''), $5, $6)" \
	" ON CONFLICT (tenant_id, key) DO UPDATE SET function = EXCLUDED.function," \
	" fingerprint = EXCLUDED.fingerprint, customer_ref = EXCLUDED.customer_ref, response = NULL," \
	" created_at = EXCLUDED.created_at," \
	" expires_at = EXCLUDED.expires_at WHERE k.expires_at OPERATOR(pg_catalog.<=) EXCLUDED.created_at" \
	" RETURNING 1"

#define STORED_SQL \
	"SELECT function, fingerprint, response FROM customers.idempotency_key" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND key OPERATOR(pg_catalog.=) $2"

#define STORE_SQL \
	"UPDATE customers.idempotency_key SET response = $3" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND key OPERATOR(pg_catalog.=) $2"

#define CLEANUP_SQL \
	"DELETE FROM customers.idempotency_key WHERE tenant_id OPERATOR(pg_catalog.=) $1" \
	" AND key OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT key FROM customers.idempotency_key" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND expires_at OPERATOR(pg_catalog.<=) $2" \
	" ORDER BY expires_at LIMIT " CppAsString2(CLEANUP_BATCH) " FOR UPDATE SKIP LOCKED))"

/* every tenant's: the table is read until batch expired keys are found */
/*
 * Every tenant's, one tenant at a time: the tenants with expired keys (the
 * table is read until found), then up to $3 of one tenant's keys, so each
 * delete runs on one tenant's rows (on Citus, one shard: a lock on rows
 * of several shards is refused there)
 */
#define PURGE_TENANTS_SQL \
	"SELECT DISTINCT tenant_id FROM customers.idempotency_key" \
	" WHERE expires_at OPERATOR(pg_catalog.<=) $1 LIMIT $2"

#define PURGE_TENANT_SQL \
	"DELETE FROM customers.idempotency_key WHERE tenant_id OPERATOR(pg_catalog.=) $1" \
	" AND key OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT key FROM customers.idempotency_key" \
	" WHERE tenant_id OPERATOR(pg_catalog.=) $1 AND expires_at OPERATOR(pg_catalog.<=) $2" \
	" LIMIT $3 FOR UPDATE SKIP LOCKED))"

char	   *customers_idempotency_key = NULL;
int			customers_idempotency_ttl = DEFAULT_IDEMPOTENCY_TTL;

static SPIPlanPtr claim_plan = NULL;
static SPIPlanPtr stored_plan = NULL;
static SPIPlanPtr store_plan = NULL;
static SPIPlanPtr cleanup_plan = NULL;

/*
 * How much of an argument is hashed between checks for cancel: SHA-256 of
 * a 256 MB request takes about a second
 */
#define FINGERPRINT_CHUNK (1024 * 1024)

/* Add len bytes and their length to the fingerprint */
static void
AddToFingerprint(pg_cryptohash_ctx *ctx, const void *data, uint32 len)
{
	bool		failed = pg_cryptohash_update(ctx, (const uint8 *) &len, sizeof(len)) < 0;

	for (uint32 done = 0; done < len && !failed; done += FINGERPRINT_CHUNK)
	{
		CHECK_FOR_INTERRUPTS();
		failed = pg_cryptohash_update(ctx, (const uint8 *) data + done,
									  Min(len - done, FINGERPRINT_CHUNK)) < 0;
	}
	if (failed)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute a request fingerprint: %s", pg_cryptohash_error(ctx))));
}

/*
 * SHA-256 of the function and its arguments (text or jsonb, compared as
 * stored: equal jsonb values have equal bytes), NULLs told apart
 */
static bytea *
Fingerprint(FunctionCallInfo fcinfo, const char *function)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	bytea	   *digest = palloc(VARHDRSZ + PG_SHA256_DIGEST_LENGTH);

	if (pg_cryptohash_init(ctx) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute a request fingerprint: %s", pg_cryptohash_error(ctx))));
	AddToFingerprint(ctx, function, strlen(function));
	for (int i = 0; i < fcinfo->nargs; i++)
	{
		struct varlena *arg;
		uint8		isnull = PG_ARGISNULL(i);

		AddToFingerprint(ctx, &isnull, 1);
		if (isnull)
			continue;
		arg = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(i));
		AddToFingerprint(ctx, VARDATA_ANY(arg), VARSIZE_ANY_EXHDR(arg));
	}
	if (pg_cryptohash_final(ctx, (uint8 *) VARDATA(digest), PG_SHA256_DIGEST_LENGTH) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute a request fingerprint: %s", pg_cryptohash_error(ctx))));
	pg_cryptohash_free(ctx);
	SET_VARSIZE(digest, VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	return digest;
}

/* The key of this call, or NULL; refused when longer than 255 characters */
static const char *
CurrentKey(void)
{
	const char *key = customers_idempotency_key;

	if (key == NULL || key[0] == '\0')
		return NULL;
	if (pg_mbstrlen(key) > MAX_IDEMPOTENCY_KEY_CHARS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customers.idempotency_key is longer than %d characters",
						MAX_IDEMPOTENCY_KEY_CHARS),
				 errhint("Use a shorter key, such as a UUID.")));
	return key;
}

/*
 * Claim the key, or find it claimed. Returns NULL when the call is to run,
 * or the stored result to replay.
 */
static Jsonb *
ClaimKey(const CallScope *call, const char *key, const char *function, bytea *fingerprint,
		 const char *customer_ref)
{
	static Oid	claim_types[7] = {TEXTOID, TEXTOID, TEXTOID, BYTEAOID, TIMESTAMPTZOID,
	TIMESTAMPTZOID, TEXTOID};
	static Oid	key_types[2] = {TEXTOID, TEXTOID};
	static Oid	cleanup_types[2] = {TEXTOID, TIMESTAMPTZOID};
	Datum		values[7];
	bool		isnull;
	char	   *stored_function;
	bytea	   *stored_fingerprint;
	Datum		response;
	Jsonb	   *replay;

	values[0] = CStringGetTextDatum(call->tenant_id);
	values[1] = CStringGetTextDatum(key);
	values[2] = CStringGetTextDatum(function);
	values[3] = PointerGetDatum(fingerprint);
	values[4] = TimestampTzGetDatum(call->now);
	values[5] = TimestampTzGetDatum(call->now +
									(TimestampTz) customers_idempotency_ttl * USECS_PER_SEC);
	values[6] = CStringGetTextDatum(customer_ref ? customer_ref : "");

	/* a few of the tenant's expired keys go first, so a claim may reuse none of them */
	ExecutePlan(KeptPlan(&cleanup_plan, CLEANUP_SQL, 2, cleanup_types),
				(Datum[]) {values[0], values[4]}, false, SPI_OK_DELETE);

	ExecutePlan(KeptPlan(&claim_plan, CLAIM_SQL, 7, claim_types), values, false,
				SPI_OK_INSERT_RETURNING);
	if (SPI_processed == 1)
		return NULL;

	ExecutePlan(KeptPlan(&stored_plan, STORED_SQL, 2, key_types), values, false, SPI_OK_SELECT);
	if (SPI_processed != 1)
		elog(ERROR, "idempotency key neither claimed nor stored");
	stored_function = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	stored_fingerprint = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0],
													   SPI_tuptable->tupdesc, 2, &isnull));
	response = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
	if (strcmp(stored_function, function) != 0 ||
		VARSIZE_ANY_EXHDR(stored_fingerprint) != PG_SHA256_DIGEST_LENGTH ||
		memcmp(VARDATA_ANY(stored_fingerprint), VARDATA(fingerprint), PG_SHA256_DIGEST_LENGTH) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_IDEMPOTENCY_KEY_REUSED),
				 errmsg("idempotency key \"%s\" was used for another request", key),
				 errdetail("Its first call was customers.%s with other arguments, or another function.",
						   stored_function),
				 errhint("Use a new key for a new request; a retry must send the same request as the first call.")));
	if (isnull)					/* claimed by this transaction, whose call has not returned */
		ereport(ERROR,
				(errcode(ERRCODE_IDEMPOTENCY_KEY_REUSED),
				 errmsg("idempotency key \"%s\" is in use by a call that has not returned", key),
				 errhint("Use one key for one call.")));
	/* a result stored under a higher customers.max_response_size */
	CheckReplaySize(key, toast_raw_datum_size(response));
	replay = DatumGetJsonbPCopy(response);
	if (JB_ROOT_IS_SCALAR(replay))	/* jsonb null: erase removed it */
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("the result of idempotency key \"%s\" was erased", key),
				 errdetail("It named a customer that customers.erase() has since erased."),
				 errhint("Use a new key for a new request.")));
	SPI_freetuptable(SPI_tuptable);
	return replay;
}

/* Keep the result of the call that claimed the key */
static void
StoreResult(const CallScope *call, const char *key, Jsonb *result)
{
	static Oid	types[3] = {TEXTOID, TEXTOID, JSONBOID};
	Datum		values[3];

	values[0] = CStringGetTextDatum(call->tenant_id);
	values[1] = CStringGetTextDatum(key);
	values[2] = JsonbPGetDatum(result);
	ExecutePlan(KeptPlan(&store_plan, STORE_SQL, 3, types), values, false, SPI_OK_UPDATE);
	if (SPI_processed != 1)
		elog(ERROR, "stored the result of " UINT64_FORMAT " idempotency keys instead of 1",
			 SPI_processed);
}

/*
 * Run body, the writing function's own code, under the key of
 * customers.idempotency_key when one is set: claim, run and store, or
 * replay what the first call with the key returned.
 */
Datum
IdempotentCall(FunctionCallInfo fcinfo, const char *function, PGFunction body,
			   bool by_customer)
{
	const char *key = CurrentKey();
	char	   *customer_ref = NULL;
	bytea	   *fingerprint;
	CallScope	call;
	Jsonb	   *replay;
	Datum		result;

	if (key == NULL)
		return body(fcinfo);

	fingerprint = Fingerprint(fcinfo, function);
	/* the customer argument as given, so erase can find the call's result */
	if (by_customer && !PG_ARGISNULL(0))
		customer_ref = text_to_cstring(PG_GETARG_TEXT_PP(0));
	BeginCall(&call);
	replay = ClaimKey(&call, key, function, fingerprint, customer_ref);
	EndCall(&call);
	if (replay != NULL)
		PG_RETURN_JSONB_P(replay);

	result = body(fcinfo);
	if (fcinfo->isnull)
		elog(ERROR, "customers.%s returned NULL under an idempotency key", function);

	BeginCall(&call);
	StoreResult(&call, key, DatumGetJsonbP(result));
	EndCall(&call);
	return result;
}

PG_FUNCTION_INFO_V1(customers_purge_idempotency_keys);

/*
 * SQL: customers.purge_idempotency_keys(batch int) deletes up to batch
 * expired keys of every tenant, skipping locked ones; returns how many.
 * For an administrator's schedule; not PUBLIC's.
 */
Datum
customers_purge_idempotency_keys(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr tenants_plan = NULL;
	static SPIPlanPtr tenant_plan = NULL;
	static Oid	tenants_types[2] = {TIMESTAMPTZOID, INT4OID};
	static Oid	tenant_types[3] = {TEXTOID, TIMESTAMPTZOID, INT4OID};
	CallScope	call;
	Datum		values[3];
	int32		batch;
	int32		purged = 0;
	List	   *tenants = NIL;
	ListCell   *lc;

	if (PG_ARGISNULL(0) || (batch = PG_GETARG_INT32(0)) < 1 || batch > 100000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument \"batch\" must be from 1 to 100000"),
				 errhint("Delete expired keys in small batches, such as 1000, and call again while it returns the batch size.")));
	BeginCall(&call);
	values[0] = TimestampTzGetDatum(call.now);
	values[1] = Int32GetDatum(batch);
	ExecutePlan(KeptPlan(&tenants_plan, PURGE_TENANTS_SQL, 2, tenants_types), values, false,
				SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
		tenants = lappend(tenants, SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1));
	SPI_freetuptable(SPI_tuptable);
	foreach(lc, tenants)
	{
		CHECK_FOR_INTERRUPTS();
		if (purged >= batch)
			break;
		values[0] = CStringGetTextDatum(lfirst(lc));
		values[1] = TimestampTzGetDatum(call.now);
		values[2] = Int32GetDatum(batch - purged);
		ExecutePlan(KeptPlan(&tenant_plan, PURGE_TENANT_SQL, 3, tenant_types), values, false,
					SPI_OK_DELETE);
		purged += (int32) SPI_processed;
	}
	EndCall(&call);
	PG_RETURN_INT32(purged);
}

/*
 * The writing functions: each SQL function's symbol is the wrapper
 * <body>_idempotent, which runs the function's own code (body) under the
 * call's key. Release 0.1.0's SQL names the bodies, which still work.
 */
#define IDEMPOTENT(function, body, by_customer) \
	extern Datum body(PG_FUNCTION_ARGS); \
	PG_FUNCTION_INFO_V1(body##_idempotent); \
	extern Datum body##_idempotent(PG_FUNCTION_ARGS); \
	Datum \
	body##_idempotent(PG_FUNCTION_ARGS) \
	{ \
		return IdempotentCall(fcinfo, function, body, by_customer); \
	}

/* name, body, whether the first argument is a customer */
IDEMPOTENT("save", customers_save, false)
IDEMPOTENT("patch", customers_patch, true)
IDEMPOTENT("archive", customers_archive, true)
IDEMPOTENT("restore", customers_restore, true)
IDEMPOTENT("delete", customers_delete, true)
IDEMPOTENT("erase", customers_erase, true)
IDEMPOTENT("save_payment_method", customers_save_payment_method, true)
IDEMPOTENT("detach_payment_method", customers_detach_payment_method, true)
IDEMPOTENT("create_user", customers_create_user, true)
IDEMPOTENT("save_class_labels", customers_save_class_labels, false)
IDEMPOTENT("save_class_segments", customers_save_class_segments, false)
IDEMPOTENT("delete_class_segment", customers_delete_class_segment, false)
