/*
 * notify.h
 *		NOTIFY customers_changes (an empty wake-up) at commit of written events.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

extern void NotifyEventsWritten(void);

#endif
