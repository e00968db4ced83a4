/*
 * locale_tags.h
 *		BCP 47 language tags, checked and normalized.
 */
#ifndef LOCALE_TAGS_H
#define LOCALE_TAGS_H

extern char *LanguageTag(const char *text, int len);

#endif
