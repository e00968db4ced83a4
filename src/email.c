/*
 * email.c
 *		Email address syntax, and ccEmails / bccEmails lists.
 *
 * The syntax accepted is the common subset of RFC 5321 that mail services
 * deliver to: a dot-atom local part of at most 64 characters, and a domain
 * of at least two letter-digit-hyphen labels. Quoted local parts and address
 * literals are refused.
 *
 * A list element may itself be a JSON-encoded array of addresses (Tight's
 * example sends ["[\"cc@acme.com\"]"]); such elements are flattened into the
 * list. Duplicates, compared case-insensitively, are dropped, keeping the
 * first spelling.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"

#include "email.h"
#include "item_errors.h"
#include "jsonb_build.h"

#define MAX_LOCAL_LEN 64
#define MAX_LABEL_LEN 63

/* Characters of a dot-atom besides letters and digits (RFC 5322 atext) */
static inline bool
IsAtext(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		(ch >= '0' && ch <= '9') || strchr("!#$%&'*+/=?^_`{|}~-", ch) != NULL;
}

/* Letters, digits and hyphens */
static inline bool
IsLabelChar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		(ch >= '0' && ch <= '9') || ch == '-';
}

/* Whether email is a syntactically valid address of at most 254 characters */
bool
IsValidEmail(const char *email, int len)
{
	const char *at = NULL;
	int			local_len;
	int			label_len = 0;
	int			labels = 0;
	bool		label_all_digits = true;

	if (len <= 0 || len > MAX_EMAIL_LEN)
		return false;
	for (int i = 0; i < len; i++)
		if (email[i] == '@')
		{
			if (at != NULL)
				return false;
			at = email + i;
		}
	if (at == NULL)
		return false;

	/* local part: atext runs separated by single dots */
	local_len = at - email;
	if (local_len == 0 || local_len > MAX_LOCAL_LEN ||
		email[0] == '.' || email[local_len - 1] == '.')
		return false;
	for (int i = 0; i < local_len; i++)
	{
		if (email[i] == '.')
		{
			if (email[i + 1] == '.')
				return false;
		}
		else if (!IsAtext(email[i]))
			return false;
	}

	/* domain: two or more labels, the last not all digits */
	for (const char *p = at + 1; p <= email + len; p++)
	{
		if (p == email + len || *p == '.')
		{
			if (label_len == 0 || label_len > MAX_LABEL_LEN ||
				p[-1] == '-' || p[-label_len] == '-')
				return false;
			labels++;
			if (p == email + len)
				break;
			label_len = 0;
			label_all_digits = true;
			continue;
		}
		if (!IsLabelChar(*p))
			return false;
		if (*p < '0' || *p > '9')
			label_all_digits = false;
		label_len++;
	}
	return labels >= 2 && !label_all_digits;
}

