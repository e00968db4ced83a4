/*
 * phone.h
 *		Phone numbers normalized to E.164.
 */
#ifndef PHONE_H
#define PHONE_H

extern char *E164Phone(const char *text, int len);

#endif
