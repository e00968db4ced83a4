/*
 * card_data.c
 *		Finding card data in a JSON value, so that it is never stored.
 *
 * This store keeps what a payment provider hands back about a payment
 * method (brand, last four digits, expiry), never the card itself. So every
 * string and number in a payment method and in a customer's customData,
 * and every key, nested at any depth, is scanned for a full card number:
 * 13 to 19 digits whose digits pass the Luhn check, written as people write
 * them. A run is digits in groups separated by at most three separator
 * characters: any Unicode white space (double spaces, tabs, no-break and
 * ideographic spaces), dashes and hyphens, dots, slashes, underscores and
 * bullets, also in their full-width forms. Digits are any of Unicode's
 * common decimal digits (ASCII, full-width, Arabic-Indic, Devanagari, ...).
 * Within a run, every span of whole groups of 13 to 19 digits is checked,
 * so "4242 4242 4242 4242 12/26" is found; a group of more than 19 digits
 * without separators is an ordinary long number. Consecutive elements of an
 * array that hold only digits and separators, at least three digits each,
 * are read as one run, so a number split across elements (["4242", "4242",
 * "4242", "4242"]) is found but a list of small numbers is not.
 * A run failing Luhn (a phone or order number) is ordinary data. In
 * customData, which holds hashes and identifiers, a group glued to a letter
 * ("a4242424242424242f") is part of a word, not a written number; in a
 * payment method it counts. Keys that
 * name a card security code (cvc, cvv, cvc2, cvv2, securityCode, in any
 * case, with or without "_" or "-", alone or ending a longer key such as
 * "cardCvc") are refused whatever their value.
 *
 * Messages name the path, never the value: the value may be a card number.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "card_data.h"
#include "item_errors.h"
#include "jsonb_build.h"
#include "text_rules.h"

/* the most separator characters between two groups of one run */
#define MAX_SEPARATORS 3
/* the fewest digits of an array element that continues a run */
#define MIN_ELEMENT_DIGITS 3

/* key names of card security codes, lower case without separators */
static const char *const security_code_keys[] = {
	"cvc", "cvv", "cvc2", "cvv2", "securitycode",
};

/* the zeros of Unicode's common decimal digit blocks besides ASCII */
static const pg_wchar digit_zeros[] = {
	0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6,
	0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x17E0,
	0x1810, 0xFF10,
};

/* The value of a decimal digit, or -1 */
static int
DigitValue(pg_wchar c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c < 0x660)
		return -1;
	for (int i = 0; i < (int) lengthof(digit_zeros); i++)
		if (c >= digit_zeros[i] && c < digit_zeros[i] + 10)
			return c - digit_zeros[i];
	if (c >= 0x1D7CE && c <= 0x1D7FF)	/* mathematical digits, five sets */
		return (c - 0x1D7CE) % 10;
	return -1;
}

/* Whether c separates the groups of digits of a written number */
static bool
IsSeparator(pg_wchar c)
{
	switch (c)
	{
		case '-':
		case '.':
		case '/':
		case '\\':
		case '_':
		case 0x00AD:			/* soft hyphen */
		case 0x00B7:			/* middle dot */
		case 0x2022:			/* bullet */
		case 0x2027:			/* hyphenation point */
		case 0x2212:			/* minus sign */
		case 0x30FB:			/* katakana middle dot */
		case 0xFE58:
		case 0xFE63:
		case 0xFF0D:			/* full-width hyphen-minus, full stop, solidus */
		case 0xFF0E:
		case 0xFF0F:
		case 0xFF3F:
			return true;
	}
	return (c >= 0x2010 && c <= 0x2015) || IsUnicodeSpace(c);
}

