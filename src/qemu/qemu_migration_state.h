/*
 * qemu_migration_state.h: the one place where a migration's state changes
 *
 * A migration has two pieces of state: the *phase* of its async job
 * (where the protocol is: begin3, perform3, ...; persisted in the status
 * file) and *QEMU's migration status* (what QEMU last reported: active,
 * postcopy-active, completed, ...).  Both are written here and nowhere
 * else:
 *
 *  - the monitor thread only *records* QEMU's status
 *    (qemuMigrationStateRecord): it stores it, wakes the threads waiting
 *    for it and queues a worker to apply it;
 *  - qemuMigrationStateApply (a driver worker, or any thread holding
 *    the domain lock) decides what the recorded status means for the
 *    domain: the switch to post-copy, post-copy failure, a post-copy
 *    migration that completed with nobody watching, an abandoned
 *    migration's end;
 *  - every phase change goes through qemuMigrationJobSetPhase, which
 *    validates it and persists it before returning;
 *  - threads driving a migration wait with one primitive,
 *    qemuMigrationStateWaitUntil: woken by the monitor's events (never
 *    polled), bounded by an optional deadline.
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

/* Phases are persisted by these names (status files): never renumber
 * or rename one, only append. */
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

/* Moves to @phase (validated), logs and persists it.  0 or -1. */
int qemuMigrationJobSetPhase(qemuDriver *driver, virDomainObj *vm,
                             qemuMigrationJobPhase phase)
    G_GNUC_WARN_UNUSED_RESULT;

/* The phase of @vm's migration job (NONE if it has none). */
qemuMigrationJobPhase qemuMigrationJobGetPhase(virDomainObj *vm);

/* ---- QEMU's migration status ---- */

#define QEMU_MIGRATION_STATUS_BIT(st) (1U << (st))

/* QEMU ended the migration one way or the other. */
#define QEMU_MIGRATION_STATES_FINAL \
    (QEMU_MIGRATION_STATUS_BIT(QEMU_MONITOR_MIGRATION_STATUS_COMPLETED) | \
     QEMU_MIGRATION_STATUS_BIT(QEMU_MONITOR_MIGRATION_STATUS_FAILED) | \
     QEMU_MIGRATION_STATUS_BIT(QEMU_MONITOR_MIGRATION_STATUS_CANCELLED))

/* How long Finish waits for QEMU to report the incoming migration
 * received after the source said it sent everything, and how long a
 * post-copy recovery may take to get QEMU streaming again. */
#define QEMU_MIGRATION_FINISH_TIMEOUT_S 60
#define QEMU_MIGRATION_RESUME_TIMEOUT_S 60

/* Monitor thread: QEMU reported @status (MIGRATION event).  Records it,
 * wakes the waiters and queues qemuMigrationStateApply. */
void qemuMigrationStateRecord(virDomainObj *vm, qemuMonitorMigrationStatus status);

/* Monitor thread: a precopy pass ended.  Returns true if it belongs to
 * an outgoing migration (the caller emits MIGRATION_ITERATION). */
bool qemuMigrationStateRecordPass(virDomainObj *vm, int pass);

/* A new migration starts on @vm's QEMU: forget the last one's status. */
void qemuMigrationStateReset(virDomainObj *vm);

/* The last status QEMU reported. */
qemuMonitorMigrationStatus qemuMigrationStateGet(virDomainObj *vm);

/* QEMU's status now (query-migrate, not the last event), recorded.  The
 * calling thread must drive the domain's async job.  UNKNOWN if QEMU
 * cannot be asked. */
qemuMonitorMigrationStatus qemuMigrationStateQuery(virDomainObj *vm);

typedef enum {
    QEMU_MIGRATION_WAIT_REACHED = 0,   /* QEMU is in one of the states */
    QEMU_MIGRATION_WAIT_QEMU_GONE,     /* the monitor closed */
    QEMU_MIGRATION_WAIT_TIMEOUT,       /* the deadline passed */
} qemuMigrationWaitResult;

/* An extra condition for qemuMigrationStateWaitUntil (@vm locked). */
typedef bool (*qemuMigrationWaitCond)(virDomainObj *vm);

/**
 * qemuMigrationStateWaitUntil:
 * Waits until QEMU's recorded status is one of @states (a mask of
 * QEMU_MIGRATION_STATUS_BIT) or @cond (optional) holds, QEMU goes away,
 * or the monotonic @deadline (µs, 0: none) passes.  Releases the domain
 * lock while waiting; woken by the monitor's events and by every change
 * of the job (vm->cond), never polled.  *@status (if non-NULL) gets the
 * status seen last.  Reports nothing: the caller knows what each
 * outcome means for it.
 */
qemuMigrationWaitResult qemuMigrationStateWaitUntil(virDomainObj *vm,
                                                    unsigned int states,
                                                    qemuMigrationWaitCond cond,
                                                    gint64 deadline,
                                                    qemuMonitorMigrationStatus *status);

/* Peer-to-peer: whether the connection to the destination daemon
 * broke.  Lost wakes the waiters (they give up on the migration unless
 * QEMU already switched to post-copy); Watch starts a new watch. */
void qemuMigrationStatePeerWatch(virDomainObj *vm);
void qemuMigrationStatePeerLost(virDomainObj *vm);
bool qemuMigrationStateIsPeerLost(virDomainObj *vm);

/* Has this migration switched to post-copy (phase or QEMU state)?
 * From then on the guest may run on the destination: never resume the
 * source, never kill the destination. */
bool qemuMigrationStateInPostcopy(virDomainObj *vm);

/* Did post-copy break (phase postcopy_failed or QEMU postcopy-paused)? */
bool qemuMigrationStateIsFailedPostcopy(virDomainObj *vm);

/**
 * qemuMigrationStatePostcopyFailed:
 * The post-copy-failed transition, idempotent: phase postcopy_failed,
 * the source paused (post-copy failed), the destination running or
 * paused (post-copy failed), the job status post-copy paused, and the
 * lifecycle event when the domain's state changed.  Nothing is resumed
 * or destroyed: both sides are kept for recovery.
 */
void qemuMigrationStatePostcopyFailed(qemuDriver *driver, virDomainObj *vm);

/* Monitor thread, on the guest's STOP: reports a switch to post-copy
 * QEMU announced before the guest stopped (libvirt's event order). */
void qemuMigrationStateGuestStopped(qemuDriver *driver, virDomainObj *vm);

/**
 * qemuMigrationStateApply:
 * What the recorded QEMU status means for the domain (worker thread,
 * no job needed; safe to run late or twice: it acts on the latest
 * status and each transition is idempotent).
 */
void qemuMigrationStateApply(qemuDriver *driver, virDomainObj *vm);
