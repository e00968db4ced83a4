/*
 * fuzz.c
 *		A bounded, seeded fuzzer for the customers extension's functions.
 *
 * It connects as an ordinary application role (no table ownership, row
 * level security in force) and calls every function in the table below
 * with generated arguments: the seed requests mutated field by field, wrong
 * types, random JSON, huge strings, deep nesting, invalid escapes, and
 * random or mutated cursors and ids. Each call runs in a savepoint; every
 * round of calls is rolled back, so the tenant's rows stay small and the
 * run is repeatable from its seed.
 *
 * After each call it asserts:
 *	- the backend is still there (a crash ends the connection);
 *	- an error has a SQLSTATE documented for that function (never XX000),
 *	  or, if PostgreSQL refused the argument before the call (invalid JSON
 *	  text), one of the input SQLSTATEs;
 *	- a call that failed (an error, or an envelope whose items all failed)
 *	  and every reading call left every row of every tenant as it was, and a
 *	  batch that partly failed changed only the rows of its successful items
 *	  (the big tenant's bulk customers aside: see setup.sql);
 *	- the call used at most 1 s of the backend's CPU time (plus CPU_PER_MB a
 *	  MB of arguments), and the backend's private memory grew by at most
 *	  MEMORY_BASE plus MEMORY_FACTOR times the call's input and response
 *	  (issue 15). Both are read from /proc: the CPU
 *	  time the kernel charged to the backend process, so that a loaded machine
 *	  does not fail the run (the wall time is printed beside it), and its
 *	  anonymous resident memory, sampled every millisecond while the call runs.
 *
 * It runs for at least --seconds and at least --min-calls calls, but stops
 * at twenty times --seconds whatever the count (and then fails): against
 * the big tenant a call and its snapshot take about three times as long as
 * they did against the small fixture alone, and at load 8 on two cores
 * 50,000 calls took 599 s.
 *
 * Adding a function: one line in `functions[]` (its name, argument kinds and
 * documented SQLSTATEs) and, for a new kind of argument, seed requests in
 * SeedsFor() (or, for an id, a pool in TextArgument()).
 *
 *	fuzz [--seconds N] [--seed N] [--min-calls N] [--out DIR] CONNINFO
 *
 * Exit status 0 when no property failed and at least --min-calls calls ran.
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libpq-fe.h"

#define TENANT "fuzz"
#define OTHER_TENANT "fuzz_other"
#define CALLS_PER_ROUND 50
#define MAX_FAILURES 20
#define POOL_SIZE 64
#define HUGE_STRING_BYTES (10 * 1024 * 1024)
#define DEEP_NESTING 10000

/*
 * The limits of one call (issue 15): the backend's CPU time, and the growth
 * of its private memory over what it held before the call. PostgreSQL
 * parses a JSON argument before the function runs, at 30 to 80 ms a MB
 * here: a call may take CPU_PER_MB more for each MB of its arguments (a
 * call with five 10 MB strings took 1.4 s).
 */
#define CPU_LIMIT_SECONDS 1.0
#define CPU_PER_MB 0.1
#define MEMORY_BASE (64L * 1024 * 1024)
#define MEMORY_FACTOR 8

/* the run stops (and fails) after this many times --seconds, whatever the count */
#define MAX_SECONDS_FACTOR 20

/* What the arguments of the current call hold, counted over the run */
typedef enum Extreme
{
	HUGE_STRING,				/* a 10 MB string */
	DEEP_NESTING_VALUE,			/* 10,000 levels of arrays and objects */
	DAMAGED_TEXT,				/* JSON text with an invalid escape, byte or cut */
	ALTERED_CURSOR,				/* a cursor changed or made up */
	NUM_EXTREMES
} Extreme;

static const char *const extreme_names[NUM_EXTREMES] = {
	"calls with a 10 MB string", "calls with 10,000-deep nesting",
	"calls with damaged JSON text", "calls with an altered cursor",
};
static int	call_extremes[NUM_EXTREMES];	/* in the current call */
static long extreme_calls[NUM_EXTREMES];	/* over the run */

/* ---------------------------------------------------------------- random */

static uint64_t rng_state;

