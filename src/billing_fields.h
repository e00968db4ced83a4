/*
 * billing_fields.h
 *		Field parsers of the billing fields: currency, timezone,
 *		preferredLocales, phone numbers, taxIds and the old ein.
 */
#ifndef BILLING_FIELDS_H
#define BILLING_FIELDS_H

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* One tax id of a customer, normalized */
typedef struct TaxId
{
	const char *type;
	char	   *value;
	int			index;			/* in the input array */
} TaxId;

extern void CurrencyField(JsonbValue *v, const char *param, void *field, List **errors);
extern void TimeZoneField(JsonbValue *v, const char *param, void *field, List **errors);
extern void PhoneField(JsonbValue *v, const char *param, void *field, List **errors);
extern void PreferredLocalesField(JsonbValue *v, const char *param, void *field, List **errors);
extern void TaxIdsField(JsonbValue *v, const char *param, void *field, List **errors);
extern void EinField(JsonbValue *v, const char *param, void *field, List **errors);
extern JsonbContainer *EinToTaxIds(JsonbContainer *input, Jsonb *stored);
extern void PushTaxIds(JsonbParseState **state, List *tax_ids);

#endif
