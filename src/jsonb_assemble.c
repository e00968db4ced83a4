/*
 * jsonb_assemble.c
 *		jsonb objects whose members are existing containers.
 *
 * pushJsonbValue decodes every nested container it is given and the result
 * is encoded again, which for a page of stored documents costs more than
 * reading them. A container is position-independent, though: its offsets
 * are relative to itself and its padding only needs it to start on a 4-byte
 * boundary. So the containers here are written as convertToJsonb
 * (jsonb_util.c) writes them, after the layout in utils/jsonb.h: a header,
 * one JEntry per child (an object's keys first, in jsonb key order, then its
 * values), then the children's data, each nested container padded to a
 * 4-byte boundary. A binary value (an existing container) is copied as it
 * is; an array value (of any of these) is written in place.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "jsonb_assemble.h"

static void AppendContainer(StringInfo buf, uint32 flags, const char *const *keys,
							const JsonbValue *values, int n);

/* Pad buf with zero bytes to a 4-byte boundary, as convertToJsonb does */
static void
PadToInt(StringInfo buf)
{
	int			padding = INTALIGN(buf->len) - buf->len;

	enlargeStringInfo(buf, padding);
	memset(buf->data + buf->len, 0, padding);
	buf->len += padding;
	buf->data[buf->len] = '\0';
}

/* The most bytes a value takes as a child, padding included */
static Size
ChildSize(const JsonbValue *value)
{
	Size		size = 0;

	switch (value->type)
	{
		case jbvString:
			return value->val.string.len;
		case jbvBinary:
			return value->val.binary.len + 3;
		case jbvNumeric:
			return VARSIZE_ANY(value->val.numeric) + 3;
		case jbvArray:
			size = 3 + sizeof(uint32) + sizeof(JEntry) * value->val.array.nElems;
			for (int i = 0; i < value->val.array.nElems; i++)
				size += ChildSize(&value->val.array.elems[i]);
			return size;
		default:
			return 0;
	}
}

/* Append the data of one child; its JEntry, with its length */
static JEntry
AppendChild(StringInfo buf, const JsonbValue *value)
{
	int			start = buf->len;

	switch (value->type)
	{
		case jbvNull:
			return JENTRY_ISNULL;
		case jbvBool:
			return value->val.boolean ? JENTRY_ISBOOL_TRUE : JENTRY_ISBOOL_FALSE;
		case jbvString:
			appendBinaryStringInfo(buf, value->val.string.val, value->val.string.len);
			return JENTRY_ISSTRING | (buf->len - start);
		case jbvBinary:
			/* a raw scalar is a one-element array container: not a value as it is */
			if (JsonContainerIsScalar(value->val.binary.data))
				elog(ERROR, "cannot assemble a scalar jsonb container");
			PadToInt(buf);
			appendBinaryStringInfo(buf, (const char *) value->val.binary.data,
								   value->val.binary.len);
			return JENTRY_ISCONTAINER | (buf->len - start);
		case jbvNumeric:
			/* padded to a 4-byte boundary, as convertJsonbScalar does */
			PadToInt(buf);
			appendBinaryStringInfo(buf, (const char *) value->val.numeric,
								   VARSIZE_ANY(value->val.numeric));
			return JENTRY_ISNUMERIC | (buf->len - start);
		case jbvArray:
			PadToInt(buf);
			AppendContainer(buf, JB_FARRAY, NULL, value->val.array.elems,
							value->val.array.nElems);
			return JENTRY_ISCONTAINER | (buf->len - start);
		default:
			elog(ERROR, "cannot assemble a jsonb value of type %d", (int) value->type);
	}
	pg_unreachable();
}

/*
 * Append a container of n children: values, or keys followed by values when
 * keys is not NULL. Every JB_OFFSET_STRIDE'th JEntry holds the end offset of
 * its child instead of the length, as convertJsonbArray and
 * convertJsonbObject store it.
 */
