/*
 * qemu_monitor_priv.h: internals shared by the qemu_monitor*.c files
 * and their unit tests.  Not for the rest of the driver.
 */
#pragma once

#include "qemu_monitor.h"

/**
 * qemuMonitorEventDispatch:
 * @mon: the monitor the event came from (only passed on to callbacks)
 * @cb: the callbacks
 * @opaque: passed to the callbacks
 * @event: the whole event message ({"event": ..., "data": ...})
 *
 * Decodes @event and calls the matching callback of @cb, or
 * cb->domainEvent for events without a dedicated handler.  Malformed
 * events are logged and dropped.  Must be called without the monitor
 * lock held.
 */
void qemuMonitorEventDispatch(qemuMonitor *mon,
                              const qemuMonitorCallbacks *cb,
                              void *opaque,
                              json_object *event);

/* The event handler table, exposed so that a test can check that it
 * is sorted (bsearch relies on it). */
size_t qemuMonitorEventHandlerCount(void);
const char *qemuMonitorEventHandlerName(size_t idx);
