/*
 * contain_grams.h
 *		The short grams index of contain (contain_grams.c).
 */
#ifndef CONTAIN_GRAMS_H
#define CONTAIN_GRAMS_H

/* the tag of each field's grams */
#define GRAM_NAME 'n'
#define GRAM_EMAIL 'm'
#define GRAM_BUSINESS_NAME 'b'
#define GRAM_EXTERNAL_ID 'x'

/* the customer's keys, the expression of customer_contain_grams_idx */
#define CONTAIN_GRAMS_SQL "customers.contain_grams(tenant_id, name, email, business_name, external_id)"

extern bool ContainServedByGrams(const char *tenant, char tag, const char *value, int value_chars,
								 const char *pattern);

#endif
