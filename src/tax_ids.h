/*
 * tax_ids.h
 *		Tax ids by type, checked and normalized.
 */
#ifndef TAX_IDS_H
#define TAX_IDS_H

extern const char *TaxIdTypeName(const char *type, int len);
extern const char *TaxIdTypeNames(void);
extern char *NormalizeTaxId(const char *type, const char *value, const char **expected);

#endif
