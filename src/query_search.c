/*
 * query_search.c
 *		The search filter: {"search": "acme jane"} (docs/api.md §4.1).
 *
 * A customer matches when each word of the search is a substring of one of
 * its name, email, businessName, externalId, id or address city, ignoring
 * case and accents. Those six fields are folded into one text by
 * customers.search_text(), which a trigram GIN index covers, and each word,
 * folded the same way, becomes "search_text(…) LIKE '%word%'": the index
 * serves every word of three characters or more. The fields are joined by
 * a newline, which no stored field holds (the text rules refuse control
 * characters) and no word does (words are split at white space), so a word
 * never matches across two fields.
 *
 * Folding: NFKD, then the combining marks dropped (é → e, ﬁ → fi, ａ → a),
 * a few letters that have no decomposition spelled out (ø → o, ß → ss),
 * then lower case as the database's lower() makes it. Done in C, as
 * contrib's unaccent is not in every build this runs on and its function is
 * not immutable.
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "common/unicode_norm.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/jsonb.h"

#include "item_errors.h"
#include "jsonb_build.h"
#include "query_filter.h"
#include "query_search.h"
#include "request.h"
#include "text_rules.h"

/* a search's length and words */
#define MAX_SEARCH_CHARS 255
#define MAX_SEARCH_WORDS 8

/* the folded text the trigram index covers, with the columns it reads */
#define SEARCH_TEXT_SQL "customers.search_text(name, email, business_name, external_id, id," \
	" doc OPERATOR(pg_catalog.->) 'address' OPERATOR(pg_catalog.->>) 'city')"

#define SEARCH_HINT "Give the words to look for as one string, e.g. {\"search\": \"acme jane\"}."

/* letters without a decomposition, spelled as people type them */
static const struct
{
	pg_wchar	letter;
	const char *spelled;
}			spelled_letters[] = {
	{0x00C6, "AE"}, {0x00D0, "D"}, {0x00D8, "O"}, {0x00DE, "TH"}, {0x00DF, "ss"},
	{0x00E6, "ae"}, {0x00F0, "d"}, {0x00F8, "o"}, {0x00FE, "th"}, {0x0110, "D"},
	{0x0111, "d"}, {0x0131, "i"}, {0x0141, "L"}, {0x0142, "l"}, {0x0152, "OE"},
	{0x0153, "oe"}, {0x1E9E, "SS"},
};

