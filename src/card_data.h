/*
 * card_data.h
 *		Refusing card data: full card numbers and card security codes.
 */
#ifndef CARD_DATA_H
#define CARD_DATA_H

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#define MIN_CARD_DIGITS 13
#define MAX_CARD_DIGITS 19

extern void FindCardData(JsonbContainer *container, const char *path, bool strict,
						 List **errors);

#endif
