/*
 * phone.c
 *		Phone numbers in E.164 (docs/api.md §2).
 *
 * A number is stored as E.164: "+", the country calling code and the
 * national number, 7 to 15 digits in all, the first not 0. It is given in
 * international form, starting with "+" or the international prefix "00",
 * and may be written with the separators people use between digits: spaces
 * (any Unicode white space, doubled or not), one "-", "." or "/" at a time,
 * and parentheses around one group ("+1 (415) 555-0100", "0044 20 7946
 * 0958"); a trunk prefix "(0)" after
 * the country code is dropped ("+44 (0)20 7946 0958"). Full-width digits and "＋"
 * count as their ASCII forms. A national number without its country code
 * ("(415) 555-0100") is refused, since the country cannot be known for sure,
 * as are letters and extensions. The country calling code is not checked
 * against the ITU's list.
 */
#include "postgres.h"

#include "phone.h"
#include "text_rules.h"

#define MIN_PHONE_DIGITS 7
#define MAX_PHONE_DIGITS 15

/* what came last while reading a number */
typedef enum PhoneToken
{
	TOKEN_START,
	TOKEN_PLUS,
	TOKEN_DIGIT,
	TOKEN_SPACE,
	TOKEN_PUNCT,
	TOKEN_OPEN,
	TOKEN_CLOSE
} PhoneToken;

/* The E.164 form of text[0..len) (already trimmed), or NULL */
char *
E164Phone(const char *text, int len)
{
	char		digits[MAX_PHONE_DIGITS + 4];	/* "00", the number, one too many */
	int			ndigits = 0;
	int			open_at = -1;	/* digits before an open parenthesis */
	bool		international = false;
	PhoneToken	last = TOKEN_START;
	int			n;

	for (int i = 0; i < len; i += n)
	{
		pg_wchar	c = TextCharAt(text + i, len - i, &n);

		if (c >= 0xFF10 && c <= 0xFF19)
			c = '0' + (c - 0xFF10);
		else if (c == 0xFF0B)
			c = '+';
		if (c >= '0' && c <= '9')
		{
			if (ndigits == MAX_PHONE_DIGITS + 3)
				return NULL;
			digits[ndigits++] = c;
			last = TOKEN_DIGIT;
		}
		else if (c == '+' && last == TOKEN_START)
		{
			international = true;
			last = TOKEN_PLUS;
		}
		else if (last == TOKEN_START)
			return NULL;		/* only "+" or a digit starts a number */
		else if (IsUnicodeSpace(c))
			last = TOKEN_SPACE;
		else if ((c == '-' || c == '.' || c == '/') &&
				 (last == TOKEN_DIGIT || last == TOKEN_CLOSE || last == TOKEN_SPACE))
			last = TOKEN_PUNCT;
		else if (c == '(' && open_at < 0 && last != TOKEN_PUNCT)
		{
			open_at = ndigits;
			last = TOKEN_OPEN;
		}
		else if (c == ')' && open_at >= 0 && last == TOKEN_DIGIT)
		{
			/* "+44 (0) 20 …": the national trunk prefix is not dialled from abroad */
			if (ndigits == open_at + 1 && digits[open_at] == '0' && open_at > 0)
				ndigits--;
			open_at = -2;		/* one group in parentheses at most */
			last = TOKEN_CLOSE;
		}
		else
			return NULL;
	}
	if (open_at >= 0 || last != TOKEN_DIGIT)
		return NULL;
	/* "00" is the international prefix: what follows is the number */
	if (!international)
	{
		if (ndigits < 2 || digits[0] != '0' || digits[1] != '0')
			return NULL;
		memmove(digits, digits + 2, ndigits - 2);
		ndigits -= 2;
	}
	if (ndigits < MIN_PHONE_DIGITS || ndigits > MAX_PHONE_DIGITS || digits[0] == '0')
		return NULL;
	digits[ndigits] = '\0';
	return psprintf("+%s", digits);
}