static void
AppendContainer(StringInfo buf, uint32 flags, const char *const *keys,
				const JsonbValue *values, int n)
{
	int			nchildren = (keys != NULL) ? 2 * n : n;
	uint32		header = (uint32) n | flags;
	int			entries;
	int			data_start;

	appendBinaryStringInfo(buf, (const char *) &header, sizeof(uint32));
	entries = buf->len;
	appendStringInfoSpaces(buf, sizeof(JEntry) * nchildren);
	data_start = buf->len;

	for (int c = 0; c < nchildren; c++)
	{
		JsonbValue	key;
		const JsonbValue *child;
		JEntry		meta;
		int			end;

		if (keys != NULL && c < n)
		{
			key.type = jbvString;
			key.val.string.val = (char *) keys[c];
			key.val.string.len = strlen(keys[c]);
			child = &key;
		}
		else
			child = &values[keys != NULL ? c - n : c];

		/* a page's array holds up to 1000 documents of 256 kB */
		CHECK_FOR_INTERRUPTS();
		meta = AppendChild(buf, child);
		end = buf->len - data_start;
		if (end > JENTRY_OFFLENMASK)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("total size of jsonb members exceeds the maximum of %u bytes",
							JENTRY_OFFLENMASK),
					 errhint("Ask for fewer rows at a time.")));
		if (c % JB_OFFSET_STRIDE == 0)
			meta = (meta & JENTRY_TYPEMASK) | end | JENTRY_HAS_OFF;
		memcpy(buf->data + entries + sizeof(JEntry) * c, &meta, sizeof(JEntry));
	}
}

/* A string value to assemble: string, not copied */
void
AssembleString(JsonbValue *value, const char *string)
{
	value->type = jbvString;
	value->val.string.val = (char *) string;
	value->val.string.len = strlen(string);
}

/* An existing container as a value to assemble, not copied */
void
AssembleBinary(JsonbValue *value, Jsonb *container)
{
	value->type = jbvBinary;
	value->val.binary.data = &container->root;
	value->val.binary.len = VARSIZE(container) - VARHDRSZ;
}

/* An array of n values to assemble (elems, not copied) */
void
AssembleArray(JsonbValue *value, JsonbValue *elems, int n)
{
	value->type = jbvArray;
	value->val.array.elems = elems;
	value->val.array.nElems = n;
	value->val.array.rawScalar = false;
}

/* Whether key a sorts before key b in a jsonb object: shorter first, then bytes */
static bool
KeyBefore(const char *a, const char *b)
{
	size_t		alen = strlen(a);
	size_t		blen = strlen(b);

	return alen != blen ? alen < blen : memcmp(a, b, alen) < 0;
}

/*
 * A jsonb object of the values (strings, numbers, booleans, nulls, existing
 * containers, or arrays of these); keys must be distinct and in jsonb order
 * (shorter first). It is built in one allocation.
 */
Jsonb *
AssembleObject(const char *const *keys, const JsonbValue *values, int n)
{
	StringInfoData buf;
	Size		size = VARHDRSZ + sizeof(uint32) + 2 * sizeof(JEntry) * n;

	for (int i = 0; i < n; i++)
	{
		if (i > 0 && !KeyBefore(keys[i - 1], keys[i]))
			elog(ERROR, "jsonb keys \"%s\" and \"%s\" are out of order", keys[i - 1], keys[i]);
		size += strlen(keys[i]) + ChildSize(&values[i]);
	}
	if (size >= MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("total size of jsonb members exceeds the maximum of %u bytes",
						JENTRY_OFFLENMASK),
				 errhint("Ask for fewer rows at a time.")));

	/* the size it will take, not StringInfo's 1 kB: objects of a listing are small */
	buf.data = palloc(size + 1);
	buf.maxlen = size + 1;
	buf.len = 0;
	buf.cursor = 0;
	buf.data[0] = '\0';
	appendStringInfoSpaces(&buf, VARHDRSZ);
	AppendContainer(&buf, JB_FOBJECT, keys, values, n);
	SET_VARSIZE(buf.data, buf.len);
	return (Jsonb *) buf.data;
}