/* Skip JSON whitespace */
static const char *
SkipSpace(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Parse one JSON string at p into out; ASCII escapes only, as addresses are ASCII */
static const char *
ParseJsonString(const char *p, const char *end, StringInfo out)
{
	if (p >= end || *p != '"')
		return NULL;
	for (p++; p < end; p++)
	{
		char		ch = *p;

		if (ch == '"')
			return p + 1;
		if ((unsigned char) ch < 0x20)
			return NULL;
		if (ch == '\\')
		{
			if (++p >= end)
				return NULL;
			switch (*p)
			{
				case '"':
				case '\\':
				case '/':
					ch = *p;
					break;
				case 'u':
					{
						int			code = 0;

						if (end - p < 5)
							return NULL;
						for (int k = 1; k <= 4; k++)
						{
							char		h = p[k];

							code <<= 4;
							if (h >= '0' && h <= '9')
								code |= h - '0';
							else if (h >= 'a' && h <= 'f')
								code |= h - 'a' + 10;
							else if (h >= 'A' && h <= 'F')
								code |= h - 'A' + 10;
							else
								return NULL;
						}
						if (code < 0x20 || code > 0x7e)
							return NULL;
						ch = (char) code;
						p += 4;
						break;
					}
				default:
					/* \b \f \n \r \t cannot be part of an address */
					return NULL;
			}
		}
		appendStringInfoChar(out, ch);
	}
	return NULL;
}

/*
 * Split a JSON-encoded array of strings into *result; false when the text is
 * not exactly that.
 */
static bool
ParseJsonStringArray(const char *text, int len, List **result)
{
	const char *p = text;
	const char *end = text + len;

	*result = NIL;
	p = SkipSpace(p, end);
	if (p >= end || *p != '[')
		return false;
	p = SkipSpace(p + 1, end);
	if (p < end && *p == ']')
		return SkipSpace(p + 1, end) == end;
	for (;;)
	{
		StringInfoData element;

		initStringInfo(&element);
		p = ParseJsonString(p, end, &element);
		if (p == NULL)
			return false;
		*result = lappend(*result, element.data);
		p = SkipSpace(p, end);
		if (p < end && *p == ',')
		{
			p = SkipSpace(p + 1, end);
			continue;
		}
		return p < end && *p == ']' && SkipSpace(p + 1, end) == end;
	}
}

/* Whether list already holds email, ignoring case */
static bool
ContainsEmail(List *list, const char *email)
{
	ListCell   *lc;

	foreach(lc, list)
		if (pg_strcasecmp(lfirst(lc), email) == 0)
			return true;
	return false;
}

/* Trim ASCII whitespace from both ends of a string value, in place */
static void
TrimSpace(char **s, int *len)
{
	while (*len > 0 && isspace((unsigned char) (*s)[0]))
		(*s)++, (*len)--;
	while (*len > 0 && isspace((unsigned char) (*s)[*len - 1]))
		(*len)--;
}

/*
 * Validate a ccEmails/bccEmails value and return its addresses, flattened
 * and without duplicates, in *result. Returns false after recording errors.
 */
bool
NormalizeEmailList(JsonbValue *list, const char *param, List **errors,
				   List **result)
{
	JsonbIterator *it;
	JsonbIteratorToken token;
	JsonbValue	element;
	List	   *emails = NIL;
	int			index = 0;
	int			nerrors = list_length(*errors);
	bool		too_many = false;

	*result = NIL;
	if (list->type == jbvNull)
		return true;
	if (!IsJsonbArray(list))
	{
		AddValidationError(errors, param, "\"%s\" must be an array of email addresses, not %s",
						   param, JsonbValueTypeName(list));
		return false;
	}

	it = JsonbIteratorInit(list->val.binary.data);
	while (!too_many && (token = JsonbIteratorNext(&it, &element, true)) != WJB_DONE)
	{
		char	   *text;
		int			len;
		List	   *parts;
		ListCell   *pc;

		CHECK_FOR_INTERRUPTS();
		if (token != WJB_ELEM)
			continue;
		if (element.type != jbvString)
		{
			AddValidationError(errors, psprintf("%s[%d]", param, index),
							   "\"%s[%d]\" must be a string, not %s",
							   param, index, JsonbValueTypeName(&element));
			index++;
			continue;
		}
		text = element.val.string.val;
		len = element.val.string.len;
		TrimSpace(&text, &len);
		if (len == 0 || text[0] != '[')
			parts = list_make1(pnstrdup(text, len));
		else if (!ParseJsonStringArray(text, len, &parts))
			AddValidationError(errors, psprintf("%s[%d]", param, index),
							   "\"%s[%d]\" is neither an email address nor a JSON array of email addresses",
							   param, index);
		foreach(pc, parts)
		{
			char	   *email = lfirst(pc);
			int			elen = strlen(email);

			TrimSpace(&email, &elen);
			email = pnstrdup(email, elen);
			if (!IsValidEmail(email, elen))
				AddValidationError(errors, psprintf("%s[%d]", param, index),
								   "\"%s[%d]\" is not a valid email address",
								   param, index);
			else if (!ContainsEmail(emails, email))
			{
				emails = lappend(emails, email);
				/* the list is refused anyway: stop before the duplicate check grows quadratic */
				too_many = list_length(emails) > MAX_EMAIL_LIST;
				if (too_many)
					break;
			}
		}
		index++;
		CHECK_FOR_INTERRUPTS();
	}

	if (too_many)
	{
		AddValidationError(errors, param, "\"%s\" must hold at most %d email addresses",
						   param, MAX_EMAIL_LIST);
		return false;
	}
	if (list_length(*errors) > nerrors)
		return false;
	*result = emails;
	return true;
}
