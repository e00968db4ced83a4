/*
 * currency.c
 *		ISO 4217 currency codes (docs/api.md §2).
 *
 * The codes of the currencies in use (ISO 4217 list one, 2025), without the
 * fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW), precious metals
 * (XAG, XAU, XPD, XPT), bond-market units (XBA–XBD), the SDR, XSU, XUA and
 * the testing codes XTS and XXX: a customer is invoiced in money. A code is
 * accepted in any case and stored upper case.
 */
#include "postgres.h"

#include "currency.h"

/* sorted, for bsearch */
static const char currency_codes[][4] = {
	"AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN",
	"BAM", "BBD", "BDT", "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL",
	"BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY",
	"COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP",
	"ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD",
	"GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR",
	"IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF",
	"KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
	"LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR",
	"MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR",
	"NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR",
	"RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
	"SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
	"TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX",
	"USD", "UYU", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD",
	"XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
};

static int
CompareCode(const void *a, const void *b)
{
	return strncmp(a, b, 3);
}

/* The upper-case ISO 4217 code text[0..len) names, or NULL */
const char *
CurrencyCode(const char *text, int len)
{
	char		upper[4];

	if (len != 3)
		return NULL;
	for (int i = 0; i < 3; i++)
	{
		if (!((text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= 'a' && text[i] <= 'z')))
			return NULL;
		upper[i] = pg_ascii_toupper((unsigned char) text[i]);
	}
	upper[3] = '\0';
	return bsearch(upper, currency_codes, lengthof(currency_codes), sizeof(currency_codes[0]),
				   CompareCode);
}