/* Whether c is a combining mark that folding drops */
static bool
IsCombiningMark(pg_wchar c)
{
	return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
		(c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
		(c >= 0xFE20 && c <= 0xFE2F) || c == 0x3099 || c == 0x309A;
}

/* Append s[0..len) folded (without the lower case) to out */
static void
AppendUnaccented(StringInfo out, const char *s, int len)
{
	pg_wchar   *chars;
	pg_wchar   *decomposed;
	int			nchars;
	bool		ascii = true;

	for (int i = 0; i < len && ascii; i++)
		ascii = ((unsigned char) s[i]) < 0x80;
	if (ascii || GetDatabaseEncoding() != PG_UTF8)
	{
		appendBinaryStringInfo(out, s, len);
		return;
	}
	chars = palloc((len + 1) * sizeof(pg_wchar));
	nchars = pg_encoding_mb2wchar_with_len(PG_UTF8, s, chars, len);
	chars[nchars] = 0;
	decomposed = unicode_normalize(UNICODE_NFKD, chars);
	for (pg_wchar *c = decomposed; *c != 0; c++)
	{
		unsigned char utf8[8];
		bool		spelled = false;

		if (IsCombiningMark(*c))
			continue;
		for (int i = 0; i < (int) lengthof(spelled_letters) && !spelled; i++)
			if (spelled_letters[i].letter == *c)
			{
				appendStringInfoString(out, spelled_letters[i].spelled);
				spelled = true;
			}
		if (!spelled)
		{
			unicode_to_utf8(*c, utf8);
			appendBinaryStringInfo(out, (char *) utf8, pg_utf_mblen(utf8));
		}
	}
	pfree(decomposed);
	pfree(chars);
}

/*
 * Whether the database's lower() maps each ASCII character as ASCII does
 * (not so where I becomes dotless ı): asked once per backend, which
 * serves one database.
 */
static bool
AsciiLowerIsPlain(void)
{
	static int	plain = -1;

	if (plain < 0)
	{
		char		ascii[128];
		char	   *lowered;

		for (int i = 1; i < 128; i++)
			ascii[i - 1] = (char) i;
		ascii[127] = '\0';
		lowered = str_tolower(ascii, 127, DEFAULT_COLLATION_OID);
		plain = strlen(lowered) == 127;
		for (int i = 0; plain && i < 127; i++)
			plain = lowered[i] == pg_ascii_tolower(ascii[i]);
		pfree(lowered);
	}
	return plain;
}

/*
 * s[0..len) in lower case as the database's lower() makes it, as a new
 * string; ASCII text byte by byte where that is the same (the wide
 * character conversion of str_tolower was half the cost of folding)
 */
char *
DatabaseLower(const char *s, int len)
{
	char	   *lowered;

	for (int i = 0; i < len; i++)
		if (IS_HIGHBIT_SET(s[i]))
			return str_tolower(s, len, DEFAULT_COLLATION_OID);
	if (!AsciiLowerIsPlain())
		return str_tolower(s, len, DEFAULT_COLLATION_OID);
	lowered = palloc(len + 1);
	for (int i = 0; i < len; i++)
		lowered[i] = pg_ascii_tolower(s[i]);
	lowered[len] = '\0';
	return lowered;
}

/* s[0..len) folded for search, as a new string */
static char *
Fold(const char *s, int len)
{
	StringInfoData unaccented;

	initStringInfo(&unaccented);
	AppendUnaccented(&unaccented, s, len);
	return DatabaseLower(unaccented.data, unaccented.len);
}

/*
 * The conditions of {"search": "words"} at path: each word, folded, is a
 * substring of the folded fields. A search of white space only holds for
 * every customer.
 */
void
ParseSearch(JsonbValue *v, const char *path, QueryFilter *out)
{
	const char *s;
	int			len;
	int			nwords = 0;

	if (v->type != jbvString)
		RequestError(SEARCH_HINT, "\"%s\" must be a string, not %s", path, JsonbValueTypeName(v));
	s = v->val.string.val;
	len = v->val.string.len;
	if (pg_mbstrlen_with_len(s, len) > MAX_SEARCH_CHARS)
		RequestError("Search with fewer words, or filter on a field.",
					 "\"%s\" must be at most %d characters", path, MAX_SEARCH_CHARS);

	for (int pos = 0; pos < len;)
	{
		int			n;
		int			start;
		char	   *word;
		int			param;

		if (IsUnicodeSpace(TextCharAt(s + pos, len - pos, &n)))
		{
			pos += n;
			continue;
		}
		start = pos;
		while (pos < len && !IsUnicodeSpace(TextCharAt(s + pos, len - pos, &n)))
			pos += n;
		if (++nwords > MAX_SEARCH_WORDS)
			RequestError("Search with fewer words, or filter on a field.",
						 "\"%s\" must have at most %d words", path, MAX_SEARCH_WORDS);
		word = Fold(s + start, pos - start);
		param = FilterParam(out, TEXTOID, CStringGetTextDatum(FilterContainPattern(word)));
		appendStringInfo(&out->conditions, " AND " SEARCH_TEXT_SQL " OPERATOR(pg_catalog.~~) $%d", param);
		/* as a trigram contain (query.c): no plan sees its share of rows */
		out->value_blind = true;
		out->gin_served |= pg_mbstrlen(word) >= 3;
		out->custom_plan = true;
	}
}

PG_FUNCTION_INFO_V1(customers_search_text);

/*
 * SQL: customers.search_text(name, email, business_name, external_id, id,
 * city): the fields folded for search, joined by newlines (NULLs left out).
 * Immutable: the trigram index of search covers it.
 */
Datum
customers_search_text(PG_FUNCTION_ARGS)
{
	StringInfoData fields;

	initStringInfo(&fields);
	for (int i = 0; i < PG_NARGS(); i++)
	{
		text	   *field;

		if (PG_ARGISNULL(i))
			continue;
		field = PG_GETARG_TEXT_PP(i);
		if (fields.len > 0)
			appendStringInfoChar(&fields, '\n');
		AppendUnaccented(&fields, VARDATA_ANY(field), VARSIZE_ANY_EXHDR(field));
	}
	PG_RETURN_TEXT_P(cstring_to_text(DatabaseLower(fields.data, fields.len)));
}
