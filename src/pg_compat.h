/*
 * pg_compat.h
 *		The one place that knows how the supported PostgreSQL majors (15 to
 *		18) differ for this extension. Include it after postgres.h.
 */
#ifndef PG_COMPAT_H
#define PG_COMPAT_H

/*
 * 18 replaced pg_attribute_noreturn(), written after a declaration, with
 * pg_noreturn, written before it (C11 _Noreturn). GCC and Clang also take
 * the attribute in front, so older majors spell pg_noreturn with it.
 */
#if PG_VERSION_NUM < 180000
#define pg_noreturn pg_attribute_noreturn()
#endif

#endif							/* PG_COMPAT_H */
