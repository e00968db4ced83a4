/*
 * timestamps.c
 *		RFC 3339 timestamps: the documents show UTC to the second; filters
 *		accept any RFC 3339 date-time (fractions and offsets included).
 *
 * The parser is strict and never raises, so a bad timestamp in a filter
 * becomes a 22023 error naming its path instead of a datetime error.
 */
#include "postgres.h"

#include "pgtime.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "timestamps.h"

/* RFC 3339 UTC text of a timestamp, to the second */
char *
FormatTimestamp(TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02dZ",
					tm.tm_year, tm.tm_mon, tm.tm_mday,
					tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Read exactly n digits at *p into *value */
static bool
Digits(const char **p, const char *end, int n, int *value)
{
	*value = 0;
	if (end - *p < n)
		return false;
	for (int i = 0; i < n; i++, (*p)++)
	{
		if (**p < '0' || **p > '9')
			return false;
		*value = *value * 10 + (**p - '0');
	}
	return true;
}

/* Read the expected character c at *p */
static inline bool
Expect(const char **p, const char *end, char c)
{
	if (*p >= end || (**p != c && !(c == 'T' && **p == 't')))
		return false;
	(*p)++;
	return true;
}

/* Parse YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM); false when it is not exactly that */
bool
ParseRfc3339(const char *text, int len, TimestampTz *result)
{
	const char *p = text;
	const char *end = text + len;
	struct pg_tm tm;
	fsec_t		fsec = 0;
	int			offset = 0;
	int			scale = 100000;

	memset(&tm, 0, sizeof(tm));
	if (!Digits(&p, end, 4, &tm.tm_year) || !Expect(&p, end, '-') ||
		!Digits(&p, end, 2, &tm.tm_mon) || !Expect(&p, end, '-') ||
		!Digits(&p, end, 2, &tm.tm_mday) || !Expect(&p, end, 'T') ||
		!Digits(&p, end, 2, &tm.tm_hour) || !Expect(&p, end, ':') ||
		!Digits(&p, end, 2, &tm.tm_min) || !Expect(&p, end, ':') ||
		!Digits(&p, end, 2, &tm.tm_sec))
		return false;
	if (p < end && *p == '.')
	{
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return false;
		for (; p < end && *p >= '0' && *p <= '9'; p++)
		{
			fsec += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (p < end && (*p == 'Z' || *p == 'z'))
		p++;
	else if (p < end && (*p == '+' || *p == '-'))
	{
		int			sign = (*p == '-') ? -1 : 1;
		int			hours;
		int			minutes;

		p++;
		if (!Digits(&p, end, 2, &hours) || !Expect(&p, end, ':') ||
			!Digits(&p, end, 2, &minutes) || hours > 23 || minutes > 59)
			return false;
		offset = sign * (hours * SECS_PER_HOUR + minutes * SECS_PER_MINUTE);
	}
	else
		return false;
	if (p != end)
		return false;

	if (tm.tm_year < 1 || tm.tm_mon < 1 || tm.tm_mon > MONTHS_PER_YEAR ||
		tm.tm_mday < 1 || tm.tm_mday > day_tab[isleap(tm.tm_year)][tm.tm_mon - 1] ||
		tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return false;

	/* PostgreSQL counts zones in seconds west of UTC */
	return tm2timestamp(&tm, fsec, &(int) {-offset}, result) == 0 &&
		IS_VALID_TIMESTAMP(*result);
}
