/*
 * contain_grams.c
 *		The short grams that serve a contain too short for a trigram, and
 *		externalId's contain (docs/design.md, Indexes and plans).
 *
 * pg_trgm reads no trigram from a pattern of 1 or 2 characters, so such a
 * contain had no index: a rare or absent one read the whole tenant. Each
 * customer's grams, customers.contain_grams(), are the distinct 1- and
 * 2-character substrings of its name, email and business name, and the 1-,
 * 2- and 3-character ones of its external id, each of the field's value
 * lower-cased as ILIKE compares it (the database's lower(), which keeps
 * accents), tagged by field and prefixed by a hash of the tenant, in one
 * text[] that a GIN index covers: "name contain zq" adds
 * "contain_grams(…) @> contain_keys($1, 'n', pattern)" beside its ILIKE.
 *
 * ILIKE lower-cases pattern and text and finds the pattern's literal
 * characters as a run of the text's, so every gram of that run is a gram
 * of the text: a match always holds the keys, and the ILIKE decides. The
 * keys are computed from the very pattern the ILIKE is given, lowered the
 * same way (a capital İ lowers to two characters under ICU).
 *
 * The tenant is in the key, not a column of the index (btree_gin's
 * tenant_id column has one posting list of the tenant's every row, which a
 * scan for a common gram decodes whole), so a scan reads one posting list,
 * and ANALYZE's most common elements of the expression are each tenant's
 * frequent grams, which the plan made for a call's value weighs.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "call_context.h"
#include "contain_grams.h"
#include "query_search.h"

/* the hash of the tenant, in hexadecimal digits, before the tag */
#define TENANT_DIGITS 8

/* at most this many keys for one pattern (any of them is a condition) */
#define MAX_PATTERN_KEYS 16

/* the index, and the most matches its statistics may show for it to serve */
#define CONTAIN_GRAMS_INDEX "customer_contain_grams_idx"
#define GRAMS_MAX_MATCHES 5000

/* The longest gram kept for a field's tag: 3 for externalId, else 2 */
static int
LongestGram(char tag)
{
	return tag == GRAM_EXTERNAL_ID ? 3 : 2;
}

/* The prefix of the keys of tenant: its hash, TENANT_DIGITS hex digits */
static void
TenantPrefix(const char *tenant, int len, char *prefix)
{
	uint32		hash = hash_bytes((const unsigned char *) tenant, len);

	snprintf(prefix, TENANT_DIGITS + 1, "%08x", hash);
}

/* A growing list of keys */
typedef struct GramKeys
{
	char	  **keys;
	int			nkeys;
	int			size;
} GramKeys;

/* Append the key of prefix, tag and gram[0..len) */
static void
AddKey(GramKeys *keys, const char *prefix, char tag, const char *gram, int len)
{
	char	   *key = palloc(TENANT_DIGITS + 1 + len + 1);

	if (keys->nkeys == keys->size)
	{
		keys->size = Max(64, keys->size * 2);
		keys->keys = keys->keys ? repalloc(keys->keys, sizeof(char *) * keys->size) :
			palloc(sizeof(char *) * keys->size);
	}
	memcpy(key, prefix, TENANT_DIGITS);
	key[TENANT_DIGITS] = tag;
	memcpy(key + TENANT_DIGITS + 1, gram, len);
	key[TENANT_DIGITS + 1 + len] = '\0';
	keys->keys[keys->nkeys++] = key;
}

/*
 * Append the keys of the grams of s[0..len) (lower-cased) of shortest to
 * longest characters; at most max keys (-1: all)
 */
static void
AddGrams(GramKeys *keys, const char *prefix, char tag, const char *s, int len,
		 int shortest, int longest, int max)
{
	int			nchars = pg_mbstrlen_with_len(s, len);
	int		   *starts = palloc(sizeof(int) * (nchars + 1));
	int			c = 0;

	for (int pos = 0; pos < len; pos += pg_mblen(s + pos))
		starts[c++] = pos;
	starts[nchars] = len;
	for (int n = shortest; n <= longest; n++)
		for (int i = 0; i + n <= nchars; i++)
		{
			if (max >= 0 && keys->nkeys >= max)
				return;
			AddKey(keys, prefix, tag, s + starts[i], starts[i + n] - starts[i]);
		}
	pfree(starts);
}

