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

typedef enum {
    QEMU_MIGRATION_PHASE_NONE = 0,
    QEMU_MIGRATION_PHASE_PERFORM2,
    QEMU_MIGRATION_PHASE_BEGIN3,
    QEMU_MIGRATION_PHASE_PERFORM3,
    QEMU_MIGRATION_PHASE_PERFORM3_DONE,
    QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED,
    QEMU_MIGRATION_PHASE_CONFIRM3,
    QEMU_MIGRATION_PHASE_PREPARE,
    QEMU_MIGRATION_PHASE_FINISH2,
    QEMU_MIGRATION_PHASE_FINISH3,
    /* Everything from here on is post-copy failure handling: a
     * migration may enter these from any later phase, and loop through
     * the resume phases as often as recovery is retried. */
    QEMU_MIGRATION_PHASE_POSTCOPY_FAILED,
    QEMU_MIGRATION_PHASE_BEGIN_RESUME,
    QEMU_MIGRATION_PHASE_PERFORM_RESUME,
    QEMU_MIGRATION_PHASE_CONFIRM_RESUME,
    QEMU_MIGRATION_PHASE_PREPARE_RESUME,
    QEMU_MIGRATION_PHASE_FINISH_RESUME,
    QEMU_MIGRATION_PHASE_LAST
} qemuMigrationJobPhase;

VIR_ENUM_DECL(qemuMigrationJobPhase);

/* Does @phase belong to the job @asyncJob (outgoing / incoming)? */
bool qemuMigrationPhaseBelongsTo(qemuMigrationJobPhase phase,
                                 virDomainAsyncJob asyncJob);

/**
 * qemuMigrationJobPhaseAllowed:
 * The validation rule: a migration only moves forward through its
 * phases; going to POSTCOPY_FAILED is allowed from any phase, and from
 * POSTCOPY_FAILED (or a resume phase) into the resume phases.  Reports
 * VIR_ERR_INTERNAL_ERROR "migration protocol going backwards" otherwise.
 */
bool qemuMigrationJobPhaseAllowed(virDomainAsyncJob asyncJob,
                                  qemuMigrationJobPhase from,
                                  qemuMigrationJobPhase to);

/**
 * qemuMigrationJobStart:
 * Starts @asyncJob (MIGRATION_OUT or MIGRATION_IN) owned by the calling
 * thread and tied to RPC connection @clientID, with the mask of sync
 * jobs it lets through, and resets its progress data.
 */
int qemuMigrationJobStart(qemuDriver *driver, virDomainObj *vm,
                          virDomainAsyncJob asyncJob, unsigned int apiFlags,
                          guint64 clientID) G_GNUC_WARN_UNUSED_RESULT;

/* Moves to @phase (validated) and persists it. */
int qemuMigrationJobSetPhase(qemuDriver *driver, virDomainObj *vm,
                             qemuMigrationJobPhase phase)
    G_GNUC_WARN_UNUSED_RESULT;

/* In a later API call: takes over the active job and moves to @phase. */
int qemuMigrationJobStartPhase(qemuDriver *driver, virDomainObj *vm,
                               qemuMigrationJobPhase phase, guint64 clientID)
    G_GNUC_WARN_UNUSED_RESULT;

/* Is @asyncJob the domain's active job?  If not, reports
 * VIR_ERR_OPERATION_INVALID "domain 'X' is not processing incoming /
 * outgoing migration" (libvirt's message). */
bool qemuMigrationJobIsActive(virDomainObj *vm, virDomainAsyncJob asyncJob);

/* Releases the calling thread's hold: the job stays active for the
 * next API call of the protocol.  The status is persisted. */
void qemuMigrationJobContinue(qemuDriver *driver, virDomainObj *vm);

/* Ends the job; if @status is a final one, the progress data becomes
 * the "completed" job (for domjobinfo --completed). */
void qemuMigrationJobFinish(qemuDriver *driver, virDomainObj *vm);

/* The phase of @vm's migration job (NONE if it has none). */
qemuMigrationJobPhase qemuMigrationJobGetPhase(virDomainObj *vm);
