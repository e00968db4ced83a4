/*
 * text_rules.h
 *		Trimming of Unicode white space, control characters and NFC for text
 *		fields.
 */
#ifndef TEXT_RULES_H
#define TEXT_RULES_H

#include "mb/pg_wchar.h"

extern bool IsUnicodeSpace(pg_wchar c);
extern pg_wchar TextCharAt(const char *s, int len, int *n);
extern char *ApplyTextRules(const char *s, int len, int *out_len, pg_wchar *control);

#endif
