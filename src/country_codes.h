/*
 * country_codes.h
 *		ISO 3166-1 country code lookup.
 */
#ifndef COUNTRY_CODES_H
#define COUNTRY_CODES_H

extern const char *country_alpha3(const char *code, int len);

#endif							/* COUNTRY_CODES_H */
