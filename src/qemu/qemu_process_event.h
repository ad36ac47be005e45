/*
 * qemu_process_event.h: the driver's worker queue
 *
 * Monitor callbacks run on the monitor thread and must not block; what
 * they cannot do there (clean up after QEMU died, apply a migration
 * status, run an abandoned job's close callback) is queued here and
 * done by the driver's worker pool (driver->workers), each item under
 * the domain lock and, where it changes the domain, under a job.
 * Items for one domain may run in any order: each handler acts on the
 * domain's state at the time it runs, not on what was queued.
 */
#pragma once

#include "qemu_domain.h"

typedef enum {
    QEMU_PROCESS_EVENT_MONITOR_EOF,      /* QEMU exited or the monitor broke */
    QEMU_PROCESS_EVENT_RECONNECT,        /* daemon start: reconnect to QEMU;
                                          * the domain's job is already held */
    QEMU_PROCESS_EVENT_REAP,             /* wait for a QEMU we let go to exit */
    QEMU_PROCESS_EVENT_CLIENT_GONE,      /* a migration's client vanished */
    QEMU_PROCESS_EVENT_MIGRATION_STATUS, /* apply QEMU's migration status */
    QEMU_PROCESS_EVENT_FAKE_REBOOT,      /* reset a guest that powered off
                                          * for virDomainReboot */
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

/* GThreadPool function of driver->workers (@user_data: the driver).
 * Also called directly by the start-up thread for RECONNECT. */
void qemuProcessEventWorker(gpointer data, gpointer user_data);
