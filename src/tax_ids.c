/*
 * tax_ids.c
 *		Tax ids by type: format, check digits and normal form (docs/api.md §2).
 *
 * Types carry Stripe's names. Before checking, a value is upper-cased and
 * its spaces, dots, dashes and slashes are removed (people copy tax ids
 * with them); the stored value is that compact form, or the type's official
 * written form where it has one (US EIN "12-3456789", CH UID
 * "CHE-123.456.789", BR CNPJ "12.345.678/0001-95", BR CPF "123.456.789-09").
 * Where a number has a published check digit it is verified: a typo in a
 * VAT number makes invoices invalid. The EU VAT numbers carry their country
 * prefix (EL for Greece; GR is read as EL; XI is Northern Ireland, checked
 * as GB). The registries themselves (VIES, HMRC, ABR) are not asked: a
 * well-formed number with a valid check digit may still not be registered.
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "tax_ids.h"
#include "text_rules.h"

#define MAX_TAX_ID_CHARS 64

typedef bool (*TaxIdCheck) (char *v, int n, char **out);

typedef struct TaxIdType
{
	const char *name;
	const char *description;	/* for messages: "a valid <description>" */
	TaxIdCheck	check;
} TaxIdType;

/* digit value of v[i] */
#define D(v, i) ((v)[i] - '0')

