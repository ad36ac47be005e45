/*
 * qemu_events.h: reacting to QEMU monitor events
 *
 * Monitor callbacks run in the main-loop thread.  They only take the
 * domain lock briefly to update state and emit events; anything that
 * blocks (cleaning up after QEMU died) is queued to the driver's worker
 * pool and done there under a job.
 */
#pragma once

#include "qemu_domain.h"

/* The callbacks given to every domain monitor (opaque: the domain). */
const qemuMonitorCallbacks *qemuProcessMonitorCallbacks(void);

typedef enum {
    QEMU_PROCESS_EVENT_MONITOR_EOF,   /* QEMU exited or the monitor broke */
    QEMU_PROCESS_EVENT_RECONNECT,     /* daemon start: reconnect to QEMU;
                                       * the domain's job is already held */
    QEMU_PROCESS_EVENT_REAP,          /* wait for a QEMU we let go to exit */
    QEMU_PROCESS_EVENT_CLIENT_GONE,   /* a migration's client vanished */
    QEMU_PROCESS_EVENT_POSTCOPY_DONE, /* incoming post-copy completed */
    QEMU_PROCESS_EVENT_LAST
} qemuProcessEventType;

typedef struct _qemuProcessEvent qemuProcessEvent;
struct _qemuProcessEvent {
    qemuProcessEventType type;
    virDomainObj *vm;                 /* one reference; NULL for REAP */
    pid_t pid;                        /* REAP: the process ... */
    unsigned long long startTime;     /* ... and its start time */
};

/* Queues deferred work for @vm (takes a reference). */
void qemuProcessQueueEvent(virDomainObj *vm, qemuProcessEventType type);

/* Queues waiting for (and if needed killing) a QEMU that was sent
 * SIGTERM, so that the caller need not wait for it to exit. */
void qemuProcessQueueReap(qemuDriver *driver, pid_t pid,
                          unsigned long long startTime);

/* GThreadPool function of driver->workers (@user_data: the driver). */
void qemuProcessEventWorker(gpointer data, gpointer user_data);
