/*
 * card_data.c
 *		Finding card data in a JSON value, so that it is never stored.
 *
 * This store keeps what a payment provider hands back about a payment
 * method (brand, last four digits, expiry), never the card itself. So every
 * string and number in a payment method, and every key, nested at any
 * depth, is scanned for a full card number: a run of 13 to 19 digits, each
 * digit separated from the next by at most one space or dash (as cards are
 * written, "4242 4242 4242 4242", "4242-4242-4242-4242"), whose digits pass
 * the Luhn check. A run of other lengths, or one failing Luhn (a phone or
 * order number), is ordinary data. Keys that name a card security code
 * (cvc, cvv, cvc2, cvv2, securityCode, in any case, with or without "_" or
 * "-", alone or ending a longer key such as "cardCvc") are refused whatever
 * their value.
 *
 * Messages name the path, never the value: the value may be a card number.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "card_data.h"
#include "item_errors.h"
#include "jsonb_build.h"

/* key names of card security codes, lower case without separators */
static const char *const security_code_keys[] = {
	"cvc", "cvv", "cvc2", "cvv2", "securitycode",
};

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

/* Whether text holds a run of digits that looks like a full card number */
bool
ContainsCardNumber(const char *text, int len)
{
	int			i = 0;

	while (i < len)
	{
		char		digits[MAX_CARD_DIGITS];
		int			ndigits = 0;
		bool		too_long = false;

		if (!isdigit((unsigned char) text[i]))
		{
			i++;
			continue;
		}
		/* one run: digits, each followed by at most one space or dash before the next */
		while (i < len && isdigit((unsigned char) text[i]))
		{
			if (ndigits < MAX_CARD_DIGITS)
				digits[ndigits++] = text[i];
			else
				too_long = true;
			i++;
			if (i + 1 < len && (text[i] == ' ' || text[i] == '-') &&
				isdigit((unsigned char) text[i + 1]))
				i++;
		}
		if (!too_long && ndigits >= MIN_CARD_DIGITS && PassesLuhn(digits, ndigits))
			return true;
	}
	return false;
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

/* The path of a member: parent.key, or key at the top */
static char *
MemberPath(const char *parent, const char *key, int len)
{
	return parent[0] == '\0' ? pnstrdup(key, len) : psprintf("%s.%.*s", parent, len, key);
}

/* Record an error if a scalar holds a card number */
static void
CheckScalar(JsonbValue *v, const char *path, List **errors)
{
	char	   *text;

	if (v->type == jbvString)
	{
		if (ContainsCardNumber(v->val.string.val, v->val.string.len))
			AddValidationError(errors, path, "\"%s\" looks like a full card number", path);
	}
	else if (v->type == jbvNumeric)
	{
		text = DatumGetCString(DirectFunctionCall1(numeric_out,
												   NumericGetDatum(v->val.numeric)));
		if (ContainsCardNumber(text, strlen(text)))
			AddValidationError(errors, path, "\"%s\" looks like a full card number", path);
	}
}

/*
 * Record an error for every card number and security code in a container,
 * nested at any depth; path is the container's own ("" at the top).
 */
void
FindCardData(JsonbContainer *container, const char *path, List **errors)
{
	JsonbIterator *it = JsonbIteratorInit(container);
	JsonbIteratorToken token;
	JsonbValue	v;
	int			index = 0;

	check_stack_depth();
	while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (token == WJB_KEY)
		{
			JsonbValue	value;
			char	   *member;

			if (ContainsCardNumber(v.val.string.val, v.val.string.len))
			{
				/* the key itself must not appear in the message */
				AddValidationError(errors, path, "a key of \"%s\" looks like a full card number",
								   path[0] ? path : "the payment method");
				JsonbIteratorNext(&it, &value, true);
				continue;
			}
			member = MemberPath(path, v.val.string.val, v.val.string.len);
			JsonbIteratorNext(&it, &value, true);
			if (IsSecurityCodeKey(v.val.string.val, v.val.string.len))
				AddValidationError(errors, member,
								   "\"%s\" is a card security code, which this store never holds",
								   member);
			else if (value.type == jbvBinary)
				FindCardData(value.val.binary.data, member, errors);
			else
				CheckScalar(&value, member, errors);
		}
		else if (token == WJB_ELEM)
		{
			char	   *element = psprintf("%s[%d]", path, index++);

			if (v.type == jbvBinary)
				FindCardData(v.val.binary.data, element, errors);
			else
				CheckScalar(&v, element, errors);
		}
	}
}
