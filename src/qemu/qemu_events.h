/*
 * qemu_events.h: reacting to QEMU monitor events
 *
 * Monitor callbacks run on the driver's monitor thread (qemuDriver's
 * ctx, not the daemon's main loop).  They only take the domain lock
 * briefly to record what QEMU said and emit events; anything that
 * blocks or decides (cleaning up after QEMU died, what a migration
 * status means) is queued to the worker pool (qemu_process_event.h).
 */
#pragma once

#include "qemu_domain.h"

/* The callbacks given to every domain monitor (opaque: the domain). */
const qemuMonitorCallbacks *qemuProcessMonitorCallbacks(void);