/* The order of keys for qsort: their bytes */
static int
CompareKeys(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The keys as a text[], sorted and distinct */
static ArrayType *
KeysArray(GramKeys *keys)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(keys->nkeys, 1));
	int			n = 0;

	if (keys->nkeys > 1)
		qsort(keys->keys, keys->nkeys, sizeof(char *), CompareKeys);
	for (int i = 0; i < keys->nkeys; i++)
		if (i == 0 || strcmp(keys->keys[i - 1], keys->keys[i]) != 0)
			elems[n++] = CStringGetTextDatum(keys->keys[i]);
	return construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT);
}

/*
 * The literal characters of a contain pattern ('%' value '%', with '%',
 * '_' and '\' escaped by '\', as ContainPattern writes it), lower-cased
 * as ILIKE lowers the pattern: the pattern is lowered whole, then read
 */
static char *
PatternLiteral(const char *pattern, int len, int *literal_len)
{
	char	   *lowered = DatabaseLower(pattern, len);
	int			lowered_len = strlen(lowered);
	char	   *literal = palloc(lowered_len + 1);
	int			n = 0;

	for (int pos = 0; pos < lowered_len;)
	{
		int			c;

		if (lowered[pos] == '%')
		{
			pos++;
			continue;
		}
		if (lowered[pos] == '\\' && pos + 1 < lowered_len)
			pos++;
		c = pg_mblen(lowered + pos);
		memcpy(literal + n, lowered + pos, c);
		n += c;
		pos += c;
	}
	literal[n] = '\0';
	*literal_len = n;
	return literal;
}

/* The keys of the customers whose field (tag) matches an ILIKE pattern */
static void
PatternKeys(GramKeys *keys, const char *tenant, int tenant_len, char tag,
			const char *pattern, int pattern_len)
{
	char		prefix[TENANT_DIGITS + 1];
	char	   *literal;
	int			literal_len;
	int			n;

	TenantPrefix(tenant, tenant_len, prefix);
	literal = PatternLiteral(pattern, pattern_len, &literal_len);
	n = Min(pg_mbstrlen_with_len(literal, literal_len), LongestGram(tag));
	if (n > 0)
		AddGrams(keys, prefix, tag, literal, literal_len, n, n, MAX_PATTERN_KEYS);
}

/*
 * How many of the tenant's customers hold all the keys, as ANALYZE's most
 * common elements of the index's expression tell (the product of their
 * shares, a key not listed at half the least listed share, as the
 * planner takes them), or -1 without statistics
 */
static double
KeysEstimate(Oid index, GramKeys *keys)
{
	HeapTuple	tuple;
	AttStatsSlot slot;
	double		share = 1;
	double		counted = CustomerRowsCounted();

	if (counted < 0)
		return -1;
	tuple = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(index), Int16GetDatum(1),
							BoolGetDatum(false));
	if (!HeapTupleIsValid(tuple))
		return -1;
	if (!get_attstatsslot(&slot, tuple, STATISTIC_KIND_MCELEM, InvalidOid,
						  ATTSTATSSLOT_VALUES | ATTSTATSSLOT_NUMBERS) ||
		slot.nnumbers < slot.nvalues + 1)
	{
		ReleaseSysCache(tuple);
		return -1;
	}
	for (int k = 0; k < keys->nkeys; k++)
	{
		double		key_share = Min(0.005, slot.numbers[slot.nvalues] / 2);
		int			len = strlen(keys->keys[k]);

		for (int v = 0; v < slot.nvalues; v++)
		{
			text	   *value = DatumGetTextPP(slot.values[v]);

			if ((int) VARSIZE_ANY_EXHDR(value) == len &&
				memcmp(VARDATA_ANY(value), keys->keys[k], len) == 0)
			{
				key_share = slot.numbers[v];
				break;
			}
		}
		share *= key_share;
	}
	free_attstatsslot(&slot);
	ReleaseSysCache(tuple);
	return share * counted;
}

