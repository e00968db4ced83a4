/*
 * document.h
 *		The canonical customer document: validation, normalization, and the
 *		server-set fields around it.
 */
#ifndef DOCUMENT_H
#define DOCUMENT_H

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#define MAX_DOCUMENT_BYTES (256 * 1024)
/* the most characters of an ordinary text field */
#define MAX_TEXT_CHARS 255

#define STATUS_ACTIVE "ACTIVE"
#define STATUS_INACTIVE "INACTIVE"
#define STATUS_ARCHIVED "ARCHIVED"

/* A validated customer: its canonical fields and the typed values beside them */
typedef struct CustomerValues
{
	Jsonb	   *content;		/* the fields a client sets, normalized */
	char	   *id;				/* client-supplied id, or NULL */
	bool		has_version;	/* a version precondition was given */
	int64		version;
	char	   *external_id;
	char	   *name;
	char	   *email;			/* lower-cased, as compared */
	char	   *business_name;
	const char *status;
	List	   *segment_ids;	/* of String */
} CustomerValues;

/* The fields only the server sets */
typedef struct ServerFields
{
	const char *id;
	int64		version;
	const char *created;		/* RFC 3339 text */
	const char *created_by;
	TimestampTz updated;
	const char *updated_by;
	bool		archived;
	TimestampTz archived_at;
} ServerFields;

extern bool NormalizeCustomer(JsonbContainer *input, Jsonb *stored, List **errors,
							  CustomerValues *out);
extern void CheckUpdateRemovals(JsonbContainer *update, List **errors);
extern char *ClientId(JsonbContainer *item);
extern Jsonb *AssembleDocument(Jsonb *content, const ServerFields *server);
extern Jsonb *DocumentContent(Jsonb *doc);
extern bool IsServerField(const char *key, int len);
extern char *DocumentString(Jsonb *doc, const char *key);

#endif
