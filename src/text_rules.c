/*
 * text_rules.c
 *		The rules every trimmed text field obeys (docs/api.md §2.2): trimmed
 *		of Unicode white space, free of control characters, in NFC.
 *
 * A name of no-break spaces looks blank and must count as blank, so the
 * trim removes every character of Unicode's White_Space property (tab,
 * newline, NBSP, the U+2000 spaces, the ideographic space, ...) and the
 * invisible ZERO WIDTH SPACE and BOM, not only ASCII spaces. Control
 * characters (Unicode category Cc) left inside after trimming are refused:
 * they break the text of invoices and logs. NFC (PostgreSQL's own
 * normalization tables, common/unicode_norm.h, the ones normalize() uses)
 * makes "é" typed as e + U+0301 equal to the precomposed one, so searches
 * and uniqueness compare what a reader sees. It applies in UTF8 databases
 * only, as normalize() does; in others the text is kept as given.
 */
#include "postgres.h"

#include "common/unicode_norm.h"
#include "mb/pg_wchar.h"

#include "text_rules.h"

/* Whether c is Unicode White_Space, or ZERO WIDTH SPACE or BOM */
bool
IsUnicodeSpace(pg_wchar c)
{
	if (c < 0x80)
		return c == ' ' || (c >= 0x09 && c <= 0x0D);
	return c == 0x85 || c == 0xA0 || c == 0x1680 ||
		(c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 ||
		c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

/* Whether c is a control character (category Cc) */
static inline bool
IsControl(pg_wchar c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

/*
 * The character at s (of at most len bytes), and its length in *n; in a
 * database that is not UTF8 a non-ASCII character is none we know.
 */
pg_wchar
TextCharAt(const char *s, int len, int *n)
{
	unsigned char c = (unsigned char) s[0];

	if (c < 0x80 || GetDatabaseEncoding() != PG_UTF8)
	{
		*n = c < 0x80 ? 1 : Min(pg_mblen(s), len);
		return c < 0x80 ? c : 0x80000000;	/* not a code point we know */
	}
	*n = Min(pg_utf_mblen((const unsigned char *) s), len);
	return utf8_to_unicode((const unsigned char *) s);
}

/* The length of the character that ends s[0..len) */
static int
LastCharLen(const char *s, int len)
{
	int			start = len - 1;

	if (GetDatabaseEncoding() == PG_UTF8)
		while (start > 0 && (((unsigned char) s[start]) & 0xC0) == 0x80)
			start--;
	else
	{
		/* walk from the start: other encodings cannot be read backwards */
		int			pos = 0;

		while (pos + pg_mblen(s + pos) < len)
			pos += pg_mblen(s + pos);
		start = pos;
	}
	return len - start;
}

/* s in NFC; s itself when it already is (always so for ASCII) */
static char *
ToNFC(char *s, int len, int *out_len)
{
	pg_wchar   *chars;
	pg_wchar   *normal;
	int			nchars;
	char	   *out;
	unsigned char *p;
	bool		ascii = true;

	*out_len = len;
	for (int i = 0; i < len && ascii; i++)
		ascii = ((unsigned char) s[i]) < 0x80;
	if (ascii || GetDatabaseEncoding() != PG_UTF8)
		return s;
	chars = palloc((len + 1) * sizeof(pg_wchar));
	nchars = pg_encoding_mb2wchar_with_len(PG_UTF8, s, chars, len);
	chars[nchars] = 0;
	if (unicode_is_normalized_quickcheck(UNICODE_NFC, chars) == UNICODE_NORM_QC_YES)
		return s;
	normal = unicode_normalize(UNICODE_NFC, chars);
	nchars = 0;
	while (normal[nchars] != 0)
		nchars++;
	out = palloc(nchars * 4 + 1);
	p = (unsigned char *) out;
	for (int i = 0; i < nchars; i++)
		p = unicode_to_utf8(normal[i], p) + pg_utf_mblen(p);
	*p = '\0';
	*out_len = (char *) p - out;
	return out;
}

/*
 * s[0..len) trimmed of Unicode white space, in NFC, as a new string with
 * its length in *out_len; NULL when a control character remains, which is
 * then in *control.
 */
char *
ApplyTextRules(const char *s, int len, int *out_len, pg_wchar *control)
{
	int			n;

	while (len > 0 && IsUnicodeSpace(TextCharAt(s, len, &n)))
		s += n, len -= n;
	while (len > 0)
	{
		int			last = LastCharLen(s, len);

		if (!IsUnicodeSpace(TextCharAt(s + len - last, last, &n)))
			break;
		len -= last;
	}
	for (int i = 0; i < len; i += n)
	{
		pg_wchar	c = TextCharAt(s + i, len - i, &n);

		if (IsControl(c))
		{
			*control = c;
			return NULL;
		}
	}
	return ToNFC(pnstrdup(s, len), len, out_len);
}