static bool
Digits(const char *v, int n)
{
	for (int i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return true;
}

static bool
Letters(const char *v, int n)
{
	for (int i = 0; i < n; i++)
		if (v[i] < 'A' || v[i] > 'Z')
			return false;
	return true;
}

/* sum of v[i] * weights[i] */
static int
Weighted(const char *v, const int *weights, int n)
{
	int			sum = 0;

	for (int i = 0; i < n; i++)
		sum += D(v, i) * weights[i];
	return sum;
}

/* Luhn over n digits */
static bool
Luhn(const char *v, int n)
{
	int			sum = 0;

	for (int i = 0; i < n; i++)
	{
		int			d = D(v, n - 1 - i);

		if (i % 2 == 1 && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}
	return sum % 10 == 0;
}

/* ISO 7064 MOD 11,10 over n digits, the last being the check digit */
static bool
Mod11_10(const char *v, int n)
{
	int			p = 10;

	for (int i = 0; i < n - 1; i++)
	{
		int			s = (D(v, i) + p) % 10;

		p = (2 * (s == 0 ? 10 : s)) % 11;
	}
	return (11 - p) % 10 == D(v, n - 1);
}

/* the check digit 11 - (sum mod 11), where 10 is never valid and 11 is 0 */
static int
Mod11Check(int sum)
{
	int			c = 11 - sum % 11;

	return c == 11 ? 0 : c;
}

/* United Kingdom VAT: 9 digits (12 with a branch), mod 97 or 9755 */
static bool
CheckGB(char *v, int n, char **out)
{
	static const int w[] = {8, 7, 6, 5, 4, 3, 2};
	int			sum;

	if ((n != 9 && n != 12) || !Digits(v, n))
		return false;
	sum = Weighted(v, w, 7) + D(v, 7) * 10 + D(v, 8);
	if (sum % 97 != 0 && (sum + 55) % 97 != 0)
		return false;
	*out = psprintf("GB%.*s", n, v);
	return true;
}

/* Luhn's check digit for n digits */
static int
LuhnCheckDigit(const char *v, int n)
{
	int			sum = 0;

	for (int i = 0; i < n; i++)
	{
		int			d = D(v, n - 1 - i);

		if (i % 2 == 0 && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}
	return (10 - sum % 10) % 10;
}

/* Whether day/month/year is a date of the Gregorian calendar */
static bool
ValidDate(int year, int month, int day)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool		leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	if (month < 1 || month > 12 || day < 1)
		return false;
	return day <= days[month - 1] + (month == 2 && leap ? 1 : 0);
}

/* Whether an EGN starts with a birth date: YYMMDD, months +20 before 1900, +40 from 2000 */
static bool
BulgarianBirthDate(const char *v)
{
	int			year = 1900 + D(v, 0) * 10 + D(v, 1);
	int			month = D(v, 2) * 10 + D(v, 3);

	if (month > 40)
		year += 100, month -= 40;
	else if (month > 20)
		year -= 100, month -= 20;
	return ValidDate(year, month, D(v, 4) * 10 + D(v, 5));
}

/*
 * BG: 9 digits (a company: weights 1–8, or 3–10 when that gives 10) or 10
 * (a person's EGN, which starts with a birth date, a foreigner's PNF or
 * another body's number, each with its own weights: one of the three must
 * hold).
 */
static bool
CheckBG(const char *v, int n)
{
	static const int egn[] = {2, 4, 8, 5, 10, 9, 7, 3, 6};
	static const int pnf[] = {21, 19, 17, 13, 11, 9, 7, 3, 1};
	static const int other[] = {4, 3, 2, 7, 6, 5, 4, 3, 2};
	int			c;

	if (!Digits(v, n))
		return false;
	if (n == 9)
	{
		static const int w1[] = {1, 2, 3, 4, 5, 6, 7, 8};
		static const int w2[] = {3, 4, 5, 6, 7, 8, 9, 10};

		c = Weighted(v, w1, 8) % 11;
		if (c == 10)
			c = Weighted(v, w2, 8) % 11;
		return c % 10 == D(v, 8);
	}
	if (n != 10)
		return false;
	c = (11 - Weighted(v, other, 9) % 11) % 11;
	return (BulgarianBirthDate(v) && Weighted(v, egn, 9) % 11 % 10 == D(v, 9)) ||
		Weighted(v, pnf, 9) % 10 == D(v, 9) ||
		(c < 10 && c == D(v, 9));
}

/* CY: 8 digits (not starting 12) and a check letter */
static bool
CheckCY(const char *v, int n)
{
	static const int odd[] = {1, 0, 5, 7, 9, 13, 15, 17, 19, 21};
	int			sum = 0;

	if (n != 9 || !Digits(v, 8) || !Letters(v + 8, 1) || (v[0] == '1' && v[1] == '2'))
		return false;
	for (int i = 0; i < 8; i++)
		sum += i % 2 == 0 ? odd[D(v, i)] : D(v, i);
	return 'A' + sum % 26 == v[8];
}

/*
 * CZ: a company's 8 digits (mod 11), an individual's 9 digits starting 6
 * (mod 11 over the middle seven), or a birth number (RČ): a valid date,
 * and from 1954 on a tenth digit making the number divisible by 11.
 */
static bool
CheckCZ(const char *v, int n)
{
	static const int w[] = {8, 7, 6, 5, 4, 3, 2};
	int			year;
	int			month;
	int			c;

	if (!Digits(v, n))
		return false;
	if (n == 8)
	{
		c = (11 - Weighted(v, w, 7) % 11) % 11;
		return v[0] != '9' && (c == 0 ? 1 : c) % 10 == D(v, 7);
	}
	if (n == 9 && v[0] == '6')
	{
		c = Weighted(v + 1, w, 7) % 11;
		return ((8 - (10 - c) % 11) % 10 + 10) % 10 == D(v, 8);
	}
	if (n != 9 && n != 10)
		return false;
	year = 1900 + D(v, 0) * 10 + D(v, 1);
	month = (D(v, 2) * 10 + D(v, 3)) % 50 % 20;
	if (n == 9)
	{
		if (year >= 1980)
			year -= 100;
		if (year > 1953)
			return false;
	}
	else if (year < 1954)
		year += 100;
	if (!ValidDate(year, month, D(v, 4) * 10 + D(v, 5)))
		return false;
	return n == 9 || strtol(pnstrdup(v, 9), NULL, 10) % 11 % 10 == D(v, 9);
}

/* ES: a DNI or NIE (a letter of the number mod 23), or a CIF (Luhn, as a digit or letter) */
static bool
CheckES(const char *v, int n)
{
	static const char dni[] = "TRWAGMYFPDXBNJZSQVHLCKE";
	char		digits[9];
	int			c;

	if (n != 9 || !Digits(v + 1, 7))
		return false;
	if (v[0] == 'K' || v[0] == 'L' || v[0] == 'M')
		return dni[strtol(pnstrdup(v + 1, 7), NULL, 10) % 23] == v[8];
	if (Digits(v, 1) || v[0] == 'X' || v[0] == 'Y' || v[0] == 'Z')
	{
		memcpy(digits, v, 8);
		digits[8] = '\0';
		if (!Digits(v, 1))
			digits[0] = '0' + (v[0] - 'X');
		return dni[strtol(digits, NULL, 10) % 23] == v[8];
	}
	if (strchr("ABCDEFGHJNPQRSUVW", v[0]) == NULL)
		return false;
	c = LuhnCheckDigit(v + 1, 7);
	return v[8] == '0' + c || v[8] == "JABCDEFGHI"[c];
}

/*
 * IE: 7 digits and a check letter (mod 23), then optionally a second
 * letter (A–I, W) that enters the check; or the old form: a digit, a
 * letter, + or *, five digits and the check letter.
 */
static bool
CheckIE(const char *v, int n)
{
	static const char alphabet[] = "WABCDEFGHIJKLMNOPQRSTUV";
	char		digits[7];
	int			sum;

	if (n != 8 && n != 9)
		return false;
	if (Digits(v, 7))
		memcpy(digits, v, 7);
	else if (n == 8 && Digits(v, 1) && (Letters(v + 1, 1) || v[1] == '+' || v[1] == '*') &&
			 Digits(v + 2, 5))
	{
		/* old form: digits 3–7, then the first, as seven digits */
		digits[0] = '0';
		memcpy(digits + 1, v + 2, 5);
		digits[6] = v[0];
	}
	else
		return false;
	sum = 0;
	for (int i = 0; i < 7; i++)
		sum += (8 - i) * D(digits, i);
	if (n == 9)
	{
		const char *second = strchr(alphabet, v[8]);

		if (v[8] == '\0' || second == NULL || second - alphabet > 9)
			return false;
		sum += 9 * (int) (second - alphabet);
	}
	return alphabet[sum % 23] == v[7];
}

/* LT: 9 digits (8th is 1) or 12 (11th is 1); mod 11, weights 1–9 cycling, or 3–9, 1, 2 */
static bool
CheckLT(const char *v, int n)
{
	int			sum = 0;

	if ((n != 9 && n != 12) || !Digits(v, n) || v[n - 2] != '1')
		return false;
	for (int i = 0; i < n - 1; i++)
		sum += (1 + i % 9) * D(v, i);
	if (sum % 11 == 10)
	{
		sum = 0;
		for (int i = 0; i < n - 1; i++)
			sum += (1 + (i + 2) % 9) * D(v, i);
	}
	return sum % 11 % 10 == D(v, n - 1);
}

/*
 * LV: 11 digits; a company's (first digit above 3) weighted sum mod 11 is
 * 3. A person's number is their personal code, whose check digit has no
 * published algorithm: its format only.
 */
static bool
CheckLV(const char *v, int n)
{
	static const int w[] = {9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1};

	if (n != 11 || !Digits(v, n))
		return false;
	return v[0] <= '3' || Weighted(v, w, 11) % 11 == 3;
}

/* MT: 8 digits, not starting 0, weighted sum mod 37 is 0 */
static bool
CheckMT(const char *v, int n)
{
	static const int w[] = {3, 4, 6, 7, 8, 9, 10, 1};

	return n == 8 && Digits(v, n) && v[0] != '0' && Weighted(v, w, 8) % 37 == 0;
}

/* The national part of an EU VAT number of country cc */
static bool
CheckEUNational(const char *cc, char *v, int n)
{
	if (strcmp(cc, "AT") == 0)
	{
		/* U + 8 digits; check over the first 7 */
		int			sum = 0;

		if (n != 9 || v[0] != 'U' || !Digits(v + 1, 8))
			return false;
		for (int i = 0; i < 7; i++)
		{
			int			d = D(v + 1, i) * (i % 2 == 1 ? 2 : 1);

			sum += d / 10 + d % 10;
		}
		return (96 - sum) % 10 == D(v + 1, 7);
	}
	if (strcmp(cc, "BE") == 0)
	{
		long		base;

		if (n == 9)
			return false;		/* the old 9-digit form is written with a leading 0 */
		if (n != 10 || !Digits(v, n) || (v[0] != '0' && v[0] != '1'))
			return false;
		base = strtol(pnstrdup(v, 8), NULL, 10);
		return 97 - base % 97 == D(v, 8) * 10 + D(v, 9);
	}
	if (strcmp(cc, "DE") == 0)
		return n == 9 && Digits(v, n) && v[0] != '0' && Mod11_10(v, 9);
	if (strcmp(cc, "HR") == 0)
		return n == 11 && Digits(v, n) && Mod11_10(v, 11);
	if (strcmp(cc, "DK") == 0)
	{
		static const int w[] = {2, 7, 6, 5, 4, 3, 2, 1};

		return n == 8 && Digits(v, n) && v[0] != '0' && Weighted(v, w, 8) % 11 == 0;
	}
	if (strcmp(cc, "EE") == 0)
	{
		static const int w[] = {3, 7, 1, 3, 7, 1, 3, 7};

		return n == 9 && Digits(v, n) && (10 - Weighted(v, w, 8) % 10) % 10 == D(v, 8);
	}
	if (strcmp(cc, "EL") == 0)
	{
		static const int w[] = {256, 128, 64, 32, 16, 8, 4, 2};

		return n == 9 && Digits(v, n) && Weighted(v, w, 8) % 11 % 10 == D(v, 8);
	}
	if (strcmp(cc, "FI") == 0)
	{
		static const int w[] = {7, 9, 10, 5, 8, 4, 2};
		int			c;

		if (n != 8 || !Digits(v, n))
			return false;
		c = Mod11Check(Weighted(v, w, 7));
		return c != 10 && c == D(v, 7);
	}
	if (strcmp(cc, "FR") == 0)
	{
		/* a 2-digit key and the 9-digit SIREN (itself Luhn) */
		long		siren;

		if (n != 11 || !Digits(v + 2, 9) || !Luhn(v + 2, 9))
			return false;
		if (!Digits(v, 2))
			return (v[0] >= 'A' && v[0] <= 'Z' && v[0] != 'I' && v[0] != 'O') ||
				(v[1] >= 'A' && v[1] <= 'Z' && v[1] != 'I' && v[1] != 'O');
		siren = strtol(pnstrdup(v + 2, 9), NULL, 10);
		return (12 + 3 * (siren % 97)) % 97 == D(v, 0) * 10 + D(v, 1);
	}
	if (strcmp(cc, "HU") == 0)
	{
		static const int w[] = {9, 7, 3, 1, 9, 7, 3};

		return n == 8 && Digits(v, n) && (10 - Weighted(v, w, 7) % 10) % 10 == D(v, 7);
	}
	if (strcmp(cc, "IT") == 0)
		return n == 11 && Digits(v, n) && Luhn(v, 11);
	if (strcmp(cc, "LU") == 0)
		return n == 8 && Digits(v, n) &&
			strtol(pnstrdup(v, 6), NULL, 10) % 89 == D(v, 6) * 10 + D(v, 7);
	if (strcmp(cc, "NL") == 0)
	{
		/* 9 digits, B, 2 digits; mod 11 (older) or mod 97 over "NL" + number */
		static const int w[] = {9, 8, 7, 6, 5, 4, 3, 2};
		int			mod = 0;
		char	   *s;

		if (n != 12 || !Digits(v, 9) || v[9] != 'B' || !Digits(v + 10, 2))
			return false;
		if (Weighted(v, w, 8) % 11 % 10 == D(v, 8) && Weighted(v, w, 8) % 11 != 10)
			return true;
		s = psprintf("2321%.9s11%.2s", v, v + 10);	/* N=23 L=21 B=11 */
		for (char *p = s; *p; p++)
			mod = (mod * 10 + (*p - '0')) % 97;
		return mod == 1;
	}
	if (strcmp(cc, "PL") == 0)
	{
		static const int w[] = {6, 5, 7, 2, 3, 4, 5, 6, 7};

		return n == 10 && Digits(v, n) && Weighted(v, w, 9) % 11 == D(v, 9);
	}
	if (strcmp(cc, "PT") == 0)
	{
		static const int w[] = {9, 8, 7, 6, 5, 4, 3, 2};
		int			c;

		if (n != 9 || !Digits(v, n))
			return false;
		c = Mod11Check(Weighted(v, w, 8));
		return (c >= 10 ? 0 : c) == D(v, 8);
	}
	if (strcmp(cc, "RO") == 0)
	{
		static const int w[] = {7, 5, 3, 2, 1, 7, 5, 3, 2};
		char		padded[10];

		if (n < 2 || n > 10 || !Digits(v, n) || v[0] == '0')
			return false;
		memset(padded, '0', 9);
		memcpy(padded + 9 - (n - 1), v, n - 1);
		return Weighted(padded, w, 9) * 10 % 11 % 10 == D(v, n - 1);
	}
	if (strcmp(cc, "SE") == 0)
		return n == 12 && Digits(v, n) && v[10] == '0' && v[11] == '1' && Luhn(v, 10);
	if (strcmp(cc, "SI") == 0)
	{
		static const int w[] = {8, 7, 6, 5, 4, 3, 2};
		int			c;

		if (n != 8 || !Digits(v, n) || v[0] == '0')
			return false;
		c = Mod11Check(Weighted(v, w, 7));
		return c != 10 && (c == 11 ? 0 : c) == D(v, 7);
	}
	if (strcmp(cc, "SK") == 0)
		return n == 10 && Digits(v, n) && v[0] != '0' && strtoll(v, NULL, 10) % 11 == 0;
	if (strcmp(cc, "BG") == 0)
		return CheckBG(v, n);
	if (strcmp(cc, "CY") == 0)
		return CheckCY(v, n);
	if (strcmp(cc, "CZ") == 0)
		return CheckCZ(v, n);
	if (strcmp(cc, "ES") == 0)
		return CheckES(v, n);
	if (strcmp(cc, "IE") == 0)
		return CheckIE(v, n);
	if (strcmp(cc, "LT") == 0)
		return CheckLT(v, n);
	if (strcmp(cc, "LV") == 0)
		return CheckLV(v, n);
	if (strcmp(cc, "MT") == 0)
		return CheckMT(v, n);
	return false;
}

/* EU VAT: country prefix and the national number */
static bool
CheckEU(char *v, int n, char **out)
{
	static const char *const countries[] = {
		"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR",
		"HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI",
		"SK", "XI",
	};
	char		cc[3];
	bool		known = false;

	if (n < 4)
		return false;
	memcpy(cc, v, 2);
	cc[2] = '\0';
	if (strcmp(cc, "GR") == 0)
		strcpy(cc, "EL");
	for (int i = 0; i < (int) lengthof(countries); i++)
		known |= strcmp(cc, countries[i]) == 0;
	if (!known)
		return false;
	if (strcmp(cc, "XI") == 0)
	{
		if (!CheckGB(v + 2, n - 2, out))
			return false;
		*out = psprintf("XI%s", *out + 2);
		return true;
	}
	if (!CheckEUNational(cc, v + 2, n - 2))
		return false;
	*out = psprintf("%s%.*s", cc, n - 2, v + 2);
	return true;
}

/* GB VAT, with or without its GB prefix */
static bool
CheckGBVat(char *v, int n, char **out)
{
	if (n > 2 && v[0] == 'G' && v[1] == 'B')
		v += 2, n -= 2;
	return CheckGB(v, n, out);
}

/* the digits of a Swiss UID (CHE + 9 digits, mod 11), in *digits */
static bool
SwissUid(char *v, int n, char **digits)
{
	static const int w[] = {5, 4, 3, 2, 7, 6, 5, 4};
	int			c;

	if (n < 12 || strncmp(v, "CHE", 3) != 0 || !Digits(v + 3, 9))
		return false;
	c = Mod11Check(Weighted(v + 3, w, 8));
	if (c == 10 || c != D(v + 3, 8))
		return false;
	*digits = v + 3;
	return true;
}

/* CH UID: CHE-123.456.789 */
static bool
CheckCHUid(char *v, int n, char **out)
{
	char	   *d;

	if (n != 12 || !SwissUid(v, n, &d))
		return false;
	*out = psprintf("CHE-%.3s.%.3s.%.3s", d, d + 3, d + 6);
	return true;
}

/* CH VAT: the UID and MWST, TVA or IVA (MWST when none is given) */
static bool
CheckCHVat(char *v, int n, char **out)
{
	char	   *d;
	const char *suffix = "MWST";

	if (!SwissUid(v, n, &d))
		return false;
	if (n == 16 && strcmp(v + 12, "MWST") == 0)
		suffix = "MWST";
	else if (n == 15 && (strcmp(v + 12, "TVA") == 0 || strcmp(v + 12, "IVA") == 0))
		suffix = v + 12;
	else if (n != 12)
		return false;
	*out = psprintf("CHE-%.3s.%.3s.%.3s %s", d, d + 3, d + 6, suffix);
	return true;
}

/* NO VAT: the 9-digit organization number (mod 11) and MVA; NO prefix optional */
static bool
CheckNO(char *v, int n, char **out)
{
	static const int w[] = {3, 2, 7, 6, 5, 4, 3, 2};
	int			c;

	if (n > 2 && v[0] == 'N' && v[1] == 'O')
		v += 2, n -= 2;
	if (n == 12 && strcmp(v + 9, "MVA") == 0)
		n = 9;
	if (n != 9 || !Digits(v, 9))
		return false;
	c = Mod11Check(Weighted(v, w, 8));
	if (c == 10 || c != D(v, 8))
		return false;
	*out = psprintf("%.9sMVA", v);
	return true;
}

/* AU ABN: 11 digits, mod 89 with the first digit less one */
static bool
CheckAU(char *v, int n, char **out)
{
	static const int w[] = {10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19};
	int			sum;

	if (n != 11 || !Digits(v, n) || v[0] == '0')
		return false;
	sum = Weighted(v, w, 11) - 10;
	if (sum % 89 != 0)
		return false;
	*out = pnstrdup(v, n);
	return true;
}

/* NZ GST: the 8- or 9-digit IRD number, mod 11 (two weightings), stored 9 digits */
static bool
CheckNZ(char *v, int n, char **out)
{
	static const int w1[] = {3, 2, 7, 6, 5, 4, 3, 2};
	static const int w2[] = {7, 4, 3, 2, 5, 2, 7, 6};
	char		d[10];
	long		number;
	int			c;

	if ((n != 8 && n != 9) || !Digits(v, n))
		return false;
	memset(d, '0', 9);
	memcpy(d + 9 - n, v, n);
	d[9] = '\0';
	number = strtol(d, NULL, 10);
	if (number < 10000000 || number > 150000000)
		return false;
	c = Mod11Check(Weighted(d, w1, 8));
	if (c == 10)
		c = Mod11Check(Weighted(d, w2, 8));
	if (c == 10 || c != D(d, 8))
		return false;
	*out = pstrdup(d);
	return true;
}

/* CA BN: 9 digits (Luhn), optionally a program account (RT0001) */
static bool
CheckCA(char *v, int n, char **out)
{
	if ((n != 9 && n != 15) || !Digits(v, 9) || !Luhn(v, 9))
		return false;
	if (n == 15 && !(Letters(v + 9, 2) && Digits(v + 11, 4)))
		return false;
	*out = pnstrdup(v, n);
	return true;
}

/* IN GSTIN: state, PAN, entity, Z, and a mod-36 check character */
static bool
CheckIN(char *v, int n, char **out)
{
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	int			sum = 0;
	int			state;

	if (n != 15 || !Digits(v, 2) || !Letters(v + 2, 5) || !Digits(v + 7, 4) ||
		!Letters(v + 11, 1) || v[13] != 'Z')
		return false;
	state = D(v, 0) * 10 + D(v, 1);
	if (!((state >= 1 && state <= 38) || state == 97 || state == 99))
		return false;
	for (int i = 0; i < 14; i++)
	{
		const char *at = strchr(alphabet, v[i]);
		int			p;

		if (at == NULL || v[i] == '\0')
			return false;
		p = (int) (at - alphabet) * (i % 2 == 0 ? 1 : 2);
		sum += p / 36 + p % 36;
	}
	if (alphabet[(36 - sum % 36) % 36] != v[14])
		return false;
	*out = pnstrdup(v, n);
	return true;
}

/* the two mod-11 check digits of Brazil's CPF and CNPJ */
static bool
BrazilChecks(const char *v, int n, const int *w, int nw)
{
	for (int k = 0; k < 2; k++)
	{
		int			len = n - 2 + k;
		int			sum = 0;
		int			c;

		for (int i = 0; i < len; i++)
			sum += D(v, i) * w[nw - len + i];
		c = sum % 11 < 2 ? 0 : 11 - sum % 11;
		if (c != D(v, len))
			return false;
	}
	return true;
}

/* BR CNPJ: 14 digits, written 12.345.678/0001-95 */
static bool
CheckCNPJ(char *v, int n, char **out)
{
	static const int w[] = {6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2};

	if (n != 14 || !Digits(v, n) || strspn(v, "0") == 14 || !BrazilChecks(v, 14, w, 13))
		return false;
	*out = psprintf("%.2s.%.3s.%.3s/%.4s-%.2s", v, v + 2, v + 5, v + 8, v + 12);
	return true;
}

/* BR CPF: 11 digits, not all equal, written 123.456.789-09 */
static bool
CheckCPF(char *v, int n, char **out)
{
	static const int w[] = {11, 10, 9, 8, 7, 6, 5, 4, 3, 2};

	char		first[2] = {v[0], '\0'};

	if (n != 11 || !Digits(v, n) || (int) strspn(v, first) == 11 || !BrazilChecks(v, 11, w, 10))
		return false;
	*out = psprintf("%.3s.%.3s.%.3s-%.2s", v, v + 3, v + 6, v + 9);
	return true;
}

/* US EIN: 9 digits, written 12-3456789 */
static bool
CheckEIN(char *v, int n, char **out)
{
	if (n != 9 || !Digits(v, n))
		return false;
	*out = psprintf("%.2s-%.7s", v, v + 2);
	return true;
}

static const TaxIdType tax_id_types[] = {
	{"eu_vat", "EU VAT number (country prefix and number)", CheckEU},
	{"gb_vat", "GB VAT number", CheckGBVat},
	{"ch_vat", "Swiss VAT number (CHE-123.456.789 MWST)", CheckCHVat},
	{"ch_uid", "Swiss UID (CHE-123.456.789)", CheckCHUid},
	{"no_vat", "Norwegian VAT number (123456789MVA)", CheckNO},
	{"au_abn", "Australian ABN (11 digits)", CheckAU},
	{"nz_gst", "New Zealand GST number (8 or 9 digits)", CheckNZ},
	{"ca_bn", "Canadian BN (9 digits, optionally a program account such as RT0001)", CheckCA},
	{"in_gst", "Indian GSTIN (15 characters)", CheckIN},
	{"br_cnpj", "Brazilian CNPJ (14 digits)", CheckCNPJ},
	{"br_cpf", "Brazilian CPF (11 digits)", CheckCPF},
	{"us_ein", "US EIN (NN-NNNNNNN)", CheckEIN},
	{"other", NULL, NULL},
};

/* The type's name if type[0..len) names one, else NULL */
const char *
TaxIdTypeName(const char *type, int len)
{
	for (int i = 0; i < (int) lengthof(tax_id_types); i++)
		if ((int) strlen(tax_id_types[i].name) == len &&
			memcmp(tax_id_types[i].name, type, len) == 0)
			return tax_id_types[i].name;
	return NULL;
}

/* The names of every type, for messages */
const char *
TaxIdTypeNames(void)
{
	StringInfoData names;

	initStringInfo(&names);
	for (int i = 0; i < (int) lengthof(tax_id_types); i++)
		appendStringInfo(&names, "%s%s", i > 0 ? ", " : "", tax_id_types[i].name);
	return names.data;
}

/*
 * The normal form of value (already trimmed, text rules applied) as a tax
 * id of type; NULL when invalid, with what was expected in *expected.
 */
char *
NormalizeTaxId(const char *type, const char *value, const char **expected)
{
	const TaxIdType *t = NULL;
	char	   *compact = palloc(strlen(value) + 1);
	int			n = 0;
	char	   *out = NULL;

	for (int i = 0; i < (int) lengthof(tax_id_types); i++)
		if (strcmp(tax_id_types[i].name, type) == 0)
			t = &tax_id_types[i];
	Assert(t != NULL);
	*expected = t->description;
	if (t->check == NULL)
		return pg_mbstrlen(value) <= MAX_TAX_ID_CHARS ? pstrdup(value) : NULL;
	for (int i = 0, len = strlen(value), k; i < len; i += k)
	{
		pg_wchar	c = TextCharAt(value + i, len - i, &k);

		if (c == '.' || c == '-' || c == '/' || IsUnicodeSpace(c))
			continue;
		if (c >= 0x80)
			return NULL;
		compact[n++] = pg_ascii_toupper((unsigned char) c);
	}
	compact[n] = '\0';
	if (!t->check(compact, n, &out))
		return NULL;
	return out;
}
