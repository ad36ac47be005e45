/*
 * virthreadjob.h: the name of the API a thread is currently serving
 *
 * The RPC dispatcher sets it (e.g. "remoteDispatchDomainDestroy") before
 * calling into the driver; domain jobs record it as their owner so that
 * a lock timeout can name the holder, as libvirt does.
 */
#pragma once

#include "internal.h"

/* Sets the calling thread's job name (copied); NULL clears it. */
void virThreadJobSet(const char *name);
/* The calling thread's job name, or NULL.  Valid until the next Set. */
const char *virThreadJobGet(void);
