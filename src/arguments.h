/*
 * arguments.h
 *		Checks of SQL function arguments, and the customer an id argument
 *		names.
 */
#ifndef ARGUMENTS_H
#define ARGUMENTS_H

#include "fmgr.h"
#include "utils/jsonb.h"

#include "store.h"

#define CUSTOMER_ID_HINT "Pass the id of a customer, such as 'cus_01HF…'."

extern char *TextArgument(FunctionCallInfo fcinfo, int argno, const char *name, const char *hint);
extern Jsonb *ObjectArgument(FunctionCallInfo fcinfo, int argno, const char *name,
							 const char *hint);
extern StoredCustomer *RequireCustomer(const char *tenant, const char *id, bool for_update);
extern void RequireNotArchived(StoredCustomer *customer);

#endif
