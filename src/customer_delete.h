/*
 * customer_delete.h
 *		A customer's row removed, with everything it holds.
 */
#ifndef CUSTOMER_DELETE_H
#define CUSTOMER_DELETE_H

extern void RemoveCustomer(const char *tenant, const char *id);

#endif
