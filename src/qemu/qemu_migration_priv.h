/*
 * qemu_migration_priv.h: shared by the migration source, destination
 * and recovery code (not for other users)
 */
#pragma once

#include "qemu_driver.h"
#include "qemu_migration_job.h"
#include "qemu_migration_params.h"
#include "qemu_migration_cookie.h"

/* Looks the domain up by UUID (locked + referenced) or NULL. */
virDomainObj *qemuMigrationDomObj(qemuDriver *driver, const unsigned char *uuid);

/* Applies capabilities and parameters to @vm's QEMU (job held). */
int qemuMigrationApplyParams(virDomainObj *vm, const qemuMigrationParams *p);

/**
 * qemuMigrationWaitForCompletion:
 * Waits (vm locked, job held) until QEMU's migration reaches a final
 * state, refreshing the job statistics as it goes.  Returns 0 when it
 * completed, -1 with libvirt's error when it failed, was cancelled or
 * QEMU died (or, in post-copy, paused the migration: "failed in
 * post-copy phase").  @postcopyReached is set if QEMU went through
 * postcopy-active; with @stopAtPostcopy that already counts as done
 * (the guest can run on the destination).
 */
int qemuMigrationWaitForCompletion(qemuDriver *driver, virDomainObj *vm,
                                   bool *postcopyReached, bool stopAtPostcopy);

/* Has this migration switched to post-copy (phase or QEMU state)?
 * From then on the guest may run on the destination: never resume the
 * source, never kill the destination. */
bool qemuMigrationInPostcopy(qemuDomainObjPrivate *priv);

/* Post-copy broke (QEMU postcopy-paused): the domain keeps its QEMU in
 * the post-copy-failed state, the job stays for recovery.  Emits the
 * lifecycle event.  @vm locked. */
void qemuMigrationPostcopyFailed(qemuDriver *driver, virDomainObj *vm);

/* Fetches query-migrate into the job's current statistics. */
int qemuMigrationUpdateJobStats(virDomainObj *vm);

/* Best effort: cancel QEMU's outgoing migration if one runs. */
void qemuMigrationSrcCancel(virDomainObj *vm);

/* Puts the source guest back to running if the migration paused it. */
void qemuMigrationSrcRestoreState(qemuDriver *driver, virDomainObj *vm);

/* Stops a migrated-away source QEMU: the domain is shut off (migrated)
 * at once; the process exit is awaited by a worker. */
void qemuMigrationSrcStopMigrated(qemuDriver *driver, virDomainObj *vm);

/* Cleans up an incoming domain whose migration failed. */
void qemuMigrationDstCleanup(qemuDriver *driver, virDomainObj *vm);

/* Worker: the destination QEMU finished a post-copy migration whose
 * Finish already returned: end the job, report the guest migrated. */
void qemuMigrationDstPostcopyDone(qemuDriver *driver, virDomainObj *vm);

/* The driver's reaction when a job's client vanished between calls. */
void qemuMigrationClientGone(qemuDriver *driver, virDomainObj *vm);
