/*
 * locale_tags.c
 *		BCP 47 language tags (docs/api.md §2).
 *
 * A tag must be well-formed by RFC 5646's syntax: a language (2–3 letters
 * with up to three extlangs of 3 letters, or 4–8 letters), then an optional
 * script (4 letters), region (2 letters or 3 digits), variants (5–8
 * letters or digits, or a digit and 3), extensions (a singleton other than
 * "x" and subtags of 2–8) and a private use part ("x" and subtags of 1–8).
 * "_" is read as "-" ("en_US"). The subtags are not checked against the
 * IANA registry, which changes. A tag is stored in the registry's case
 * convention: language lower, script title, region upper ("zh-Hant-TW").
 * The grandfathered tags and private-use-only tags ("x-…") are refused.
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "locale_tags.h"

#define MAX_TAG_LEN 64

static bool
AllAlpha(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

static bool
AllDigit(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!(s[i] >= '0' && s[i] <= '9'))
			return false;
	return true;
}

static bool
AllAlnum(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!AllAlpha(s + i, 1) && !AllDigit(s + i, 1))
			return false;
	return true;
}

/* The parts of a tag, in the order they must come */
typedef enum TagPart
{
	PART_EXTLANG,
	PART_SCRIPT,
	PART_REGION,
	PART_VARIANT,
	PART_EXTENSION,
	PART_PRIVATE
} TagPart;

/* The normalized form of the BCP 47 tag text[0..len), or NULL */
char *
LanguageTag(const char *text, int len)
{
	StringInfoData out;
	TagPart		part = PART_EXTLANG;
	int			nextlang = 0;
	bool		ext_empty = false;	/* a singleton still wants a subtag */
	int			start = 0;
	int			nsubtags = 0;

	if (len == 0 || len > MAX_TAG_LEN)
		return NULL;
	initStringInfo(&out);
	for (int i = 0; i <= len; i++)
	{
		const char *s;
		int			n;

		if (i < len && text[i] != '-' && text[i] != '_')
			continue;
		s = text + start;
		n = i - start;
		start = i + 1;
		if (n == 0 || n > 8 || !AllAlnum(s, n))
			return NULL;
		if (nsubtags++ > 0)
			appendStringInfoChar(&out, '-');
		if (nsubtags == 1)
		{
			/* the language */
			if (!AllAlpha(s, n) || n == 1)
				return NULL;
			part = n <= 3 ? PART_EXTLANG : PART_SCRIPT;
			for (int k = 0; k < n; k++)
				appendStringInfoChar(&out, pg_ascii_tolower((unsigned char) s[k]));
			continue;
		}
		if (part == PART_PRIVATE)
			ext_empty = false;	/* private use: any subtag of 1 to 8 */
		else if (n == 1)
		{
			if (ext_empty)
				return NULL;
			part = (s[0] == 'x' || s[0] == 'X') ? PART_PRIVATE : PART_EXTENSION;
			ext_empty = true;
		}
		else if (part == PART_EXTENSION)
		{
			ext_empty = false;
		}
		else if (part == PART_EXTLANG && n == 3 && AllAlpha(s, n) && nextlang < 3)
		{
			nextlang++;
		}
		else if (part <= PART_SCRIPT && n == 4 && AllAlpha(s, n))
		{
			part = PART_REGION;
			appendStringInfoChar(&out, pg_ascii_toupper((unsigned char) s[0]));
			for (int k = 1; k < n; k++)
				appendStringInfoChar(&out, pg_ascii_tolower((unsigned char) s[k]));
			continue;
		}
		else if (part <= PART_REGION &&
				 ((n == 2 && AllAlpha(s, n)) || (n == 3 && AllDigit(s, n))))
		{
			part = PART_VARIANT;
			for (int k = 0; k < n; k++)
				appendStringInfoChar(&out, pg_ascii_toupper((unsigned char) s[k]));
			continue;
		}
		else if ((n >= 5 || (n == 4 && AllDigit(s, 1))) && part <= PART_VARIANT)
		{
			part = PART_VARIANT;
		}
		else
			return NULL;
		for (int k = 0; k < n; k++)
			appendStringInfoChar(&out, pg_ascii_tolower((unsigned char) s[k]));
	}
	if (ext_empty)
		return NULL;
	return out.data;
}
