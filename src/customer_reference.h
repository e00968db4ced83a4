/*
 * customer_reference.h
 *		The customer a function's id argument names: an id, or
 *		{"externalId": …}.
 */
#ifndef CUSTOMER_REFERENCE_H
#define CUSTOMER_REFERENCE_H

#include "fmgr.h"
#include "utils/jsonb.h"

#include "customer_store.h"
#include "pg_compat.h"

/* Exactly one of id and external_id is set */
typedef struct CustomerRef
{
	char	   *id;
	char	   *external_id;
} CustomerRef;

extern void CustomerRefArgument(FunctionCallInfo fcinfo, int argno, const char *name,
								CustomerRef *ref);
extern void ParseCustomerRef(const char *text, CustomerRef *ref);
extern StoredCustomer *FindCustomerRef(const char *tenant, const CustomerRef *ref,
									   bool for_update);
pg_noreturn extern void RaiseCustomerNotFound(const char *tenant, const CustomerRef *ref);
extern StoredCustomer *RequireCustomerRef(const char *tenant, const CustomerRef *ref,
										  bool for_update);
extern Jsonb *FetchDocumentRef(const char *tenant, const CustomerRef *ref);

#endif
