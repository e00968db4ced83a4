/*
 * timezone_names.c
 *		IANA time zone names, as PostgreSQL knows them (docs/api.md §2).
 *
 * A name is accepted when PostgreSQL's own time zone library loads it from
 * its time zone database (pg_tzset: the files under share/timezone, or the
 * system's tzdata when built with --with-system-tzdata): "Europe/Paris",
 * "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+3". The lookup ignores
 * case and the name is stored as the database spells it. pg_tzset also
 * reads POSIX zone specifications ("FOO3BAR"), which are no IANA names:
 * those are told apart because their canonical name is the upper-cased
 * input, as no IANA name but a few all-capital ones is. The copies in the
 * posix/ and right/ trees, and posixrules, localtime and Factory, are
 * refused.
 */
#include "postgres.h"

#include "pgtime.h"

#include "timezone_names.h"

#define MAX_ZONE_NAME_LEN 64

/* all-capital IANA names that hold digits, which POSIX specs also look like */
static const char *const capital_zone_names[] = {
	"CST6CDT", "EST5EDT", "GMT+0", "GMT-0", "GMT0", "MST7MDT", "PST8PDT",
};

/* The canonical IANA name text[0..len) names, or NULL */
char *
TimeZoneName(const char *text, int len)
{
	char	   *name;
	pg_tz	   *tz;
	const char *canonical;
	bool		all_capital = true;
	bool		digits = false;

	if (len == 0 || len > MAX_ZONE_NAME_LEN)
		return NULL;
	for (int i = 0; i < len; i++)
	{
		char		c = text[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
			(i > 0 && (c == '/' || c == '-' || c == '+' || (c >= '0' && c <= '9'))))
			continue;
		return NULL;
	}
	name = pnstrdup(text, len);
	if (pg_strncasecmp(name, "posix", 5) == 0 || pg_strncasecmp(name, "right/", 6) == 0 ||
		pg_strcasecmp(name, "localtime") == 0 || pg_strcasecmp(name, "Factory") == 0)
		return NULL;
	tz = pg_tzset(name);
	if (tz == NULL)
		return NULL;
	canonical = pg_get_timezone_name(tz);
	for (const char *p = canonical; *p; p++)
	{
		all_capital &= !(*p >= 'a' && *p <= 'z');
		digits |= (*p >= '0' && *p <= '9');
	}
	if (all_capital && digits)
	{
		bool		known = false;

		for (int i = 0; i < (int) lengthof(capital_zone_names); i++)
			known |= strcmp(canonical, capital_zone_names[i]) == 0;
		if (!known)
			return NULL;
	}
	return pstrdup(canonical);
}
