/*
 * qemu_migration_job.h: the migration job and its phases
 *
 * A migration spans several API calls on each host: the source keeps a
 * MIGRATION_OUT async job from Begin to Confirm, the destination a
 * MIGRATION_IN job from Prepare to Finish.  The sequence of helpers
 * (libvirt's rules, docs/jobs.md):
 *
 *   first API:   qemuMigrationJobStart + SetPhase ... qemuMigrationJobContinue
 *   next APIs:   qemuMigrationJobIsActive, qemuMigrationJobStartPhase ...
 *                qemuMigrationJobContinue
 *   last API:    qemuMigrationJobIsActive, qemuMigrationJobStartPhase ...
 *                qemuMigrationJobFinish
 *
 * Every phase change is validated (no going backwards, except into the
 * post-copy recovery phases), logged and written to the domain's status
 * file before the function returns, so a restarted daemon knows exactly
 * where each migration was (qemu_migration_recovery.c).
 *
 * All functions expect @vm locked.
 */
#pragma once

#include "qemu_domain.h"
#include "qemu_migration_state.h"

/**
 * qemuMigrationJobStart:
 * Starts @asyncJob (MIGRATION_OUT or MIGRATION_IN) owned by the calling
 * thread and tied to RPC connection @clientID, with the mask of sync
 * jobs it lets through, and resets its progress data.
 */
int qemuMigrationJobStart(qemuDriver *driver, virDomainObj *vm,
                          virDomainAsyncJob asyncJob, unsigned int apiFlags,
                          guint64 clientID) G_GNUC_WARN_UNUSED_RESULT;

/* In a later API call: takes over the active job and moves to @phase. */
int qemuMigrationJobStartPhase(qemuDriver *driver, virDomainObj *vm,
                               qemuMigrationJobPhase phase, guint64 clientID)
    G_GNUC_WARN_UNUSED_RESULT;

/* Is @asyncJob the domain's active job?  If not, reports
 * VIR_ERR_OPERATION_INVALID "domain 'X' is not processing incoming /
 * outgoing migration" (libvirt's message). */
bool qemuMigrationJobIsActive(virDomainObj *vm, virDomainAsyncJob asyncJob);

/**
 * qemuMigrationJobContinue:
 * Releases the calling thread's hold: the job stays active for the
 * next API call of the protocol.  The status is persisted.  @closeCb is
 * what happens if the client vanishes before that call (libvirt's close
 * callback; NULL: the job is kept as it is, e.g. for post-copy
 * recovery).  If it vanished while this call ran, @closeCb is queued.
 */
void qemuMigrationJobContinue(qemuDriver *driver, virDomainObj *vm,
                              qemuDomainJobCloseCallback closeCb);

/**
 * qemuMigrationJobFinish:
 * The one way a migration job ends, whatever the outcome: QEMU's
 * migration capabilities and parameters are put back as they were
 * before the job (if QEMU still runs), the progress data becomes the
 * "completed" job (domjobinfo --completed), the job ends and the status
 * is persisted.  The calling thread must drive the job.
 */
void qemuMigrationJobFinish(qemuDriver *driver, virDomainObj *vm);