/*
 * Whether a contain (the value as given, of value_chars characters, and
 * its ILIKE pattern) takes the short grams condition for the tenant: the
 * index exists (a database not yet updated to 0.2.0 has neither it nor
 * its functions), the field is externalId or the value is shorter than a
 * trigram, it holds a character, and the statistics do not show it
 * common (without statistics, it is taken as rare). A common pattern
 * is found by the first window of the sort order, or by walking on: the
 * matches collected through the index (1,001 of 150,000 for "ok" at
 * 1,000,000 customers, a whole GIN bitmap, 30 ms) would be dropped, and
 * each walked row matching the ILIKE would compute its grams.
 */
bool
ContainServedByGrams(const char *tenant, char tag, const char *value, int value_chars,
					 const char *pattern)
{
	GramKeys	keys = {0};
	Oid			index;

	if (value[0] == '\0' || (tag != GRAM_EXTERNAL_ID && value_chars >= 3))
		return false;
	index = get_relname_relid(CONTAIN_GRAMS_INDEX, get_rel_namespace(CustomerRelation()));
	if (!OidIsValid(index))
		return false;
	PatternKeys(&keys, tenant, strlen(tenant), tag, pattern, strlen(pattern));
	if (keys.nkeys == 0)
		return false;
	return KeysEstimate(index, &keys) <= GRAMS_MAX_MATCHES;
}

/*
 * Stored fields are short, but any role may call the functions with text of
 * any length: grams past PostgreSQL's largest allocation are refused, and a
 * pattern longer than any stored field's has no keys to look for.
 */
#define GRAM_BYTES_PER_BYTE (3 * (VARHDRSZ + TENANT_DIGITS + 1 + MAXIMUM_ALIGNOF) + 9)
#define MAX_PATTERN_BYTES (64 * 1024)

static void
GramsTooLarge(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("the grams of these fields would take more than %zu bytes", (Size) MaxAllocSize),
			 errhint("Pass fields of at most a few megabytes; a customer's are at most a few hundred characters.")));
}

PG_FUNCTION_INFO_V1(customers_contain_grams);

/*
 * SQL: customers.contain_grams(tenant_id, name, email, business_name,
 * external_id): the keys of a customer's grams (see the file's header).
 * Immutable, as an index needs: lower() depends only on the database's
 * fixed collation, as the trigram indexes' do. A walk of the sort index
 * evaluates it for each row its contain's ILIKE matches, so the keys are
 * laid out in one buffer and duplicates left in (GIN keeps one entry per
 * distinct key, and ANALYZE counts an element once a row): 16 us a row
 * with a sorted list of keys, about 2 us so.
 */
