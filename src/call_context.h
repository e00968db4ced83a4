/*
 * call_context.h
 *		What every SQL-callable function resolves first: tenant, actor, time,
 *		and the switch to the extension owner for its own statements.
 */
#ifndef CALL_CONTEXT_H
#define CALL_CONTEXT_H

#include "datatype/timestamp.h"

/* the longest tenant id and actor accepted, in bytes */
#define MAX_TENANT_ID_LEN 255
#define MAX_ACTOR_LEN 255

extern char *customers_tenant_id;
extern bool customers_require_tenant;
extern bool customers_require_tenant_forced;
extern char *customers_actor;

/* The caller's identity, kept while running as the extension owner */
typedef struct OwnerScope
{
	Oid			saved_userid;
	int			saved_sec_context;
} OwnerScope;

typedef struct CallScope
{
	const char *tenant_id;		/* resolved tenant, never empty */
	const char *actor;			/* customers.actor or the calling user */
	TimestampTz now;			/* one timestamp for the whole call */
	OwnerScope	owner;			/* the caller, while the call runs as the owner */
} CallScope;

extern const char *CurrentTenant(void);
extern Oid	CustomerRelation(void);
extern double CustomerRowsCounted(void);
extern Oid	ExtensionOwner(void);
extern void BecomeExtensionOwner(OwnerScope *scope);
extern void StopBeingExtensionOwner(OwnerScope *scope);
extern void BeginCall(CallScope *call);
extern void EndCall(CallScope *call);

#endif
