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

#include "common/jsonapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pg_compat.h"

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

/* Whether a decoded string holds a control character */
static bool
HasControlCharacter(StringInfo s)
{
	for (int i = 0; i < s->len; i++)
		if ((unsigned char) s->data[i] < 0x20)
			return true;
	return false;
}

/*
 * Split a JSON-encoded array of strings into *result with PostgreSQL's JSON
 * lexer; false when the text is not exactly that. An escape that decodes to
 * a control character is refused as well: no address holds one.
 */
static bool
ParseJsonStringArray(char *text, int len, List **result)
{
	JsonLexContext *lex = JsonLexer(text, len, true);

	*result = NIL;
	if (json_lex(lex) != JSON_SUCCESS || lex->token_type != JSON_TOKEN_ARRAY_START ||
		json_lex(lex) != JSON_SUCCESS)
		return false;
	while (lex->token_type != JSON_TOKEN_ARRAY_END)
	{
		if (lex->token_type != JSON_TOKEN_STRING || HasControlCharacter(lex->strval))
			return false;
		*result = lappend(*result, pstrdup(lex->strval->data));
		if (json_lex(lex) != JSON_SUCCESS)
			return false;
		if (lex->token_type == JSON_TOKEN_ARRAY_END)
			break;
		if (lex->token_type != JSON_TOKEN_COMMA || json_lex(lex) != JSON_SUCCESS)
			return false;
	}
	return json_lex(lex) == JSON_SUCCESS && lex->token_type == JSON_TOKEN_END;
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
