/*
 * custom_data_index.h
 *		The expressions over customData paths that indexes cover.
 */
#ifndef CUSTOM_DATA_INDEX_H
#define CUSTOM_DATA_INDEX_H

/* a path's keys: how many, and how long each */
#define MAX_PATH_KEYS 8
#define MAX_PATH_KEY_CHARS 255
/* the longest key path text a GIN entry holds (about a third of a page) */
#define MAX_KEY_PATH_BYTES 2000

/* the kinds of value a declared index reads at a path */
typedef enum CustomDataPathKind
{
	PATH_KIND_NUMBER,
	PATH_KIND_TIME,
	PATH_KIND_TEXT,
	NUM_PATH_KINDS
} CustomDataPathKind;

extern char *CustomDataPathText(char *const *keys, int nkeys);
extern bool CustomDataPathIndexed(char *const *keys, int nkeys, CustomDataPathKind kind);

#endif
