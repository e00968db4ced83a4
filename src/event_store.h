/*
 * event_store.h
 *		The events of a call's changes, collected and written together.
 */
#ifndef EVENT_STORE_H
#define EVENT_STORE_H

#include "utils/jsonb.h"

#include "call_context.h"

/* The events of one call, written by WriteEvents in one statement */
typedef struct EventBatch
{
	int			n;
	int			capacity;
	char	  **types;
	char	  **object_ids;
	char	  **customer_ids;	/* NULL for class labels and segments */
	Datum	   *versions;		/* customer events; else version_nulls */
	bool	   *version_nulls;
	char	  **changed_fields; /* comma-joined, customer events only */
	Datum	   *data;			/* the object after the change, or NULL */
	bool	   *data_nulls;
} EventBatch;

extern void InitEventBatch(EventBatch *batch, int capacity);
extern void AddEvent(EventBatch *batch, const char *type, const char *object_id,
					 const char *customer_id, Jsonb *data);
extern void AddCustomerEvent(EventBatch *batch, const char *type, const char *customer_id,
							 int64 version, const char *changed_fields, Jsonb *data);
extern void WriteEvents(const CallScope *call, EventBatch *batch);
extern bool IsEventType(const char *type, int len);
extern const char *CustomerEventType(const char *action);
extern const char *HistoryAction(const char *type);
extern bool EventStoreInstalled(void);
extern void RequireEventStore(const char *what);

#endif
