/*
 * customer_store.h
 *		The statements that read and write customers, and the stored customer
 *		an id names.
 */
#ifndef CUSTOMER_STORE_H
#define CUSTOMER_STORE_H

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* A customer as stored */
typedef struct StoredCustomer
{
	char	   *id;
	Jsonb	   *doc;
	char	   *status;
	char	   *status_before_archive;	/* NULL unless archived */
	bool		archived;
	TimestampTz archived_at;
	int64		version;
} StoredCustomer;

/* A customer row to insert or update */
typedef struct CustomerRow
{
	char	   *id;
	char	   *external_id;
	char	   *name;
	char	   *email;
	char	   *business_name;
	const char *status;
	char	   *status_before_archive;
	bool		archived;
	TimestampTz archived_at;
	int64		version;
	Jsonb	   *doc;
	List	   *segment_ids;	/* of String: the classSegments */
	List	   *segment_labels; /* of String: the label of each */
} CustomerRow;

/* Who holds an externalId */
typedef struct ExternalIdOwner
{
	char	   *external_id;
	char	   *id;
} ExternalIdOwner;

extern List *FetchCustomers(const char *tenant, char **ids, int nids, bool for_update);
extern StoredCustomer *FetchCustomer(const char *tenant, const char *id, bool for_update);
extern Jsonb *FetchDocument(const char *tenant, const char *id);
extern List *FetchExternalIdOwners(const char *tenant, char **external_ids, int n);
extern List *InsertCustomers(const char *tenant, TimestampTz now, CustomerRow *rows, int nrows);
extern void UpdateCustomers(const char *tenant, TimestampTz now, CustomerRow *rows, int nrows);
extern StoredCustomer *RequireCustomer(const char *tenant, const char *id, bool for_update);
extern void RequireNotArchived(StoredCustomer *customer);

#endif
