/*
 * citus.h
 *		What the extension does differently when Citus runs in the server.
 */
#ifndef CUSTOMERS_CITUS_H
#define CUSTOMERS_CITUS_H

extern bool CitusLoaded(void);
extern bool CitusWorkerConnection(void);

#endif