/* Whether digits[0..n) pass the Luhn check */
static bool
PassesLuhn(const char *digits, int n)
{
	int			sum = 0;

	for (int i = 0; i < n; i++)
	{
		int			d = digits[n - 1 - i] - '0';

		if (i % 2 == 1)
		{
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

/* A run of digit groups being read, possibly across array elements */
typedef struct CardScan
{
	StringInfoData digits;		/* the run's digits, as ASCII */
	int		   *group_ends;		/* where each group ends in digits */
	int			ngroups;
	int			max_groups;
	int			separators;		/* separators since the last digit */
	bool		strict;			/* also groups glued to a letter count */
	bool		glued_before;	/* the run's first group follows a letter */
	bool		after_letter;	/* the last character read was a letter */
	bool		found;
} CardScan;

static void
ScanInit(CardScan *scan, bool strict)
{
	scan->strict = strict;
	scan->glued_before = false;
	scan->after_letter = false;
	initStringInfo(&scan->digits);
	scan->max_groups = 16;
	scan->group_ends = palloc(sizeof(int) * scan->max_groups);
	scan->ngroups = 0;
	scan->separators = 0;
	scan->found = false;
}

/* Close the current group, if it has digits */
static void
EndGroup(CardScan *scan)
{
	int			start = scan->ngroups > 0 ? scan->group_ends[scan->ngroups - 1] : 0;

	if (scan->digits.len == start)
		return;
	if (scan->ngroups == scan->max_groups)
	{
		scan->max_groups *= 2;
		scan->group_ends = repalloc(scan->group_ends, sizeof(int) * scan->max_groups);
	}
	scan->group_ends[scan->ngroups++] = scan->digits.len;
}

/*
 * End the run: check every span of whole groups of 13 to 19 digits. Unless
 * strict, a group glued to a letter (glued_after: the run ends at one) is
 * part of a word, such as a hexadecimal hash, not a written number.
 */
static void
EndRun(CardScan *scan, bool glued_after)
{
	int			from = 0;
	int			to;

	EndGroup(scan);
	to = scan->ngroups;
	if (!scan->strict)
	{
		from = scan->glued_before ? 1 : 0;
		to -= (glued_after && scan->separators == 0) ? 1 : 0;
	}
	for (int first = from; first < to && !scan->found; first++)
	{
		int			start = first > 0 ? scan->group_ends[first - 1] : 0;

		for (int last = first; last < to; last++)
		{
			int			n = scan->group_ends[last] - start;

			if (n > MAX_CARD_DIGITS)
				break;
			if (n >= MIN_CARD_DIGITS && PassesLuhn(scan->digits.data + start, n))
			{
				scan->found = true;
				break;
			}
		}
	}
	resetStringInfo(&scan->digits);
	scan->ngroups = 0;
	scan->separators = 0;
	scan->glued_before = false;
}

/*
 * Read text into the scan. Returns whether the text held only digits and
 * separators, at least MIN_ELEMENT_DIGITS digits: then a run may go on into
 * the next array element.
 */
static bool
ScanText(CardScan *scan, const char *text, int len)
{
	bool		only_digits = true;
	int			ndigits = 0;
	int			n;

	for (int i = 0; i < len; i += n)
	{
		pg_wchar	c = TextCharAt(text + i, len - i, &n);
		int			d = DigitValue(c);

		if (d >= 0)
		{
			if (scan->digits.len == 0)
				scan->glued_before = scan->after_letter;
			scan->after_letter = false;
			if (scan->separators > 0)
				EndGroup(scan);
			appendStringInfoChar(&scan->digits, '0' + d);
			scan->separators = 0;
			ndigits++;
			if ((scan->digits.len & 1023) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		else if (IsSeparator(c))
		{
			scan->after_letter = false;
			if (++scan->separators > MAX_SEPARATORS)
				EndRun(scan, false);
		}
		else
		{
			bool		letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

			only_digits = false;
			EndRun(scan, letter);
			scan->after_letter = letter;
		}
	}
	return only_digits && ndigits >= MIN_ELEMENT_DIGITS;
}

/* Whether text holds a run of digits that looks like a full card number */
static bool
ContainsCardNumber(const char *text, int len, bool strict)
{
	CardScan	scan;

	ScanInit(&scan, strict);
	ScanText(&scan, text, len);
	EndRun(&scan, false);
	return scan.found;
}

/* Whether a key names a card security code, alone or at its end */
static bool
IsSecurityCodeKey(const char *key, int len)
{
	char	   *folded = palloc(len + 1);
	int			n = 0;

	for (int i = 0; i < len; i++)
		if (key[i] != '_' && key[i] != '-')
			folded[n++] = pg_ascii_tolower((unsigned char) key[i]);
	folded[n] = '\0';
	for (int i = 0; i < (int) lengthof(security_code_keys); i++)
	{
		int			name_len = strlen(security_code_keys[i]);

		if (n >= name_len && strcmp(folded + n - name_len, security_code_keys[i]) == 0)
			return true;
	}
	return false;
}

/* The text a scalar is scanned as (a number as numeric_out writes it), or NULL */
static char *
ScalarText(JsonbValue *v, int *len)
{
	char	   *text;

	if (v->type == jbvString)
	{
		*len = v->val.string.len;
		return v->val.string.val;
	}
	if (v->type != jbvNumeric)
		return NULL;
	text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	*len = strlen(text);
	return text;
}

/*
 * Whether a scalar holds a card number. *continues tells whether it holds
 * only digits and separators and no card number, so that it may continue a
 * number split across array elements.
 */
static bool
ScalarHoldsCard(JsonbValue *v, bool strict, bool *continues)
{
	CardScan	scan;
	int			len;
	char	   *text = ScalarText(v, &len);
	bool		only_digits;

	*continues = false;
	if (text == NULL)
		return false;
	ScanInit(&scan, strict);
	only_digits = ScanText(&scan, text, len);
	EndRun(&scan, false);
	*continues = only_digits && !scan.found;
	return scan.found;
}

/* One container on the way down: an object or an array */
typedef struct ScanFrame
{
	bool		is_array;
	const char *key;			/* an object's current key */
	int			key_len;
	int			index;			/* an array's current element */
	CardScan	joined;			/* consecutive elements of digits only */
	int			njoined;
	bool		joined_ready;
} ScanFrame;

/*
 * The path of the frames' current member (depth frames below root), built
 * only for a message: parent.key, parent[i], or key at the top.
 */
static char *
FramePath(const char *root, ScanFrame *frames, int depth, bool member)
{
	StringInfoData path;

	initStringInfo(&path);
	appendStringInfoString(&path, root);
	for (int d = 0; d < depth; d++)
	{
		if (d == depth - 1 && !member)
			break;
		if (frames[d].is_array)
			appendStringInfo(&path, "[%d]", frames[d].index);
		else
			appendStringInfo(&path, "%s%s", path.len > 0 ? "." : "",
							 Echo(pnstrdup(frames[d].key, frames[d].key_len)));
	}
	return path.data;
}

/* End a number split across the elements of the array of frame */
static void
EndFrameJoined(const char *root, ScanFrame *frames, int depth, List **errors)
{
	ScanFrame  *f = &frames[depth - 1];

	if (!f->joined_ready)
		return;
	EndRun(&f->joined, false);
	if (f->njoined >= 2 && f->joined.found)
	{
		char	   *path = FramePath(root, frames, depth, false);

		AddValidationError(errors, path,
						   "elements of \"%s\" together look like a full card number", path);
	}
	f->joined.found = false;
	f->njoined = 0;
}

/*
 * Record an error for every card number and security code in a container,
 * nested at any depth; path is the container's own ("" at the top). strict
 * (payment methods) also counts digits glued to letters; customData, which
 * holds hexadecimal hashes and identifiers, does not. The walk keeps its
 * own stack, not C's: customData may be nested 10,000 deep.
 */
void
FindCardData(JsonbContainer *container, const char *path, bool strict, List **errors)
{
	JsonbIterator *it = JsonbIteratorInit(container);
	JsonbIteratorToken token;
	JsonbValue	v;
	int			max_depth = 16;
	ScanFrame  *frames = palloc(sizeof(ScanFrame) * max_depth);
	int			depth = 0;
	bool		skip_value = false; /* the value of a refused key is not read */
	int			skip_depth = 0; /* while > 0, inside a skipped container */
	bool		continues;

	while ((token = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		ScanFrame  *f = depth > 0 ? &frames[depth - 1] : NULL;

		CHECK_FOR_INTERRUPTS();
		if (token == WJB_BEGIN_ARRAY || token == WJB_BEGIN_OBJECT)
		{
			if (skip_value || skip_depth > 0)
			{
				skip_value = false;
				skip_depth++;
				continue;
			}
			if (f != NULL && f->is_array)
			{
				f->index++;
				EndFrameJoined(path, frames, depth, errors);
			}
			if (depth == max_depth)
			{
				max_depth *= 2;
				frames = repalloc(frames, sizeof(ScanFrame) * max_depth);
			}
			f = &frames[depth++];
			memset(f, 0, sizeof(ScanFrame));
			f->is_array = (token == WJB_BEGIN_ARRAY);
			f->index = -1;
			continue;
		}
		if (token == WJB_END_ARRAY || token == WJB_END_OBJECT)
		{
			if (skip_depth > 0)
				skip_depth--;
			else
			{
				if (f->is_array)
					EndFrameJoined(path, frames, depth, errors);
				depth--;
			}
			continue;
		}
		if (skip_depth > 0)
			continue;
		if (token == WJB_KEY)
		{
			f->key = v.val.string.val;
			f->key_len = v.val.string.len;
			if (ContainsCardNumber(f->key, f->key_len, strict))
			{
				/* the key itself must not appear in the message */
				char	   *parent = FramePath(path, frames, depth, false);

				AddValidationError(errors, parent, "a key of \"%s\" looks like a full card number",
								   parent[0] ? parent : "the payment method");
				skip_value = true;
			}
			else if (IsSecurityCodeKey(f->key, f->key_len))
			{
				char	   *member = FramePath(path, frames, depth, true);

				AddValidationError(errors, member,
								   "\"%s\" is a card security code, which this store never holds",
								   member);
				skip_value = true;
			}
			continue;
		}
		if (token == WJB_VALUE && skip_value)
		{
			skip_value = false;
			continue;
		}
		/* a scalar: an object's value or an array's element */
		if (token == WJB_ELEM)
			f->index++;
		if (ScalarHoldsCard(&v, strict, &continues))
		{
			char	   *member = FramePath(path, frames, depth, true);

			AddValidationError(errors, member, "\"%s\" looks like a full card number", member);
		}
		if (token == WJB_VALUE)
			continue;
		if (continues)
		{
			int			len = 0;
			char	   *text = ScalarText(&v, &len);

			if (!f->joined_ready)
				ScanInit(&f->joined, strict), f->joined_ready = true;
			/* the elements' boundary separates groups */
			if (f->njoined++ > 0)
				f->joined.separators = Max(f->joined.separators, 1);
			ScanText(&f->joined, text, len);
		}
		else
			EndFrameJoined(path, frames, depth, errors);
	}
}
