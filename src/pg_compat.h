/*
 * pg_compat.h
 *		The one place that knows how the supported PostgreSQL majors (15 to
 *		18) differ for this extension. Include it after postgres.h.
 */
#ifndef PG_COMPAT_H
#define PG_COMPAT_H

#include "common/base64.h"
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/guc_tables.h"

/*
 * 18 replaced pg_attribute_noreturn(), written after a declaration, with
 * pg_noreturn, written before it (C11 _Noreturn). GCC and Clang also take
 * the attribute in front, so older majors spell pg_noreturn with it.
 */
#if PG_VERSION_NUM < 180000
#define pg_noreturn pg_attribute_noreturn()
#endif

/*
 * 17 dropped old_snapshot_threshold and with it the condition name of
 * SQLSTATE 72000; an events cursor older than retention keeps that code
 * (docs/api.md §3.10) on every major.
 */
#ifndef ERRCODE_SNAPSHOT_TOO_OLD
#define ERRCODE_SNAPSHOT_TOO_OLD MAKE_SQLSTATE('7','2','0','0','0')
#endif

/* 18 types the binary side of base64 as uint8, older majors as char */
static inline int
B64Encode(const void *src, int len, char *dst, int dstlen)
{
	return pg_b64_encode(src, len, dst, dstlen);
}

static inline int
B64Decode(const char *src, int len, void *dst, int dstlen)
{
	return pg_b64_decode(src, len, dst, dstlen);
}

/* Every configuration variable; 16 made get_guc_variables count them */
static inline struct config_generic **
GucVariables(int *count)
{
#if PG_VERSION_NUM >= 160000
	return get_guc_variables(count);
#else
	*count = GetNumConfigOptions();
	return get_guc_variables();
#endif
}

/*
 * A lexer over a string in the database encoding. 17 added the caller's
 * context as the first argument (NULL: allocate one).
 */
static inline JsonLexContext *
JsonLexer(char *json, int len, bool need_escapes)
{
#if PG_VERSION_NUM >= 170000
	return makeJsonLexContextCstringLen(NULL, json, len, GetDatabaseEncoding(), need_escapes);
#else
	return makeJsonLexContextCstringLen(json, len, GetDatabaseEncoding(), need_escapes);
#endif
}

#endif							/* PG_COMPAT_H */
