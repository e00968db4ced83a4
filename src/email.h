/*
 * email.h
 *		Email address syntax and the flattening of email lists.
 */
#ifndef EMAIL_H
#define EMAIL_H

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#define MAX_EMAIL_LEN 254
#define MAX_EMAIL_LIST 50

extern bool IsValidEmail(const char *email, int len);
extern bool NormalizeEmailList(JsonbValue *list, const char *param, List **errors,
							   List **result);

#endif