/* splitmix64: small, fast and good enough to drive mutations */
static uint64_t
Next64(void)
{
	uint64_t	z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A number in [0, n) */
static int
Rnd(int n)
{
	return n <= 0 ? 0 : (int) (Next64() % (uint64_t) n);
}

/* True with probability per_mille / 1000 */
static int
Chance(int per_mille)
{
	return Rnd(1000) < per_mille;
}

/* ----------------------------------------------------------------- memory */

/* A bump allocator reset after every call, so generation never leaks */
typedef struct Block
{
	struct Block *next;
	size_t		used;
	size_t		size;
	char		data[];
} Block;

static Block *arena = NULL;

static void *
Alloc(size_t n)
{
	n = (n + 15) & ~(size_t) 15;
	if (arena == NULL || arena->size - arena->used < n)
	{
		size_t		size = n > (1 << 20) ? n : (1 << 20);
		Block	   *b = malloc(sizeof(Block) + size);

		if (b == NULL)
		{
			fprintf(stderr, "fuzz: out of memory\n");
			exit(2);
		}
		b->next = arena;
		b->used = 0;
		b->size = size;
		arena = b;
	}
	arena->used += n;
	return arena->data + arena->used - n;
}

/* Free everything allocated since the last reset */
static void
ResetArena(void)
{
	while (arena != NULL)
	{
		Block	   *next = arena->next;

		free(arena);
		arena = next;
	}
}

static char *
Strndup(const char *s, size_t n)
{
	char	   *d = Alloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *
Strdup(const char *s)
{
	return Strndup(s, strlen(s));
}

/* A growable byte buffer (malloc'd: it may outlive a call) */
typedef struct Buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Buf;

static void
BufAppend(Buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		size_t		cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = realloc(b->data, cap);
		if (b->data == NULL)
		{
			fprintf(stderr, "fuzz: out of memory\n");
			exit(2);
		}
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
BufPuts(Buf *b, const char *s)
{
	BufAppend(b, s, strlen(s));
}

static void
BufPrintf(Buf *b, const char *fmt,...)
{
	char		small[512];
	va_list		args;
	int			n;

	va_start(args, fmt);
	n = vsnprintf(small, sizeof(small), fmt, args);
	va_end(args);
	if (n < (int) sizeof(small))
	{
		BufAppend(b, small, n);
		return;
	}
	{
		char	   *big = malloc(n + 1);

		va_start(args, fmt);
		vsnprintf(big, n + 1, fmt, args);
		va_end(args);
		BufAppend(b, big, n);
		free(big);
	}
}

/* ------------------------------------------------------------- JSON model */

typedef enum JType
{
	J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT
} JType;

/* A JSON value; numbers and booleans keep their text */
typedef struct J
{
	JType		type;
	char	   *text;			/* string value, number or boolean text */
	size_t		len;
	int			n;				/* members or elements */
	int			cap;
	struct J  **keys;			/* object keys (strings) */
	struct J  **items;
} J;

static J   *
NewJ(JType type)
{
	J		   *j = Alloc(sizeof(J));

	memset(j, 0, sizeof(J));
	j->type = type;
	return j;
}

static J   *
StringJ(const char *s, size_t len)
{
	J		   *j = NewJ(J_STRING);

	j->text = (char *) s;
	j->len = len;
	return j;
}

static J   *
TextJ(JType type, const char *s)
{
	J		   *j = NewJ(type);

	j->text = Strdup(s);
	j->len = strlen(s);
	return j;
}

/* Append an element (key NULL) or a member to a container */
static void
AddItem(J *c, J *key, J *value)
{
	if (c->n == c->cap)
	{
		int			cap = c->cap ? c->cap * 2 : 4;
		J		  **keys = Alloc(sizeof(J *) * cap);
		J		  **items = Alloc(sizeof(J *) * cap);

		if (c->n > 0)
		{
			memcpy(keys, c->keys, sizeof(J *) * c->n);
			memcpy(items, c->items, sizeof(J *) * c->n);
		}
		c->keys = keys;
		c->items = items;
		c->cap = cap;
	}
	c->keys[c->n] = key;
	c->items[c->n] = value;
	c->n++;
}

/* Remove the i-th element or member */
static void
RemoveItem(J *c, int i)
{
	memmove(c->keys + i, c->keys + i + 1, sizeof(J *) * (c->n - i - 1));
	memmove(c->items + i, c->items + i + 1, sizeof(J *) * (c->n - i - 1));
	c->n--;
}

/* A deep copy */
static J   *
CopyJ(const J *j)
{
	J		   *c = NewJ(j->type);

	c->text = j->text;
	c->len = j->len;
	for (int i = 0; i < j->n; i++)
		AddItem(c, j->keys[i] ? CopyJ(j->keys[i]) : NULL, CopyJ(j->items[i]));
	return c;
}

/* Parser for the trusted seed texts below (and for responses) */
typedef struct Parser
{
	const char *p;
	const char *end;
	int			failed;
} Parser;

static J   *ParseValue(Parser *ps);

static void
SkipWs(Parser *ps)
{
	while (ps->p < ps->end && isspace((unsigned char) *ps->p))
		ps->p++;
}

static J   *
ParseString(Parser *ps)
{
	Buf			out = {0};
	J		   *j;

	ps->p++;					/* opening quote */
	while (ps->p < ps->end && *ps->p != '"')
	{
		char		c = *ps->p++;

		if (c == '\\' && ps->p < ps->end)
		{
			char		e = *ps->p++;

			switch (e)
			{
				case 'n':
					c = '\n';
					break;
				case 't':
					c = '\t';
					break;
				case 'r':
					c = '\r';
					break;
				case 'b':
					c = '\b';
					break;
				case 'f':
					c = '\f';
					break;
				case 'u':
					{
						unsigned	code = 0;

						for (int k = 0; k < 4 && ps->p < ps->end; k++)
						{
							char		h = *ps->p++;

							code = code * 16 + (isdigit((unsigned char) h) ? h - '0' :
												(tolower((unsigned char) h) - 'a' + 10));
						}
						/* UTF-8 of the BMP code point (surrogates as they are) */
						if (code < 0x80)
							c = (char) code;
						else
						{
							char		u[3];
							int			n;

							if (code < 0x800)
							{
								u[0] = (char) (0xC0 | (code >> 6));
								u[1] = (char) (0x80 | (code & 0x3F));
								n = 2;
							}
							else
							{
								u[0] = (char) (0xE0 | (code >> 12));
								u[1] = (char) (0x80 | ((code >> 6) & 0x3F));
								u[2] = (char) (0x80 | (code & 0x3F));
								n = 3;
							}
							BufAppend(&out, u, n);
							continue;
						}
						break;
					}
				default:
					c = e;
			}
		}
		BufAppend(&out, &c, 1);
	}
	if (ps->p >= ps->end)
		ps->failed = 1;
	ps->p++;
	j = StringJ(Strndup(out.data ? out.data : "", out.len), out.len);
	free(out.data);
	return j;
}

static J   *
ParseValue(Parser *ps)
{
	J		   *j;

	SkipWs(ps);
	if (ps->p >= ps->end)
	{
		ps->failed = 1;
		return NewJ(J_NULL);
	}
	if (*ps->p == '{' || *ps->p == '[')
	{
		int			object = (*ps->p == '{');
		char		close = object ? '}' : ']';

		j = NewJ(object ? J_OBJECT : J_ARRAY);
		ps->p++;
		SkipWs(ps);
		if (ps->p < ps->end && *ps->p == close)
		{
			ps->p++;
			return j;
		}
		while (!ps->failed)
		{
			J		   *key = NULL;

			SkipWs(ps);
			if (object)
			{
				if (ps->p >= ps->end || *ps->p != '"')
				{
					ps->failed = 1;
					break;
				}
				key = ParseString(ps);
				SkipWs(ps);
				if (ps->p >= ps->end || *ps->p != ':')
				{
					ps->failed = 1;
					break;
				}
				ps->p++;
			}
			AddItem(j, key, ParseValue(ps));
			SkipWs(ps);
			if (ps->p < ps->end && *ps->p == ',')
			{
				ps->p++;
				continue;
			}
			if (ps->p < ps->end && *ps->p == close)
				ps->p++;
			else
				ps->failed = 1;
			break;
		}
		return j;
	}
	if (*ps->p == '"')
		return ParseString(ps);
	{
		const char *start = ps->p;

		while (ps->p < ps->end && !strchr(",]} \t\r\n", *ps->p))
			ps->p++;
		j = NewJ(start[0] == 'n' ? J_NULL : (start[0] == 't' || start[0] == 'f') ? J_BOOL : J_NUMBER);
		j->text = Strndup(start, ps->p - start);
		j->len = ps->p - start;
		return j;
	}
}

static J   *
ParseJson(const char *text, size_t len, int *ok)
{
	Parser		ps = {text, text + len, 0};
	J		   *j = ParseValue(&ps);

	SkipWs(&ps);
	*ok = !ps.failed && ps.p == ps.end;
	return j;
}

/* Serialize as JSON text; strings are escaped as JSON requires */
static void
Serialize(Buf *b, const J *j)
{
	switch (j->type)
	{
		case J_NULL:
			BufPuts(b, "null");
			break;
		case J_BOOL:
		case J_NUMBER:
			BufAppend(b, j->text, j->len);
			break;
		case J_STRING:
			{
				size_t		start = 0;

				BufAppend(b, "\"", 1);
				for (size_t i = 0; i < j->len; i++)
				{
					unsigned char c = (unsigned char) j->text[i];
					char		esc[8];

					if (c >= 0x20 && c != '"' && c != '\\')
						continue;
					BufAppend(b, j->text + start, i - start);
					if (c == '"' || c == '\\')
						snprintf(esc, sizeof(esc), "\\%c", c);
					else
						snprintf(esc, sizeof(esc), "\\u%04x", c);
					BufPuts(b, esc);
					start = i + 1;
				}
				BufAppend(b, j->text + start, j->len - start);
				BufAppend(b, "\"", 1);
				break;
			}
		case J_ARRAY:
		case J_OBJECT:
			BufAppend(b, j->type == J_ARRAY ? "[" : "{", 1);
			for (int i = 0; i < j->n; i++)
			{
				if (i > 0)
					BufAppend(b, ",", 1);
				if (j->type == J_OBJECT)
				{
					Serialize(b, j->keys[i]);
					BufAppend(b, ":", 1);
				}
				Serialize(b, j->items[i]);
			}
			BufAppend(b, j->type == J_ARRAY ? "]" : "}", 1);
			break;
	}
}

/* The member of an object by key, or NULL */
static J   *
Member(const J *j, const char *key)
{
	if (j == NULL || j->type != J_OBJECT)
		return NULL;
	for (int i = 0; i < j->n; i++)
		if (j->keys[i]->len == strlen(key) && memcmp(j->keys[i]->text, key, j->keys[i]->len) == 0)
			return j->items[i];
	return NULL;
}

/* Whether j is the string s */
static int
IsString(const J *j, const char *s)
{
	return j != NULL && j->type == J_STRING && j->len == strlen(s) &&
		memcmp(j->text, s, j->len) == 0;
}

/* ------------------------------------------------------------------ pools */

/* Values seen or set up, handed out as arguments: ids, cursors */
typedef struct Pool
{
	char	   *values[POOL_SIZE];
	int			n;
	int			next;			/* the slot the next value replaces once full */
	int			fixture;		/* the first values, from the fixture, stay */
} Pool;

static Pool customer_ids, other_customer_ids, segment_ids, label_ids, method_ids, cursors, other_cursors;

static void
PoolAdd(Pool *p, const char *value, size_t len)
{
	char	   *copy = malloc(len + 1);

	for (int i = 0; i < p->n; i++)
		if (strlen(p->values[i]) == len && memcmp(p->values[i], value, len) == 0)
		{
			free(copy);
			return;
		}
	memcpy(copy, value, len);
	copy[len] = '\0';
	if (p->n < POOL_SIZE)
		p->values[p->n++] = copy;
	else if (p->fixture >= POOL_SIZE)
		free(copy);				/* the fixture fills the pool */
	else
	{
		if (p->next < p->fixture)
			p->next = p->fixture;
		free(p->values[p->next]);
		p->values[p->next] = copy;
		p->next = p->next + 1 < POOL_SIZE ? p->next + 1 : p->fixture;
	}
}

/* Forget the ids seen since the fixture: the round that made them was rolled back */
static void
PoolRollback(Pool *p)
{
	while (p->n > p->fixture)
		free(p->values[--p->n]);
	p->next = p->n;
}

static const char *
PoolPick(const Pool *p, const char *fallback)
{
	return p->n == 0 ? fallback : p->values[Rnd(p->n)];
}

/* -------------------------------------------------------------- generators */

/* Strings meant to break out of SQL, JSON, formats or logs */
static const char *const hostile_strings[] = {
	"'; DROP TABLE customers.customer; --",
	"\" OR 1=1 --",
	"') OR ('1'='1",
	"$1", "$$", "$q$ || pg_sleep(5) || $q$",
	"%s%s%s%n%x", "%", "_", "\\", "\\\\", "''", "\"", "\\u0000", "\\x00",
	"NULL", "null", "true", "1; SELECT pg_sleep(5)", "*/ SELECT 1 /*",
	"customers.customer", "pg_catalog.=", "OPERATOR(pg_catalog.=)",
	"<script>alert(1)</script>", "../../../etc/passwd", "${jndi:ldap://x}",
	"E'\\\\x00'", "\r\n\r\nX-Injected: 1", "ROW(1,2)", "ARRAY[1]", "cus_", "cus_'",
	"current_setting('customers.tenant_id')", "fuzz_other",
};

/* Known names: fields, aliases, request keys, operators, values */
static const char *const known_names[] = {
	"id", "externalId", "name", "status", "additionalContactName", "businessName",
	"ein", "email", "ccEmails", "bccEmails", "invoiceSettings", "invoicePrefix",
	"showAdditionalContactName", "showBusinessName", "showName", "showEmail",
	"showAddress", "showPhoneWork", "address", "countryCode", "state", "city", "zip",
	"phoneWork", "address1", "address2", "customData", "classSegments", "version",
	"createdDateTime", "updatedDateTime", "archivedDateTime", "createdBy", "updatedBy",
	"legal_name", "external_id", "metadata", "street_address", "address_line1",
	"sub_premise", "address_line2", "address_city", "address_state", "postal_code",
	"address_postal_code", "country", "address_country", "data", "cursor", "limit",
	"sort", "orderBy", "direction", "filter", "equal", "notEqual", "greaterThan",
	"greaterThanEqual", "lessThan", "lessThanEqual", "contain", "contains", "in",
	"notIn", "expand", "label", "parent", "requiredness", "child", "children", "after",
	"before", "taxIds", "type", "value", "currency", "preferredLocales", "timezone", "phone",
	"shipping", "preferred_locales", "tax_id_data", "and", "or", "not", "path", "exists",
	"search", "count", "upTo", "total", "moreThan", "address.countryCode", "taxIds.value",
};

static const char *const known_values[] = {
	"ACTIVE", "INACTIVE", "ARCHIVED", "REQUIRED", "NOT_REQUIRED", "NAME", "EMAIL",
	"BUSINESS_NAME", "STATUS", "CREATED_DATE_TIME", "UPDATED_DATE_TIME", "ID", "ASC",
	"DESC", "USA", "US", "us", "GBR", "XXX", "a@b.co", "A@B.CO", "a@b", "@", "a@@b.co",
	"a..b@c.co", "[\"cc@acme.com\"]", "[\"x@y.co\", \"bad\"]", "[", "[\"\\u0041@b.co\"]",
	"[\"a@b.co\",", "[\"\\ud800@b.co\"]", "12-3456789", "123456789", "12345678", "1e5",
	"2023-11-07T05:31:56Z", "2023-11-07T00:31:56.5-05:00", "2023-13-45T99:99:99Z",
	"0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999+14:00", "294277-01-01T00:00:00Z",
	"infinity", "-infinity", "epoch", "2023-11-07 05:31:56", "2023-11-07", "now",
	"cll_", "cls_", "cus_x", "cus_01HF0000000000000000000000",
	"eu_vat", "gb_vat", "us_ein", "other", "DE136695976", "GB980780684", "CHE-100.155.212",
	"EUR", "eur", "XAU", "Europe/Paris", "FOO3BAR", "posix/UTC", "fr-CA", "en_us", "x-private",
	"+14155550100", "0044 20 7946 0958", "(415) 555-0100", "4242 4242 4242 4242",
	"\xc2\xa0\xe3\x80\x80", "e\xcc\x81", "a\x07" "b",	/* NBSP and U+3000, e + U+0301, BEL */
	"CURRENCY", "COUNTRY_CODE", "fr", "FRA", "ZZZ", "ESX5277343Q", "IE6433435IH", "BG7111042925",
};

/* Unicode that is valid but unusual */
static const char *const unicode_strings[] = {
	"\xc3\x86" "r\xc3\xb8" "sk\xc3\xb8" "bing", "\xe5\x90\x8d\xe5\x89\x8d", "\xf0\x9f\x99\x82",
	"\xe2\x80\xae" "evil", "e\xcc\x81", "\xe2\x80\x8d", "\xf4\x8f\xbf\xbf", "\xef\xbb\xbf",
	"\xc2\xa0", "\xe3\x80\x80", "\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9",
};

static const char *const numbers[] = {
	"0", "-0", "1", "-1", "1.5", "2", "50", "999", "1000", "1001", "1e3", "1E2",
	"2147483647", "2147483648", "-2147483649", "9223372036854775807",
	"9223372036854775808", "-9223372036854775809", "123456789012345678901234567890",
	"1e308", "-1e308", "1e-400", "0.0000001", "1e100000", "4.0", "1.0e0",
};

/* A string of n bytes made of one repeated pattern */
static J   *
RepeatedString(size_t n, const char *pattern)
{
	char	   *s = Alloc(n + 1);
	size_t		plen = strlen(pattern);

	for (size_t i = 0; i < n; i++)
		s[i] = pattern[i % plen];
	s[n] = '\0';
	return StringJ(s, n);
}

static J   *
PickString(const char *const *list, int n)
{
	return TextJ(J_STRING, list[Rnd(n)]);
}

/* A random string of one of many kinds */
static J   *
RandomString(void)
{
	switch (Rnd(14))
	{
		case 0:
			{
				int			n = Rnd(20);
				char	   *s = Alloc(n + 1);

				for (int i = 0; i < n; i++)
					s[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-. @"[Rnd(66)];
				s[n] = '\0';
				return StringJ(s, n);
			}
		case 1:
		case 2:
			return PickString(hostile_strings, sizeof(hostile_strings) / sizeof(char *));
		case 3:
			return PickString(unicode_strings, sizeof(unicode_strings) / sizeof(char *));
		case 4:
			{
				static const int lengths[] = {64, 65, 254, 255, 256, 1000, 3000, 70000};

				return RepeatedString(lengths[Rnd(8)], Rnd(2) ? "a" : "\xc3\xa9");
			}
		case 5:
			/* 10 MB strings are slow to send: rarely */
			if (Chance(20))
				return RepeatedString(HUGE_STRING_BYTES, Rnd(2) ? "x" : "'\"\\");
			return TextJ(J_STRING, Rnd(2) ? "" : " \t\n ");
		case 6:
			{
				/* control characters, escaped on the wire */
				char	   *s = Alloc(4);

				s[0] = 'a';
				s[1] = (char) (1 + Rnd(31));
				s[2] = 'b';
				s[3] = '\0';
				return StringJ(s, 3);
			}
		case 7:
			return TextJ(J_STRING, PoolPick(&customer_ids, "cus_none"));
		case 8:
			return TextJ(J_STRING, PoolPick(&other_customer_ids, "cus_none"));
		case 9:
			return TextJ(J_STRING, PoolPick(Rnd(2) ? &segment_ids : &label_ids, "cls_none"));
		case 10:
			return TextJ(J_STRING, PoolPick(Rnd(2) ? &cursors : &other_cursors, "AAAA"));
		default:
			return PickString(known_values, sizeof(known_values) / sizeof(char *));
	}
}

static J   *RandomValue(int depth);

/* A key: mostly a known name, sometimes a random or hostile one */
static J   *
RandomKey(void)
{
	if (Rnd(4) > 0)
		return PickString(known_names, sizeof(known_names) / sizeof(char *));
	return RandomString();
}

/* Nested arrays or objects, depth levels deep */
static J   *
DeepValue(int depth)
{
	int			object = Rnd(2);
	J		   *root = NewJ(object ? J_OBJECT : J_ARRAY);
	J		   *c = root;

	for (int i = 1; i < depth; i++)
	{
		J		   *child = NewJ(Rnd(2) ? J_OBJECT : J_ARRAY);

		AddItem(c, c->type == J_OBJECT ? TextJ(J_STRING, "a") : NULL, child);
		c = child;
	}
	return root;
}

/* Any JSON value */
static J   *
RandomValue(int depth)
{
	int			kind = Rnd(depth > 3 ? 4 : 7);

	switch (kind)
	{
		case 0:
			return NewJ(J_NULL);
		case 1:
			return TextJ(J_BOOL, Rnd(2) ? "true" : "false");
		case 2:
			return TextJ(J_NUMBER, numbers[Rnd(sizeof(numbers) / sizeof(char *))]);
		case 3:
			return RandomString();
		case 4:
		case 5:
			{
				J		   *o = NewJ(J_OBJECT);
				int			n = Rnd(5);

				for (int i = 0; i < n; i++)
					AddItem(o, RandomKey(), RandomValue(depth + 1));
				return o;
			}
		default:
			{
				J		   *a = NewJ(J_ARRAY);
				int			n = Rnd(5);

				for (int i = 0; i < n; i++)
					AddItem(a, NULL, RandomValue(depth + 1));
				return a;
			}
	}
}

/* ---------------------------------------------------------------- mutation */

/* A random slot (pointer to a value) in the tree, and its container */
static J  **
PickSlot(J **root, J **container, int *index)
{
	J		  **slot = root;

	*container = NULL;
	*index = -1;
	for (int depth = 0;; depth++)
	{
		J		   *j = *slot;

		if ((j->type != J_ARRAY && j->type != J_OBJECT) || j->n == 0 || Rnd(depth + 2) == 0)
			return slot;
		*container = j;
		*index = Rnd(j->n);
		slot = &j->items[*index];
	}
}

/* A random container in the tree, or NULL */
static J   *
PickContainer(J *root)
{
	J		   *found = NULL;
	J		   *j = root;

	while (j->type == J_ARRAY || j->type == J_OBJECT)
	{
		found = j;
		if (j->n == 0 || Rnd(3) == 0)
			break;
		j = j->items[Rnd(j->n)];
	}
	return found;
}

/* Change one string a little */
static J   *
MutateString(const J *s)
{
	Buf			b = {0};
	J		   *out;
	size_t		cut = s->len ? (size_t) Rnd((int) (s->len > 1000 ? 1000 : s->len)) : 0;

	switch (Rnd(6))
	{
		case 0:					/* truncate */
			BufAppend(&b, s->text, cut);
			break;
		case 1:					/* append something hostile */
			BufAppend(&b, s->text, s->len);
			BufPuts(&b, hostile_strings[Rnd(sizeof(hostile_strings) / sizeof(char *))]);
			break;
		case 2:					/* insert a character */
			BufAppend(&b, s->text, cut);
			BufPuts(&b, Rnd(2) ? "'" : unicode_strings[Rnd(sizeof(unicode_strings) / sizeof(char *))]);
			BufAppend(&b, s->text + cut, s->len - cut);
			break;
		case 3:					/* change case */
			BufAppend(&b, s->text, s->len);
			for (size_t i = 0; i < b.len; i++)
				b.data[i] = (char) (isupper((unsigned char) b.data[i]) ? tolower((unsigned char) b.data[i]) :
									toupper((unsigned char) b.data[i]));
			break;
		case 4:					/* pad with spaces */
			BufPuts(&b, "  ");
			BufAppend(&b, s->text, s->len);
			BufPuts(&b, "  ");
			break;
		default:				/* double it */
			BufAppend(&b, s->text, s->len);
			BufAppend(&b, s->text, s->len);
			break;
	}
	out = StringJ(Strndup(b.data ? b.data : "", b.len), b.len);
	free(b.data);
	return out;
}

/* One mutation somewhere in the tree */
static void
Mutate(J **root)
{
	J		   *container;
	int			index;
	J		  **slot;

	switch (Rnd(12))
	{
		case 0:
		case 1:					/* a value of any (often the wrong) type */
			slot = PickSlot(root, &container, &index);
			*slot = RandomValue(2);
			break;
		case 2:					/* null */
			slot = PickSlot(root, &container, &index);
			*slot = NewJ(J_NULL);
			break;
		case 3:
		case 4:					/* a string changed, or replaced */
			slot = PickSlot(root, &container, &index);
			*slot = (*slot)->type == J_STRING && Rnd(2) ? MutateString(*slot) : RandomString();
			break;
		case 5:					/* a number at the edges */
			slot = PickSlot(root, &container, &index);
			*slot = TextJ(J_NUMBER, numbers[Rnd(sizeof(numbers) / sizeof(char *))]);
			break;
		case 6:					/* remove a member or element */
			container = PickContainer(*root);
			if (container && container->n > 0)
				RemoveItem(container, Rnd(container->n));
			break;
		case 7:
		case 8:					/* add a member or element */
			container = PickContainer(*root);
			if (container)
				AddItem(container, container->type == J_OBJECT ? RandomKey() : NULL,
						RandomValue(2));
			break;
		case 9:					/* duplicate an element, a few or very many times */
			container = PickContainer(*root);
			if (container && container->type == J_ARRAY && container->n > 0)
			{
				J		   *item = container->items[Rnd(container->n)];
				int			scalar = item->type != J_ARRAY && item->type != J_OBJECT;

				/*
				 * very many copies of scalars only: a thousand copies of a
				 * 10,000-deep value made 40 MB of JSON whose parse alone
				 * outlasted the call's statement_timeout on a loaded machine
				 */
				int			copies = scalar && Chance(50) ? 1000 + Rnd(3) : 1 + Rnd(3);

				for (int i = 0; i < copies; i++)
					AddItem(container, NULL, CopyJ(item));
			}
			break;
		case 10:				/* rename a key */
			container = PickContainer(*root);
			if (container && container->type == J_OBJECT && container->n > 0)
				container->keys[Rnd(container->n)] = RandomKey();
			break;
		default:				/* deep nesting, rarely */
			slot = PickSlot(root, &container, &index);
			if (Chance(100))
				*slot = DeepValue(Rnd(2) ? DEEP_NESTING : 100 + Rnd(1000));
			else
				*slot = RandomValue(0);
			break;
	}
}

/* Damage JSON text so that it is no longer valid JSON (or barely) */
static void
MutateText(Buf *b)
{
	static const char *const junk[] = {
		"\\x41", "\\u12G4", "\\ud800", "\\udc00\\ud800", "\\u0000", "\\", "\"", "{", "]",
		",,", "\xff", "\xc3\x28", "\xed\xa0\x80", "NaN", "Infinity", "1e1000000", "\x01",
	};
	size_t		at = b->len ? (size_t) Rnd((int) (b->len > 100000 ? 100000 : b->len)) : 0;
	const char *j = junk[Rnd(sizeof(junk) / sizeof(char *))];
	Buf			out = {0};

	if (Rnd(5) == 0)
	{
		b->len = at;			/* truncated */
		b->data[at] = '\0';
		return;
	}
	/* inside a string where possible: after the next quote */
	for (size_t i = at; i < b->len; i++)
		if (b->data[i] == '"')
		{
			at = i + 1;
			break;
		}
	BufAppend(&out, b->data, at);
	BufPuts(&out, j);
	BufAppend(&out, b->data + at, b->len - at);
	free(b->data);
	*b = out;
}

/* ------------------------------------------------------------------ seeds */

/*
 * Seed requests, after the examples of docs/api.md §9 ("seed 00N" is §9.N) with
 * values; "$customer", "$segment", "$label" and "$cursor" take pool values
 */
static const char *const save_seeds[] = {
	/* seed 000: Tight's save */
	"{\"data\": [{\"name\": \"Acme Corp\", \"id\": \"cus_28868401\", \"status\": \"ACTIVE\","
	" \"additionalContactName\": \"Jane Smith\", \"businessName\": \"Acme Corporation LLC\","
	" \"email\": \"billing@acme.com\", \"ccEmails\": [\"[\\\"cc@acme.com\\\"]\"],"
	" \"bccEmails\": [\"[\\\"bcc@acme.com\\\"]\"], \"invoiceSettings\": {\"invoicePrefix\": \"INV-\","
	" \"showAdditionalContactName\": true, \"showBusinessName\": true, \"showName\": true,"
	" \"showEmail\": true, \"showAddress\": true, \"showPhoneWork\": true},"
	" \"address\": {\"state\": \"DC\", \"city\": \"Washington\", \"zip\": \"20001\","
	" \"phoneWork\": \"+1 202 555 0100\", \"address1\": \"1 Main St\", \"address2\": \"Suite 2\"},"
	" \"customData\": {\"internal_key\": \"some_internal_key\", \"some_other_field\": 23434}}]}",
	/* seed 003: Flexprice's create, through the aliases */
	"{\"data\": [{\"external_id\": \"ext-fuzz-1\", \"name\": \"Flex\", \"email\": \"flex@example.com\","
	" \"metadata\": {\"plan\": \"gold\"}, \"address_line1\": \"1 Road\", \"address_line2\": \"Flat 3\","
	" \"address_city\": \"Paris\", \"address_state\": \"IDF\", \"address_postal_code\": \"75001\","
	" \"address_country\": \"FR\"}]}",
	/* seed 002: the REST create */
	"{\"data\": [{\"name\": \"Rest\", \"legal_name\": \"Rest Ltd\", \"street_address\": \"2 Way\","
	" \"sub_premise\": \"Unit 1\", \"city\": \"Berlin\", \"state\": \"BE\", \"postal_code\": \"10115\","
	" \"country\": \"DEU\", \"ein\": \"12-3456789\"}]}",
	/* the billing fields, with Stripe's names beside */
	"{\"data\": [{\"name\": \"Billing\", \"currency\": \"cad\", \"timezone\": \"America/Toronto\","
	" \"preferredLocales\": [\"fr-CA\", \"en\"], \"phone\": \"+1 416 555 0199\","
	" \"taxIds\": [{\"type\": \"eu_vat\", \"value\": \"DE136695976\"}, {\"type\": \"other\", \"value\": \"x\"}],"
	" \"shipping\": {\"name\": \"Dock\", \"phone\": \"+14165550100\", \"address\": {\"countryCode\": \"CA\","
	" \"city\": \"Toronto\"}}}, {\"name\": \"Stripe\", \"tax_id_data\": [{\"type\": \"au_abn\","
	" \"value\": \"83914571673\"}], \"preferred_locales\": [\"en-AU\"], \"ein\": \"123456789\"}]}",
	/* updates of existing customers, with versions and segments */
	"{\"data\": [{\"id\": \"$customer\", \"name\": \"Renamed\", \"version\": 1},"
	" {\"id\": \"$customer\", \"status\": \"INACTIVE\"}, {\"name\": \"New\", \"externalId\": \"ext-fuzz-2\"}]}",
	"{\"upsertBy\": \"externalId\", \"data\": [{\"name\": \"Upsert\", \"externalId\": \"ext-fuzz-2\"},"
	" {\"name\": \"Upsert 3\", \"externalId\": \"ext-fuzz-3\", \"status\": \"ARCHIVED\"}]}",
	"{\"data\": [{\"id\": \"$customer\", \"classSegments\": [\"$segment\", {\"id\": \"$segment\"}]}]}",
	"{\"data\": [{\"id\": \"$customer\", \"status\": \"ARCHIVED\"}, {\"id\": \"$customer\", \"status\": \"ACTIVE\"}]}",
};

static const char *const patch_seeds[] = {
	"{\"name\": \"Patched\", \"address\": {\"city\": \"Washington\"}, \"customData\": {\"old\": null}}",
	"{\"email\": \"new@example.com\", \"ccEmails\": [\"a@b.co\"], \"version\": 1}",
	"{\"external_id\": \"ext-fuzz-3\", \"metadata\": {\"k\": [1, 2, {\"x\": null}]}}",
	"{\"status\": \"INACTIVE\", \"classSegments\": [\"$segment\"]}",
	"{\"invoiceSettings\": {\"showName\": false, \"invoicePrefix\": \"X-\"}, \"ein\": \"123456789\"}",
	"{\"currency\": \"EUR\", \"shipping\": {\"name\": \"Dock\", \"phone\": null}, \"ein\": null,"
	" \"taxIds\": [{\"type\": \"gb_vat\", \"value\": \"GB 980 7806 84\"}], \"city\": \"Lyon\"}",
};

static const char *const query_seeds[] = {
	/* seed 001: Tight's query */
	"{\"limit\": 5, \"sort\": {\"orderBy\": \"NAME\", \"direction\": \"ASC\"},"
	" \"filter\": {\"name\": {\"contain\": \"a\"}, \"status\": {\"in\": [\"ACTIVE\", \"INACTIVE\"]}}}",
	"{\"cursor\": \"$cursor\", \"limit\": 5, \"sort\": {\"orderBy\": \"NAME\", \"direction\": \"ASC\"},"
	" \"filter\": {\"name\": {\"contain\": \"a\"}, \"status\": {\"in\": [\"ACTIVE\", \"INACTIVE\"]}}}",
	"{\"cursor\": \"$cursor\", \"limit\": 3}",
	"{\"limit\": 3, \"sort\": {\"orderBy\": \"EMAIL\", \"direction\": \"DESC\"},"
	" \"filter\": {\"email\": {\"greaterThan\": \"a\", \"notEqual\": \"x@y.co\"}}}",
	"{\"limit\": 2, \"sort\": {\"orderBy\": \"CREATED_DATE_TIME\"},"
	" \"filter\": {\"createdDateTime\": {\"greaterThanEqual\": \"2023-11-07T05:31:56Z\"},"
	" \"updatedDateTime\": {\"lessThan\": \"2999-01-01T00:00:00Z\"}}}",
	"{\"limit\": 4, \"sort\": {\"orderBy\": \"BUSINESS_NAME\", \"direction\": \"DESC\"},"
	" \"filter\": {\"businessName\": {\"lessThanEqual\": \"z\"}, \"externalId\": {\"notIn\": [\"e1\"]},"
	" \"id\": {\"notIn\": [\"$customer\"]}, \"customData\": {\"contains\": {\"plan\": \"gold\"}}}}",
	"{\"limit\": 3, \"sort\": {\"orderBy\": \"UPDATED_DATE_TIME\", \"direction\": \"DESC\"},"
	" \"filter\": {\"status\": {\"equal\": \"ARCHIVED\"}}}",
	"{\"limit\": 2, \"sort\": {\"orderBy\": \"ID\"}, \"filter\": {\"classSegments\": {\"expand\": true,"
	" \"id\": {\"in\": [\"$segment\"]}}}}",
	"{\"limit\": 3, \"sort\": {\"orderBy\": \"STATUS\", \"direction\": \"DESC\"}}",
	/* and, or, not, and customData paths (docs/api.md §4.1) */
	"{\"limit\": 3, \"filter\": {\"or\": [{\"name\": {\"contain\": \"a\"}}, {\"not\": {\"and\":"
	" [{\"email\": {\"greaterThan\": \"a\"}}, {\"status\": {\"in\": [\"ARCHIVED\"]}}]}}]}}",
	"{\"limit\": 2, \"sort\": {\"orderBy\": \"EMAIL\"}, \"filter\": {\"customData\": {\"path\": [\"internal_key\"],"
	" \"equal\": \"some_internal_key\", \"exists\": true}, \"or\": [{\"customData\": {\"path\": [\"a\", \"b\"],"
	" \"in\": [1, \"x\", null, true]}}, {\"customData\": {\"path\": [\"some_other_field\"], \"greaterThan\": 5,"
	" \"lessThanEqual\": 1e5}}]}}",
	"{\"limit\": 2, \"filter\": {\"not\": {\"customData\": {\"path\": [\"since\"],"
	" \"greaterThanEqual\": \"2023-11-07T05:31:56Z\", \"contain\": \"T\", \"notIn\": [\"x\"],"
	" \"notEqual\": 5, \"contains\": {\"a\": [1]}}}}}",
	/* search and count (docs/api.md §4.1, §4.3) */
	"{\"limit\": 3, \"count\": true, \"filter\": {\"search\": \"Acme co\"}}",
	"{\"limit\": 2, \"sort\": {\"orderBy\": \"BUSINESS_NAME\", \"direction\": \"DESC\"}, \"count\": {\"upTo\": 5},"
	" \"filter\": {\"or\": [{\"search\": \"\xc3\x89" "cole m\xc3\xbc" "nchen\"}, {\"not\": {\"search\": \"cus_ 1\"}}]}}",
	"{\"cursor\": \"$cursor\", \"limit\": 2, \"count\": {\"upTo\": 10000}, \"filter\": {\"search\": \"a\"}}",
	"{}",
	/* the billing fields (issue 21) */
	"{\"limit\": 3, \"sort\": {\"orderBy\": \"CURRENCY\", \"direction\": \"DESC\"},"
	" \"filter\": {\"currency\": {\"in\": [\"eur\", \"CAD\"]}, \"address.countryCode\": {\"notEqual\": \"us\"}}}",
	"{\"cursor\": \"$cursor\", \"limit\": 2, \"sort\": {\"orderBy\": \"COUNTRY_CODE\"},"
	" \"filter\": {\"or\": [{\"taxIds.value\": {\"equal\": \"DE136695976\"}},"
	" {\"currency\": {\"notIn\": [\"USD\"]}}]}}",
	"{\"limit\": 2, \"filter\": {\"taxIds.value\": {\"in\": [\"GB980780684\", \"x\"]},"
	" \"address.countryCode\": {\"equal\": \"CAN\"}}}",
};

static const char *const label_seeds[] = {
	"{\"data\": [{\"id\": \"cll_fuzz_new\", \"name\": \"Region\", \"requiredness\": \"NOT_REQUIRED\"}]}",
	"{\"data\": [{\"id\": \"$label\", \"name\": \"Renamed\"}, {\"name\": \"Plain\", \"requiredness\": \"NOT_REQUIRED\"}]}",
};

static const char *const segment_seeds[] = {
	"{\"data\": [{\"id\": \"cls_fuzz_new\", \"label\": \"$label\", \"name\": \"Mid-Atlantic\"}]}",
	"{\"data\": [{\"id\": \"$segment\", \"label\": \"$label\", \"name\": \"Moved\", \"parent\": \"$segment\"},"
	" {\"label\": {\"id\": \"$label\"}, \"name\": \"Child\", \"parent\": {\"id\": \"$segment\"}}]}",
};

static const char *const segments_request_seeds[] = {
	"{}", "{\"label\": \"$label\"}",
};

/* seed 002: payment methods (with card data that must be refused) */
static const char *const payment_method_seeds[] = {
	"{\"type\": \"CARD\", \"isDefault\": true, \"card\": {\"brand\": \"visa\", \"last4\": \"4242\","
	" \"expMonth\": 12, \"expYear\": 2030}, \"billingDetails\": {\"name\": \"Acme Corp\"}}",
	"{\"type\": \"BANK_ACCOUNT\", \"bankAccount\": {\"bankName\": \"Chase\", \"last4\": \"6789\","
	" \"accountType\": \"CHECKING\"}}",
	"{\"id\": \"$method\", \"isDefault\": false, \"billingDetails\": {\"email\": \"b@acme.com\"}}",
	"{\"type\": \"CARD\", \"card\": {\"brand\": \"visa\", \"last4\": \"4242\", \"expMonth\": 1,"
	" \"expYear\": 2031, \"number\": \"4242 4242 4242 4242\", \"cvc\": \"123\"}}",
};

/* seed 002: customer users, canonical and aliased */
static const char *const user_seeds[] = {
	"{\"email\": \"user@acme.com\", \"firstName\": \"Jane\", \"lastName\": \"Smith\"}",
	"{\"email\": \"USER@acme.com\", \"first_name\": \"Jane\", \"last_name\": \"Smith\"}",
};

/* history and users: a page request */
static const char *const erase_option_seeds[] = {
	"{}", "{\"keepExternalId\": true}", "{\"keepExternalId\": false}", "{\"keepExternalId\": null}",
};

static const char *const page_seeds[] = {
	"{}", "{\"limit\": 2}", "{\"limit\": 1, \"cursor\": \"$cursor\"}",
};

/* events: a feed request */
static const char *const events_seeds[] = {
	"{}", "{\"limit\": 2}", "{\"limit\": 1, \"cursor\": \"$cursor\"}",
	"{\"types\": [\"customer.created\", \"payment_method.attached\"], \"limit\": 3}",
	"{\"objectId\": \"$customer\", \"cursor\": \"$cursor\"}",
};

/* ------------------------------------------------------------- functions */

typedef enum ArgKind
{
	ARG_CUSTOMER_ID,			/* text */
	ARG_SEGMENT_ID,				/* text */
	ARG_METHOD_ID,				/* text */
	ARG_SAVE,					/* jsonb requests, from the seeds */
	ARG_PATCH,
	ARG_QUERY,
	ARG_LABELS,
	ARG_SEGMENTS,
	ARG_SEGMENTS_REQUEST,
	ARG_PAYMENT_METHOD,
	ARG_USER,
	ARG_PAGE,
	ARG_ERASE_OPTIONS,
	ARG_EVENTS,
} ArgKind;

/* Whether an argument is text (an id) rather than jsonb */
#define IS_TEXT_ARG(kind) ((kind) == ARG_CUSTOMER_ID || (kind) == ARG_SEGMENT_ID || (kind) == ARG_METHOD_ID)

#define MAX_ARGS 4

/* What a successful call may change */
typedef enum Effect
{
	READS,						/* nothing */
	WRITES,						/* anything of its tenant */
	BATCH,						/* the rows of its successful items (a save envelope) */
} Effect;

/* A function under test: its arguments and the SQLSTATEs it documents */
typedef struct FuzzFunction
{
	const char *name;
	int			nargs;
	ArgKind		args[MAX_ARGS];
	Effect		effect;
	const char *sqlstates;		/* space-separated, besides the common ones */
} FuzzFunction;

static const FuzzFunction functions[] = {
	{"customers.save", 1, {ARG_SAVE}, BATCH, ""},
	{"customers.query", 1, {ARG_QUERY}, READS, ""},
	{"customers.get", 1, {ARG_CUSTOMER_ID}, READS, ""},
	{"customers.patch", 2, {ARG_CUSTOMER_ID, ARG_PATCH}, WRITES, "P0002 40001 23505"},
	{"customers.archive", 1, {ARG_CUSTOMER_ID}, WRITES, "P0002"},
	{"customers.restore", 1, {ARG_CUSTOMER_ID}, WRITES, "P0002"},
	{"customers.save_class_labels", 1, {ARG_LABELS}, BATCH, ""},
	{"customers.save_class_segments", 1, {ARG_SEGMENTS}, BATCH, "40001"},
	{"customers.class_segments", 1, {ARG_SEGMENTS_REQUEST}, READS, "P0002"},
	{"customers.delete_class_segment", 1, {ARG_SEGMENT_ID}, WRITES, "P0002 2BP01"},
	{"customers.current_tenant", 0, {0}, READS, ""},
	{"customers.history", 2, {ARG_CUSTOMER_ID, ARG_PAGE}, READS, "P0002"},
	{"customers.save_payment_method", 2, {ARG_CUSTOMER_ID, ARG_PAYMENT_METHOD}, WRITES, "P0002 55000"},
	{"customers.payment_methods", 1, {ARG_CUSTOMER_ID}, READS, "P0002"},
	{"customers.payment_method", 2, {ARG_CUSTOMER_ID, ARG_METHOD_ID}, READS, "P0002"},
	{"customers.detach_payment_method", 2, {ARG_CUSTOMER_ID, ARG_METHOD_ID}, WRITES, "P0002"},
	{"customers.create_user", 2, {ARG_CUSTOMER_ID, ARG_USER}, WRITES, "P0002 23505 55000"},
	{"customers.users", 2, {ARG_CUSTOMER_ID, ARG_PAGE}, READS, "P0002"},
	{"customers.delete", 1, {ARG_CUSTOMER_ID}, WRITES, "P0002"},
	{"customers.erase", 2, {ARG_CUSTOMER_ID, ARG_ERASE_OPTIONS}, WRITES, "P0002"},
	{"customers.events", 1, {ARG_EVENTS}, READS, "72000"},
};

#define NFUNCTIONS ((int) (sizeof(functions) / sizeof(functions[0])))

static long function_calls[NFUNCTIONS];

/*
 * Every function may raise these: 22023 (invalid request) and PostgreSQL's
 * own limits on a value nested too deeply (54001) or too large (54000).
 */
#define COMMON_SQLSTATES "22023 54001 54000"

/* what a writing call under an idempotency key may also raise: a key used for another request */
#define KEYED_SQLSTATES "CU001"

/*
 * PostgreSQL refuses an argument that is not valid JSON (or not valid
 * UTF-8) before the function runs; these are the SQLSTATEs of that.
 */
#define INPUT_SQLSTATES "22P02 22P05 22003 22021 54001 54000"

static const char *const *
SeedsFor(ArgKind kind, int *n)
{
#define SEEDS(list) (*n = (int) (sizeof(list) / sizeof(list[0])), list)
	switch (kind)
	{
		case ARG_SAVE:
			return SEEDS(save_seeds);
		case ARG_PATCH:
			return SEEDS(patch_seeds);
		case ARG_QUERY:
			return SEEDS(query_seeds);
		case ARG_LABELS:
			return SEEDS(label_seeds);
		case ARG_SEGMENTS:
			return SEEDS(segment_seeds);
		case ARG_SEGMENTS_REQUEST:
			return SEEDS(segments_request_seeds);
		case ARG_PAYMENT_METHOD:
			return SEEDS(payment_method_seeds);
		case ARG_USER:
			return SEEDS(user_seeds);
		case ARG_PAGE:
			return SEEDS(page_seeds);
		case ARG_ERASE_OPTIONS:
			return SEEDS(erase_option_seeds);
		case ARG_EVENTS:
			return SEEDS(events_seeds);
		default:
			*n = 0;
			return NULL;
	}
#undef SEEDS
}

/* Replace the "$customer" style placeholders with values from the pools */
static void
FillPlaceholders(J *j)
{
	if (j->type == J_STRING && j->len > 1 && j->text[0] == '$')
	{
		const char *v = NULL;

		if (IsString(j, "$customer"))
			v = Rnd(10) ? PoolPick(&customer_ids, "cus_none") : PoolPick(&other_customer_ids, "cus_none");
		else if (IsString(j, "$segment"))
			v = PoolPick(&segment_ids, "cls_none");
		else if (IsString(j, "$label"))
			v = PoolPick(&label_ids, "cll_none");
		else if (IsString(j, "$method"))
			v = PoolPick(&method_ids, "pm_none");
		else if (IsString(j, "$cursor"))
			v = Rnd(10) ? PoolPick(&cursors, "AAAA") : PoolPick(&other_cursors, "AAAA");
		if (v != NULL)
		{
			j->text = Strdup(v);
			j->len = strlen(v);
		}
	}
	for (int i = 0; i < j->n; i++)
		FillPlaceholders(j->items[i]);
}

/* A cursor token, changed a little or a lot */
static J   *
MutatedCursor(void)
{
	const char *base = PoolPick(Rnd(4) ? &cursors : &other_cursors, "AAAA");
	size_t		len = strlen(base);
	char	   *s = Alloc(len + 8);

	memcpy(s, base, len + 1);
	switch (Rnd(6))
	{
		case 0:
			if (len)
				s[Rnd((int) len)] ^= 1; /* one bit */
			break;
		case 1:
			s[len ? Rnd((int) len) : 0] = '\0';	/* truncated */
			break;
		case 2:
			strcat(s, Rnd(2) ? "A" : "==");
			break;
		case 3:
			if (len)
				s[Rnd((int) len)] = "+/=.~ "[Rnd(6)];
			break;
		case 4:
			return RepeatedString(Rnd(2) ? 4097 : 4 * (1 + Rnd(200)), "AbC_-9");
		default:
			return RandomString();
	}
	return StringJ(s, strlen(s));
}

/* One jsonb argument, as text; NULL for SQL NULL */
static char *
JsonArgument(ArgKind kind, int *text_mutated)
{
	int			nseeds;
	const char *const *seeds = SeedsFor(kind, &nseeds);
	J		   *j;
	Buf			b = {0};
	char	   *out;
	int			ok;

	*text_mutated = 0;
	if (Chance(15))
		return NULL;
	if (Chance(80) || nseeds == 0)
		j = RandomValue(0);
	else
	{
		int			mutations;
		const char *seed = seeds[Rnd(nseeds)];

		j = ParseJson(seed, strlen(seed), &ok);
		if (!ok)
		{
			fprintf(stderr, "fuzz: invalid seed: %s\n", seed);
			exit(2);
		}
		FillPlaceholders(j);
		if (kind == ARG_QUERY && Chance(300))
		{
			if (j->type == J_OBJECT)
			{
				AddItem(j, TextJ(J_STRING, "cursor"), MutatedCursor());
				call_extremes[ALTERED_CURSOR] = 1;
			}
		}
		mutations = Chance(150) ? 0 : 1 + Rnd(Chance(200) ? 8 : 3);
		for (int i = 0; i < mutations; i++)
			Mutate(&j);
	}
	Serialize(&b, j);
	if (Chance(30))
	{
		MutateText(&b);
		call_extremes[DAMAGED_TEXT] = 1;
		*text_mutated = 1;
	}
	out = Strndup(b.data, b.len);
	free(b.data);
	return out;
}

/*
 * The idempotency key of a writing call: none (''), one of a few keys that
 * calls share (so retries with the same and with other requests happen),
 * a random string, or one past the 255-character limit
 */
static char *
IdempotencyKey(void)
{
	char	   *key;

	switch (Rnd(8))
	{
		case 0:
		case 1:
		case 2:
			return Strdup("");
		case 3:
		case 4:
		case 5:
			key = Alloc(16);
			snprintf(key, 16, "fuzz-key-%d", Rnd(4));
			return key;
		case 6:
			{
				J		   *s = RandomString();

				/* a key holds no NUL: the setting is a C string */
				return Strndup(s->text, strnlen(s->text, s->len));
			}
		default:
			key = Alloc(300);
			memset(key, 'k', 299);
			key[256 + Rnd(43)] = '\0';
			return key;
	}
}

/* One text argument (an id); NULL for SQL NULL */
static char *
TextArgument(ArgKind kind)
{
	Pool	   *pool = kind == ARG_SEGMENT_ID ? &segment_ids :
		kind == ARG_METHOD_ID ? &method_ids : &customer_ids;
	J		   *s;

	if (Chance(20))
		return NULL;
	/* a customer also by its externalId (docs/api.md §3.6), or a malformed reference */
	switch (Rnd(kind == ARG_CUSTOMER_ID ? 8 : 6))
	{
		case 6:
			{
				char	   *ref = Alloc(64);

				snprintf(ref, 64, "{\"externalId\": \"ext-fuzz-%d\"}", 1 + Rnd(3));
				return ref;
			}
		case 7:
			{
				Buf			b = {0};
				char	   *out;

				if (Rnd(2))
				{
					s = MutateString(TextJ(J_STRING, "{\"externalId\": \"ext-fuzz-1\"}"));
					return Strndup(s->text, s->len);
				}
				Serialize(&b, RandomValue(0));
				out = Strndup(b.data, b.len);
				free(b.data);
				return out;
			}
		case 0:
		case 1:
		case 2:
			return Strdup(PoolPick(pool, "cus_none"));
		case 3:
			return Strdup(PoolPick(&other_customer_ids, "cus_none"));
		case 4:
			s = MutateString(TextJ(J_STRING, PoolPick(pool, "cus_none")));
			return Strndup(s->text, s->len);
		default:
			s = RandomString();
			return Strndup(s->text, s->len);
	}
}

/* ------------------------------------------------------------- the server */

static PGconn *conn;
static const char *out_dir = ".";
static int	failures = 0;
static long call_number = 0;
static uint64_t seed;

/* How calls ended: "ok", "all items failed", a SQLSTATE, "input 22P02" */
typedef struct Outcome
{
	char		name[32];
	long		n;
} Outcome;

static Outcome outcomes[64];
static int	noutcomes = 0;

static void
CountOutcome(const char *name)
{
	for (int i = 0; i < noutcomes; i++)
		if (strcmp(outcomes[i].name, name) == 0)
		{
			outcomes[i].n++;
			return;
		}
	if (noutcomes < (int) (sizeof(outcomes) / sizeof(outcomes[0])))
	{
		snprintf(outcomes[noutcomes].name, sizeof(outcomes[0].name), "%s", name);
		outcomes[noutcomes++].n = 1;
	}
}

/* Run a statement that must succeed */
static PGresult *
Exec(const char *sql)
{
	PGresult   *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
	{
		fprintf(stderr, "fuzz: \"%s\" failed: %s", sql, PQerrorMessage(conn));
		if (PQstatus(conn) == CONNECTION_BAD)
			fprintf(stderr, "FUZZ FAILURE: the server closed the connection (crash?) after call %ld\n",
					call_number);
		exit(1);
	}
	return res;
}

/* ------------------------------------------------------ a call's cost */

static double
Now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int	backend_pid;

/* What one call cost the backend */
typedef struct Cost
{
	double		cpu;			/* seconds of CPU time */
	double		wall;			/* seconds, as the client saw them */
	long		memory;			/* bytes of private memory grown, at the peak */
	long		bound;			/* the memory bound of this call */
	double		cpu_limit;		/* its CPU time limit, seconds */
	char		args[160];		/* the start of its arguments */
	long		call;
	const char *function;
} Cost;

#define NSLOWEST 5
static Cost slowest[NSLOWEST];	/* by CPU time, over the run */
static Cost hungriest[NSLOWEST];	/* by memory grown, over the run */

/* Read a file of /proc/<backend> into buf; 0 when it cannot be read */
static int
ReadProc(const char *name, char *buf, size_t size)
{
	char		path[64];
	FILE	   *f;
	size_t		n;

	snprintf(path, sizeof(path), "/proc/%d/%s", backend_pid, name);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n > 0;
}

/* The backend's CPU time so far, in seconds (schedstat: nanoseconds on the CPU) */
static double
BackendCpu(void)
{
	char		buf[256];

	if (!ReadProc("schedstat", buf, sizeof(buf)))
	{
		fprintf(stderr, "fuzz: cannot read /proc/%d/schedstat: the fuzzer must run on the server's machine\n",
				backend_pid);
		exit(2);
	}
	return strtod(buf, NULL) / 1e9;
}

/* The backend's private (anonymous) resident memory in bytes: statm's resident minus shared */
static long
BackendMemory(void)
{
	char		buf[256];
	long		size,
				resident,
				shared;

	if (!ReadProc("statm", buf, sizeof(buf)) || sscanf(buf, "%ld %ld %ld", &size, &resident, &shared) != 3)
	{
		fprintf(stderr, "fuzz: cannot read /proc/%d/statm: the fuzzer must run on the server's machine\n",
				backend_pid);
		exit(2);
	}
	return (resident - shared) * sysconf(_SC_PAGESIZE);
}

/* Keep cost among the NSLOWEST largest of list by key */
static void
KeepLargest(Cost *list, const Cost *cost, int by_memory)
{
	int			i = NSLOWEST;

	while (i > 0 && (by_memory ? cost->memory > list[i - 1].memory : cost->cpu > list[i - 1].cpu))
		i--;
	if (i == NSLOWEST)
		return;
	memmove(&list[i + 1], &list[i], sizeof(Cost) * (NSLOWEST - 1 - i));
	list[i] = *cost;
}

/*
 * Run one call and measure it: the backend's CPU time before and after, and
 * its private memory sampled every millisecond while the call runs (a call
 * cannot touch much memory in a millisecond). Returns the call's result, or
 * NULL when the connection broke.
 */
static PGresult *
MeasuredCall(const char *sql, int nparams, const char *const *params, Cost *cost)
{
	double		cpu = BackendCpu(),
				start = Now();
	long		before = BackendMemory(),
				peak = before;
	PGresult   *res,
			   *extra;

	if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0))
		return NULL;
	while (PQisBusy(conn))
	{
		struct pollfd pfd = {PQsocket(conn), POLLIN, 0};
		long		now;

		if (poll(&pfd, 1, 1) < 0 && errno != EINTR)
			break;
		if (!PQconsumeInput(conn))
			break;
		now = BackendMemory();
		peak = now > peak ? now : peak;
	}
	res = PQgetResult(conn);
	while ((extra = PQgetResult(conn)) != NULL)
		PQclear(extra);
	cost->wall = Now() - start;
	cost->cpu = BackendCpu() - cpu;
	{
		long		after = BackendMemory();

		peak = after > peak ? after : peak;
	}
	cost->memory = peak - before;
	return res;
}

/*
 * Every row of every tenant as (owner, row version): the owner is the tenant
 * and the object the row belongs to, the version the row's ctid, which any
 * write changes (setup.sql).
 */
#define SNAPSHOT_SQL "SELECT owner, version FROM public.fuzz_snapshot()"

typedef struct Snapshot
{
	int			n;
	char	  **owner;
	char	  **hash;
	char	   *digest;			/* all rows in one string, to compare fast */
} Snapshot;

static void
FreeSnapshot(Snapshot *s)
{
	for (int i = 0; i < s->n; i++)
	{
		free(s->owner[i]);
		free(s->hash[i]);
	}
	free(s->owner);
	free(s->hash);
	free(s->digest);
	memset(s, 0, sizeof(Snapshot));
}

/* Run prefix (statements, may be "") and take a snapshot, in one round trip */
static void
TakeSnapshot(const char *prefix, Snapshot *s)
{
	Buf			sql = {0};
	PGresult   *res;
	Buf			all = {0};

	BufPuts(&sql, prefix);
	BufPuts(&sql, SNAPSHOT_SQL);
	res = Exec(sql.data);
	free(sql.data);

	FreeSnapshot(s);
	s->n = PQntuples(res);
	s->owner = malloc(sizeof(char *) * (s->n + 1));
	s->hash = malloc(sizeof(char *) * (s->n + 1));
	for (int i = 0; i < s->n; i++)
	{
		s->owner[i] = strdup(PQgetvalue(res, i, 0));
		s->hash[i] = strdup(PQgetvalue(res, i, 1));
		BufPuts(&all, s->owner[i]);
		BufPuts(&all, s->hash[i]);
	}
	s->digest = all.data ? all.data : strdup("");
	PQclear(res);
}

/* Whether owner is one of the successful items' owners */
static int
AllowedOwner(const char *owner, char **allowed, int nallowed)
{
	for (int i = 0; i < nallowed; i++)
		if (strcmp(owner, allowed[i]) == 0)
			return 1;
	return 0;
}

/*
 * The first row that differs between before and after and whose owner is
 * not allowed to change, or NULL.
 */
static const char *
ForbiddenChange(const Snapshot *before, const Snapshot *after, char **allowed, int nallowed)
{
	int			i = 0,
				k = 0;

	while (i < before->n || k < after->n)
	{
		int			cmp;

		if (i == before->n)
			cmp = 1;
		else if (k == after->n)
			cmp = -1;
		else
		{
			cmp = strcmp(before->owner[i], after->owner[k]);
			if (cmp == 0)
				cmp = strcmp(before->hash[i], after->hash[k]);
		}
		if (cmp == 0)
		{
			i++, k++;
			continue;
		}
		if (cmp < 0)
		{
			if (!AllowedOwner(before->owner[i], allowed, nallowed))
				return before->owner[i];
			i++;
		}
		else
		{
			if (!AllowedOwner(after->owner[k], allowed, nallowed))
				return after->owner[k];
			k++;
		}
	}
	return NULL;
}

/* Whether sqlstate is in a space-separated list */
static int
InList(const char *list, const char *sqlstate)
{
	size_t		n = strlen(sqlstate);

	for (const char *p = list; (p = strstr(p, sqlstate)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Report a failed property, with the call written out to reproduce it */
static void
Failure(const FuzzFunction *f, char **args, const char *what, const char *detail)
{
	char		path[4096];
	FILE	   *out;

	failures++;
	fprintf(stderr, "FUZZ FAILURE %d (call %ld, seed %llu): %s: %s\n  SELECT %s(",
			failures, call_number, (unsigned long long) seed, what, detail ? detail : "", f->name);
	for (int i = 0; i < f->nargs; i++)
	{
		if (args[i] == NULL)
			fprintf(stderr, "%sNULL", i ? ", " : "");
		else
			fprintf(stderr, "%s'%.300s%s'", i ? ", " : "", args[i], strlen(args[i]) > 300 ? "…" : "");
	}
	fprintf(stderr, ")\n");

	snprintf(path, sizeof(path), "%s/fuzz-failure-%d.sql", out_dir, failures);
	out = fopen(path, "w");
	if (out != NULL)
	{
		fprintf(out, "-- %s: %s\nSET customers.tenant_id = '" TENANT "';\nSELECT %s(",
				what, detail ? detail : "", f->name);
		for (int i = 0; i < f->nargs; i++)
		{
			if (args[i] == NULL)
				fprintf(out, "%sNULL", i ? ", " : "");
			else
				fprintf(out, "%s$fuzz_%d$%s$fuzz_%d$", i ? ", " : "", failures, args[i], failures);
		}
		fprintf(out, ");\n");
		fclose(out);
		fprintf(stderr, "  written to %s\n", path);
	}
	if (failures >= MAX_FAILURES)
	{
		fprintf(stderr, "fuzz: stopping after %d failures\n", failures);
		exit(1);
	}
}

/* Collect cursors and ids from a successful response */
static void
Harvest(const J *response)
{
	J		   *cursor = Member(response, "cursor");
	J		   *data = Member(response, "data");
	const char *keys[] = {"after", "before"};

	for (int i = 0; i < 2; i++)
	{
		J		   *c = Member(cursor, keys[i]);

		if (c != NULL && c->type == J_STRING)
			PoolAdd(&cursors, c->text, c->len);
	}
	{
		J		   *id = Member(response, "id");

		if (id != NULL && id->type == J_STRING && id->len > 3 && memcmp(id->text, "pm_", 3) == 0)
			PoolAdd(&method_ids, id->text, id->len);
	}
	if (data != NULL && data->type == J_ARRAY)
		for (int i = 0; i < data->n && i < 3; i++)
		{
			J		   *id = Member(data->items[i], "id");

			if (id == NULL)
				id = Member(Member(data->items[i], "data"), "id");
			if (id != NULL && id->type == J_STRING && id->len > 4)
			{
				if (memcmp(id->text, "cus_", 4) == 0)
					PoolAdd(&customer_ids, id->text, id->len);
				else if (memcmp(id->text, "cls_", 4) == 0)
					PoolAdd(&segment_ids, id->text, id->len);
				else if (memcmp(id->text, "cll_", 4) == 0)
					PoolAdd(&label_ids, id->text, id->len);
				else if (memcmp(id->text, "pm_", 3) == 0)
					PoolAdd(&method_ids, id->text, id->len);
			}
		}
}

/*
 * Check a batch envelope: its shape, and which owners its successful items
 * may have changed. Returns the number of items, or -1 after a failure.
 */
static int
CheckEnvelope(const FuzzFunction *f, char **args, const J *env, char ***allowed, int *nsucceeded)
{
	J		   *data = Member(env, "data");
	J		   *errors = Member(env, "error");
	int			any_failed = 0;
	const char *prefix = strcmp(f->name, "customers.save") == 0 ? TENANT "/customer:" :
		strcmp(f->name, "customers.save_class_labels") == 0 ? TENANT "/class_label:" :
		TENANT "/class_segment:";

	*nsucceeded = 0;
	if (data == NULL || data->type != J_ARRAY || errors == NULL || errors->type != J_ARRAY ||
		(!IsString(Member(env, "result"), "SUCCESS") && !IsString(Member(env, "result"), "FAILURE")))
	{
		Failure(f, args, "malformed envelope", NULL);
		return -1;
	}
	*allowed = Alloc(sizeof(char *) * (data->n + 1));
	for (int i = 0; i < data->n; i++)
	{
		J		   *item = data->items[i];
		J		   *status = Member(item, "statusCode");
		J		   *id = Member(Member(item, "data"), "id");

		if (status == NULL || status->type != J_NUMBER ||
			(strcmp(status->text, "200") != 0 && strcmp(status->text, "400") != 0 &&
			 strcmp(status->text, "409") != 0))
		{
			Failure(f, args, "item status is not 200, 400 or 409", status ? status->text : "missing");
			return -1;
		}
		if (strcmp(status->text, "200") == 0)
		{
			if (id == NULL || id->type != J_STRING)
			{
				Failure(f, args, "successful item without an id", NULL);
				return -1;
			}
			char	   *owner = Alloc(strlen(prefix) + id->len + 1);

			memcpy(owner, prefix, strlen(prefix));
			memcpy(owner + strlen(prefix), id->text, id->len);
			owner[strlen(prefix) + id->len] = '\0';
			(*allowed)[(*nsucceeded)++] = owner;
		}
		else
		{
			J		   *item_errors = Member(item, "error");

			any_failed = 1;
			if (item_errors == NULL || item_errors->type != J_ARRAY || item_errors->n == 0 ||
				!IsString(Member(item, "result"), "FAILURE"))
			{
				Failure(f, args, "failed item without errors", NULL);
				return -1;
			}
		}
	}
	if (IsString(Member(env, "result"), "FAILURE") != any_failed)
	{
		Failure(f, args, "envelope result disagrees with its items", NULL);
		return -1;
	}
	return data->n;
}

/* The deepest nesting of arrays and objects in JSON text (strings skipped) */
static int
NestingDepth(const char *text)
{
	int			depth = 0,
				deepest = 0,
				in_string = 0;

	for (const char *p = text; *p; p++)
	{
		if (in_string)
		{
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_string = 0;
		}
		else if (*p == '"')
			in_string = 1;
		else if (*p == '[' || *p == '{')
			deepest = ++depth > deepest ? depth : deepest;
		else if (*p == ']' || *p == '}')
			depth--;
	}
	return deepest;
}

/* Count what the arguments of this call held */
static void
CountExtremes(const FuzzFunction *f, char **args)
{
	for (int i = 0; i < f->nargs; i++)
	{
		if (args[i] == NULL)
			continue;
		if (strlen(args[i]) >= HUGE_STRING_BYTES)
			call_extremes[HUGE_STRING] = 1;
		if (!IS_TEXT_ARG(f->args[i]) && NestingDepth(args[i]) >= DEEP_NESTING)
			call_extremes[DEEP_NESTING_VALUE] = 1;
	}
	for (int e = 0; e < NUM_EXTREMES; e++)
		extreme_calls[e] += call_extremes[e];
}

/*
 * The limits of issue 15: at most CPU_LIMIT_SECONDS of the backend's CPU
 * time plus CPU_PER_MB for each MB of arguments, and private memory grown
 * by at most MEMORY_BASE plus MEMORY_FACTOR times the call's arguments and
 * response.
 */
static void
CheckCost(const FuzzFunction *f, char **args, PGresult *res, Cost *cost, const char *sql, int nparams)
{
	long		input = 0;
	char		detail[256];

	/* the arguments and the idempotency key after them */
	for (int i = 0; i < f->nargs + (f->effect != READS); i++)
		input += args[i] != NULL ? (long) strlen(args[i]) : 0;
	cost->bound = MEMORY_BASE + MEMORY_FACTOR *
		(input + (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 ? PQgetlength(res, 0, 0) : 0));
	cost->cpu_limit = CPU_LIMIT_SECONDS + CPU_PER_MB * input / (1024.0 * 1024);
	cost->call = call_number;
	cost->function = f->name;
	snprintf(cost->args, sizeof(cost->args), "%s%s%s", args[0] ? args[0] : "NULL",
			 f->nargs > 1 ? ", " : "", f->nargs > 1 ? (args[1] ? args[1] : "NULL") : "");

	/*
	 * A successful reading call over its limit is made once more at once,
	 * and its faster run counts: the first may have read the pages it needed
	 * from the page cache, which costs CPU time too, and reading calls change
	 * nothing, so the second does the same work.
	 */
	if (cost->cpu > cost->cpu_limit && f->effect == READS && PQresultStatus(res) == PGRES_TUPLES_OK)
	{
		Cost		again = {0};
		PGresult   *repeat = MeasuredCall(sql, nparams, (const char *const *) args, &again);

		if (PQresultStatus(repeat) == PGRES_TUPLES_OK && again.cpu < cost->cpu)
		{
			cost->cpu = again.cpu;
			cost->wall = again.wall;
		}
		PQclear(repeat);
	}
	KeepLargest(slowest, cost, 0);
	KeepLargest(hungriest, cost, 1);
	snprintf(detail, sizeof(detail), "%.0f ms of CPU time (limit %.0f ms; %.0f ms wall), memory grown %ld kB (bound %ld kB)",
			 cost->cpu * 1000, cost->cpu_limit * 1000, cost->wall * 1000, cost->memory / 1024, cost->bound / 1024);
	if (cost->cpu > cost->cpu_limit)
		Failure(f, args, "the call took over its CPU time limit", detail);
	if (cost->memory > cost->bound)
		Failure(f, args, "the call grew backend memory past its bound", detail);
}

/* Make one call and check everything about it */
static void
OneCall(Snapshot *baseline)
{
	const FuzzFunction *f = &functions[Rnd(NFUNCTIONS)];
	char	   *args[MAX_ARGS] = {0};
	int			text_mutated = 0;
	Buf			sql = {0};

	PGresult   *res;
	ExecStatusType st;
	Snapshot	after = {0};
	Cost		cost = {0};

	memset(call_extremes, 0, sizeof(call_extremes));
	for (int i = 0; i < f->nargs; i++)
	{
		if (IS_TEXT_ARG(f->args[i]))
			args[i] = TextArgument(f->args[i]);
		else
		{
			int			mutated;

			args[i] = JsonArgument(f->args[i], &mutated);
			text_mutated |= mutated;
		}
	}
	BufPrintf(&sql, "SELECT %s(", f->name);
	for (int i = 0; i < f->nargs; i++)
		BufPrintf(&sql, "%s$%d::%s", i ? ", " : "", i + 1,
				  IS_TEXT_ARG(f->args[i]) ? "text" : "jsonb");
	BufPuts(&sql, ")");
	/* a writing call runs under an idempotency key or none (docs/api.md §3.8) */
	if (f->effect != READS)
	{
		args[f->nargs] = IdempotencyKey();
		BufPrintf(&sql, " FROM pg_catalog.set_config('customers.idempotency_key', $%d, false) AS k",
				  f->nargs + 1);
	}

	call_number++;
	function_calls[f - functions]++;
	CountExtremes(f, args);
	res = MeasuredCall(sql.data, f->nargs + (f->effect != READS), (const char *const *) args, &cost);
	st = PQresultStatus(res);

	if (res == NULL || PQstatus(conn) == CONNECTION_BAD)
	{
		Failure(f, args, "the server closed the connection (crash?)", PQerrorMessage(conn));
		exit(1);
	}
	CheckCost(f, args, res, &cost, sql.data, f->nargs + (f->effect != READS));
	free(sql.data);
	if (st == PGRES_FATAL_ERROR)
	{
		const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		const char *context = PQresultErrorField(res, PG_DIAG_CONTEXT);
		const char *message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		int			at_input = context != NULL && strstr(context, "portal parameter $") != NULL;
		char		detail[512];
		char		outcome[32];

		if (sqlstate == NULL)
			sqlstate = "";
		snprintf(detail, sizeof(detail), "%s %.400s", sqlstate, message ? message : "");
		snprintf(outcome, sizeof(outcome), "%s%s", at_input ? "refused as input " : "error ", sqlstate);
		CountOutcome(outcome);
		if (at_input ? !InList(INPUT_SQLSTATES, sqlstate) :
			!InList(COMMON_SQLSTATES, sqlstate) && !InList(f->sqlstates, sqlstate) &&
			!(f->effect != READS && InList(KEYED_SQLSTATES, sqlstate)))
			Failure(f, args, at_input ? "undocumented SQLSTATE for invalid input" :
					"undocumented SQLSTATE", detail);
		TakeSnapshot("ROLLBACK TO SAVEPOINT fuzz_call;", &after);
		if (strcmp(after.digest, baseline->digest) != 0)
			Failure(f, args, "a failed call changed rows", detail);
		FreeSnapshot(&after);
		PQclear(res);
		return;
	}
	if (st != PGRES_TUPLES_OK)
	{
		Failure(f, args, "unexpected result status", PQresStatus(st));
		PQclear(res);
		PQclear(Exec("ROLLBACK TO SAVEPOINT fuzz_call"));
		return;
	}

	/* the savepoint of the next call, and the rows after this one */
	TakeSnapshot("RELEASE SAVEPOINT fuzz_call; SAVEPOINT fuzz_call;", &after);
	if (f->effect == READS && strcmp(after.digest, baseline->digest) != 0)
		Failure(f, args, "a reading call changed rows", NULL);
	if (PQgetisnull(res, 0, 0))
		CountOutcome("success (NULL)");
	else if (strcmp(f->name, "customers.current_tenant") == 0)
		CountOutcome(strcmp(PQgetvalue(res, 0, 0), TENANT) == 0 ? "success" : "wrong tenant");
	else
	{
		const char *text = PQgetvalue(res, 0, 0);
		int			ok = 1;
		J		   *response = ParseJson(text, strlen(text), &ok);

		if (!ok)
			Failure(f, args, "the response is not JSON", NULL);
		else if (f->effect != BATCH)
		{
			Harvest(response);
			CountOutcome("success");
		}
		else
		{
			char	  **allowed = NULL;
			int			nsucceeded;
			const char *changed;

			Harvest(response);
			if (CheckEnvelope(f, args, response, &allowed, &nsucceeded) >= 0)
			{
				CountOutcome(nsucceeded == 0 ? "envelope, every item failed" :
							 IsString(Member(response, "result"), "FAILURE") ?
							 "envelope, some items failed" : "envelope, success");
				/* a segment moves its subtree: only wholly failed segment batches are checked */
				if (nsucceeded == 0 || strcmp(f->name, "customers.save") == 0)
				{
					changed = ForbiddenChange(baseline, &after, allowed, nsucceeded);
					if (changed != NULL)
						Failure(f, args, "a failed item changed rows", changed);
				}
			}
		}
	}
	FreeSnapshot(baseline);
	*baseline = after;
	PQclear(res);
}

/* Ids and cursors of the fixture, in both tenants */
static void
FillPools(void)
{
	PGresult   *res;

	PQclear(Exec("SET customers.tenant_id = '" OTHER_TENANT "'"));
	res = Exec("SELECT id FROM customers.customer ORDER BY id");
	for (int i = 0; i < PQntuples(res); i++)
		PoolAdd(&other_customer_ids, PQgetvalue(res, i, 0), strlen(PQgetvalue(res, i, 0)));
	PQclear(res);
	res = Exec("SELECT customers.query('{\"limit\": 2}') -> 'cursor' ->> 'after'");
	if (!PQgetisnull(res, 0, 0))
		PoolAdd(&other_cursors, PQgetvalue(res, 0, 0), strlen(PQgetvalue(res, 0, 0)));
	PQclear(res);

	PQclear(Exec("SET customers.tenant_id = '" TENANT "'"));
	res = Exec("SELECT id FROM customers.customer UNION ALL SELECT id FROM customers.class_segment"
			   " UNION ALL SELECT id FROM customers.class_label"
			   " UNION ALL SELECT id FROM customers.payment_method ORDER BY 1");
	for (int i = 0; i < PQntuples(res); i++)
	{
		const char *id = PQgetvalue(res, i, 0);

		PoolAdd(strncmp(id, "cus_", 4) == 0 ? &customer_ids :
				strncmp(id, "cls_", 4) == 0 ? &segment_ids :
				strncmp(id, "pm_", 3) == 0 ? &method_ids : &label_ids, id, strlen(id));
	}
	PQclear(res);
	customer_ids.fixture = customer_ids.n;
	segment_ids.fixture = segment_ids.n;
	label_ids.fixture = label_ids.n;
	method_ids.fixture = method_ids.n;
	if (customer_ids.n == 0 || other_customer_ids.n == 0 || segment_ids.n == 0)
	{
		fprintf(stderr, "fuzz: the fixture is missing (run test/fuzz/setup.sql first)\n");
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	double		seconds = 60;
	long		min_calls = 50000;
	const char *conninfo = NULL;
	double		start;
	Snapshot	baseline = {0};
	Snapshot	initial = {0};
	long		rounds = 0;

	seed = (uint64_t) time(NULL) ^ ((uint64_t) getpid() << 16);
	for (int i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--min-calls") == 0 && i + 1 < argc)
			min_calls = atol(argv[++i]);
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out_dir = argv[++i];
		else
			conninfo = argv[i];
	}
	if (conninfo == NULL)
	{
		fprintf(stderr, "usage: fuzz [--seconds N] [--seed N] [--min-calls N] [--out DIR] CONNINFO\n");
		return 2;
	}
	rng_state = seed;
	printf("fuzz: seed %llu, at least %.0f s and %ld calls, at most %.0f s (reproduce with --seed %llu)\n",
		   (unsigned long long) seed, seconds, min_calls, MAX_SECONDS_FACTOR * seconds, (unsigned long long) seed);
	fflush(stdout);

	conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "fuzz: could not connect: %s", PQerrorMessage(conn));
		return 2;
	}
	backend_pid = PQbackendPID(conn);
	/* a call that takes this long is a hang: 57014 is not documented */
	PQclear(Exec("SET statement_timeout = '30s'"));
	FillPools();
	TakeSnapshot("", &initial);

	start = Now();
	/* at least --seconds and --min-calls, but never more than MAX_SECONDS_FACTOR times --seconds */
	while ((Now() - start < seconds || call_number < min_calls) &&
		   Now() - start < MAX_SECONDS_FACTOR * seconds)
	{
		TakeSnapshot("BEGIN; SAVEPOINT fuzz_call;", &baseline);
		if (strcmp(baseline.digest, initial.digest) != 0)
		{
			fprintf(stderr, "FUZZ FAILURE: the fixture changed between rounds\n");
			return 1;
		}
		for (int i = 0; i < CALLS_PER_ROUND; i++)
		{
			OneCall(&baseline);
			ResetArena();
		}
		PQclear(Exec("ROLLBACK"));
		PoolRollback(&customer_ids);
		PoolRollback(&segment_ids);
		PoolRollback(&label_ids);
		PoolRollback(&method_ids);
		rounds++;
	}

	{
		double		elapsed = Now() - start;

		printf("fuzz: %ld calls in %.1f s (%.0f/s), %ld rounds rolled back\n",
			   call_number, elapsed, call_number / elapsed, rounds);
		for (int i = 0; i < NFUNCTIONS; i++)
			printf("  %-32s %ld calls\n", functions[i].name, function_calls[i]);
		for (int i = 0; i < noutcomes; i++)
			printf("  %-32s %ld\n", outcomes[i].name, outcomes[i].n);
		for (int e = 0; e < NUM_EXTREMES; e++)
			printf("  %-32s %ld\n", extreme_names[e], extreme_calls[e]);
		printf("fuzz: the costliest calls (CPU limit %.0f ms + %.0f ms a MB of arguments;"
			   " memory bound %ld MB + %d x input and response)\n",
			   CPU_LIMIT_SECONDS * 1000, CPU_PER_MB * 1000, MEMORY_BASE / (1024 * 1024), MEMORY_FACTOR);
		for (int i = 0; i < NSLOWEST && slowest[i].function; i++)
			printf("  CPU    %7.1f ms (limit %7.1f ms, wall %7.1f ms), call %ld, %s(%.80s)\n", slowest[i].cpu * 1000,
				   slowest[i].cpu_limit * 1000, slowest[i].wall * 1000, slowest[i].call, slowest[i].function,
				   slowest[i].args);
		for (int i = 0; i < NSLOWEST && hungriest[i].function; i++)
			printf("  memory %7ld kB (bound %ld kB), call %ld, %s(%.80s)\n", hungriest[i].memory / 1024,
				   hungriest[i].bound / 1024, hungriest[i].call, hungriest[i].function, hungriest[i].args);
	}
	PQfinish(conn);
	if (call_number < min_calls)
	{
		fprintf(stderr, "FUZZ FAILURE: only %ld calls, fewer than %ld\n", call_number, min_calls);
		return 1;
	}
	/* a long run that never sent one kind of extreme input did not test it */
	for (int e = 0; e < NUM_EXTREMES && call_number >= 10000; e++)
		if (extreme_calls[e] == 0)
		{
			fprintf(stderr, "FUZZ FAILURE: no %s in %ld calls\n", extreme_names[e], call_number);
			failures++;
		}
	if (failures > 0)
	{
		fprintf(stderr, "fuzz: %d failures (seed %llu)\n", failures, (unsigned long long) seed);
		return 1;
	}
	printf("fuzz: ok\n");
	return 0;
}
