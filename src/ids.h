/*
 * ids.h
 *		Time-ordered generated ids and checks of client-supplied ones.
 */
#ifndef IDS_H
#define IDS_H

/* the longest part after the prefix that a client-supplied id may have */
#define MAX_CLIENT_ID_BODY 64

extern char *GenerateId(const char *prefix);
extern bool IsValidClientId(const char *prefix, const char *id, int len);

#endif
