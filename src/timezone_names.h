/*
 * timezone_names.h
 *		IANA time zone names that PostgreSQL knows.
 */
#ifndef TIMEZONE_NAMES_H
#define TIMEZONE_NAMES_H

extern char *TimeZoneName(const char *text, int len);

#endif
