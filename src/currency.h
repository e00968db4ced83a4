/*
 * currency.h
 *		ISO 4217 currency codes.
 */
#ifndef CURRENCY_H
#define CURRENCY_H

extern const char *CurrencyCode(const char *text, int len);

#endif