Datum
customers_contain_grams(PG_FUNCTION_ARGS)
{
	static const char tags[] = {GRAM_NAME, GRAM_EMAIL, GRAM_BUSINESS_NAME, GRAM_EXTERNAL_ID};
	text	   *tenant;
	char		prefix[TENANT_DIGITS + 1];
	char	   *lowered[lengthof(tags)];
	int			lowered_len[lengthof(tags)];
	int			nfields = Min((int) lengthof(tags), PG_NARGS() - 1);
	Size		room = 0;
	Size		max_keys = 0;
	char	   *buffer;
	char	   *next;
	Datum	   *keys;
	int			nkeys = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	tenant = PG_GETARG_TEXT_PP(0);
	TenantPrefix(VARDATA_ANY(tenant), VARSIZE_ANY_EXHDR(tenant), prefix);
	for (int f = 0; f < nfields; f++)
	{
		text	   *field;

		lowered[f] = NULL;
		if (PG_ARGISNULL(f + 1))
			continue;
		field = PG_GETARG_TEXT_PP(f + 1);
		/* before lowering it: a byte gives at most GRAM_BYTES_PER_BYTE */
		if (VARSIZE_ANY_EXHDR(field) >= MaxAllocSize / GRAM_BYTES_PER_BYTE)
			GramsTooLarge();
		lowered[f] = DatabaseLower(VARDATA_ANY(field), VARSIZE_ANY_EXHDR(field));
		lowered_len[f] = strlen(lowered[f]);
		/* a gram of n characters starts at each character: n times the bytes */
		max_keys += (Size) lowered_len[f] * LongestGram(tags[f]);
		room += (Size) lowered_len[f] * LongestGram(tags[f]) *
			(VARHDRSZ + TENANT_DIGITS + 1 + MAXIMUM_ALIGNOF) +
			(Size) lowered_len[f] * LongestGram(tags[f]) * LongestGram(tags[f]);
	}
	if (room >= MaxAllocSize || max_keys >= MaxAllocSize / sizeof(Datum))
		GramsTooLarge();
	buffer = palloc(Max(room, 1));
	keys = palloc(sizeof(Datum) * Max(max_keys, 1));
	next = buffer;
	for (int f = 0; f < nfields; f++)
	{
		const char *s = lowered[f];
		int			len;

		if (s == NULL)
			continue;
		len = lowered_len[f];
		for (int pos = 0; pos < len; pos += pg_mblen(s + pos))
		{
			int			end = pos;

			/* any role may call it, on text of any length */
			CHECK_FOR_INTERRUPTS();
			for (int n = 1; n <= LongestGram(tags[f]) && end < len; n++)
			{
				int			size;

				end += pg_mblen(s + end);
				if (end > len)
					break;
				size = VARHDRSZ + TENANT_DIGITS + 1 + (end - pos);
				SET_VARSIZE(next, size);
				memcpy(next + VARHDRSZ, prefix, TENANT_DIGITS);
				next[VARHDRSZ + TENANT_DIGITS] = tags[f];
				memcpy(next + VARHDRSZ + TENANT_DIGITS + 1, s + pos, end - pos);
				keys[nkeys++] = PointerGetDatum(next);
				next += INTALIGN(size);
			}
		}
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(keys, nkeys, TEXTOID, -1, false, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(customers_contain_keys);

/*
 * SQL: customers.contain_keys(tenant_id, tag, pattern): the keys a customer
 * of the tenant whose field (tag) matches the ILIKE pattern holds: the
 * grams of the pattern's literal as long as the field's longest, or the
 * literal itself when shorter (at most MAX_PATTERN_KEYS). A pattern
 * without a literal character gives none, which every customer holds.
 */
Datum
customers_contain_keys(PG_FUNCTION_ARGS)
{
	text	   *tenant = PG_GETARG_TEXT_PP(0);
	char		tag = PG_GETARG_CHAR(1);
	text	   *pattern = PG_GETARG_TEXT_PP(2);
	GramKeys	keys = {0};

	if (tag != GRAM_NAME && tag != GRAM_EMAIL && tag != GRAM_BUSINESS_NAME &&
		tag != GRAM_EXTERNAL_ID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unrecognized gram tag \"%c\"", tag),
				 errhint("The tags are n (name), m (email), b (businessName) and x (externalId).")));
	if (VARSIZE_ANY_EXHDR(pattern) > MAX_PATTERN_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("contain pattern of %zu bytes is too long for its keys",
						(Size) VARSIZE_ANY_EXHDR(pattern)),
				 errhint("Pass a pattern of at most %d bytes; a stored field is at most 255 characters.",
						 MAX_PATTERN_BYTES)));
	PatternKeys(&keys, VARDATA_ANY(tenant), VARSIZE_ANY_EXHDR(tenant), tag,
				VARDATA_ANY(pattern), VARSIZE_ANY_EXHDR(pattern));
	PG_RETURN_ARRAYTYPE_P(KeysArray(&keys));
}
