/*
 * customer_delete.h
 *		A customer's row removed, with everything it holds.
 */
#ifndef CUSTOMER_DELETE_H
#define CUSTOMER_DELETE_H

#include "call_context.h"

extern void RemoveCustomer(const CallScope *call, const char *id, const char *event_type);

#endif
