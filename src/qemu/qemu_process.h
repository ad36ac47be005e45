/*
 * qemu_process.h: starting, stopping and reconnecting QEMU processes
 *
 * Every function expects @vm locked and the caller holding a job that
 * allows the operation; they may drop and re-take the lock around
 * blocking work (the job keeps the domain consistent meanwhile).
 */
#pragma once

#include "qemu_domain.h"

typedef enum {
    QEMU_PROCESS_START_PAUSED = (1 << 0),   /* leave the CPUs stopped */
    QEMU_PROCESS_START_INCOMING = (1 << 1), /* -incoming defer */
} qemuProcessStartFlags;

/**
 * qemuProcessStart:
 * Launches QEMU for @vm (detached: it survives the daemon), connects the
 * monitor, starts the CPUs unless paused/incoming, and records the
 * domain as active with a status file.  On failure QEMU is killed, the
 * domain stays inactive and the error names QEMU's own message when
 * QEMU printed one.  The caller emits the STARTED event.
 */
int qemuProcessStart(qemuDriver *driver, virDomainObj *vm,
                     unsigned int flags);

/**
 * qemuProcessStop:
 * Kills QEMU (if still alive), closes the monitor, removes runtime
 * files and marks the domain inactive: shut off with @reason.  The
 * caller emits the STOPPED event and removes transient domains.
 */
void qemuProcessStop(qemuDriver *driver, virDomainObj *vm,
                     virDomainShutoffReason reason);

typedef enum {
    /* Send SIGTERM and let a driver worker wait for the exit: for a
     * source QEMU whose guest already runs elsewhere, so that Confirm
     * answers without waiting for the process to go. */
    QEMU_PROCESS_STOP_NO_WAIT = (1 << 0),
} qemuProcessStopFlag;

void qemuProcessStopFlags(qemuDriver *driver, virDomainObj *vm,
                          virDomainShutoffReason reason, unsigned int flags);

/* Starts the CPUs ('cont') / stops them ('stop'), recording the reason
 * the resulting RESUME / STOP event reports. */
int qemuProcessStartCPUs(qemuDriver *driver, virDomainObj *vm,
                         virDomainRunningReason reason);
int qemuProcessStopCPUs(qemuDriver *driver, virDomainObj *vm,
                        virDomainPausedReason reason);

/**
 * qemuProcessReconnect:
 * For a domain loaded from its status file at daemon start: if its QEMU
 * still runs, reconnect the monitor and refresh the state; otherwise
 * clean up.  Returns 1 if the domain is active afterwards, 0 if it is
 * now shut off, -1 on error (QEMU is then killed and the domain shut off).
 */
int qemuProcessReconnect(qemuDriver *driver, virDomainObj *vm);

/* True if the QEMU recorded for @vm still runs. */
bool qemuProcessIsAlive(virDomainObj *vm);
