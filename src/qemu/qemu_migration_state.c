/*
 * qemu_migration_state.c: the one place where a migration's state
 * changes (phases, QEMU's migration status, post-copy transitions)
 */
#include "qemu_migration_priv.h"
#include "qemu_process_event.h"
#include "qemu_monitor_json.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_migration_state");

VIR_ENUM_IMPL(qemuMigrationJobPhase, QEMU_MIGRATION_PHASE_LAST,
              "none", "perform2", "begin3", "perform3", "perform3_done",
              "confirm3_cancelled", "confirm3", "prepare", "finish2",
              "finish3", "postcopy_failed", "begin_resume", "perform_resume",
              "confirm_resume", "prepare_resume", "finish_resume");

bool
qemuMigrationPhaseBelongsTo(qemuMigrationJobPhase phase,
                            virDomainAsyncJob asyncJob)
{
    bool out = asyncJob == VIR_ASYNC_JOB_MIGRATION_OUT;
    bool in = asyncJob == VIR_ASYNC_JOB_MIGRATION_IN;

    switch (phase) {
    case QEMU_MIGRATION_PHASE_PERFORM2:
    case QEMU_MIGRATION_PHASE_BEGIN3:
    case QEMU_MIGRATION_PHASE_PERFORM3:
    case QEMU_MIGRATION_PHASE_PERFORM3_DONE:
    case QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED:
    case QEMU_MIGRATION_PHASE_CONFIRM3:
    case QEMU_MIGRATION_PHASE_BEGIN_RESUME:
    case QEMU_MIGRATION_PHASE_PERFORM_RESUME:
    case QEMU_MIGRATION_PHASE_CONFIRM_RESUME:
        return out;
    case QEMU_MIGRATION_PHASE_PREPARE:
    case QEMU_MIGRATION_PHASE_FINISH2:
    case QEMU_MIGRATION_PHASE_FINISH3:
    case QEMU_MIGRATION_PHASE_PREPARE_RESUME:
    case QEMU_MIGRATION_PHASE_FINISH_RESUME:
        return in;
    case QEMU_MIGRATION_PHASE_POSTCOPY_FAILED:
        return out || in;
    case QEMU_MIGRATION_PHASE_NONE:
    case QEMU_MIGRATION_PHASE_LAST:
        break;
    }
    return false;
}

bool
qemuMigrationJobPhaseAllowed(virDomainAsyncJob asyncJob,
                             qemuMigrationJobPhase from,
                             qemuMigrationJobPhase to)
{
    if (!qemuMigrationPhaseBelongsTo(to, asyncJob)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("migration phase '%1$s' does not belong to a '%2$s' job"),
                       qemuMigrationJobPhaseTypeToString(to),
                       virDomainAsyncJobTypeToString(asyncJob));
        return false;
    }
    if (to > from)
        return true;
    /* post-copy recovery may start over as often as needed */
    if (to >= QEMU_MIGRATION_PHASE_POSTCOPY_FAILED &&
        from >= QEMU_MIGRATION_PHASE_POSTCOPY_FAILED &&
        to != from)
        return true;
    if (to == QEMU_MIGRATION_PHASE_POSTCOPY_FAILED)
        return true;
    virReportError(VIR_ERR_INTERNAL_ERROR,
                   _("migration protocol going backwards %1$s => %2$s"),
                   qemuMigrationJobPhaseTypeToString(from),
                   qemuMigrationJobPhaseTypeToString(to));
    return false;
}

int
qemuMigrationJobSetPhase(qemuDriver *driver, virDomainObj *vm,
                         qemuMigrationJobPhase phase)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    if (!qemuMigrationJobPhaseAllowed(priv->job.asyncJob, priv->job.phase, phase))
        return -1;
    VIR_DEBUG("Setting '%s' phase to '%s' for domain %s",
              virDomainAsyncJobTypeToString(priv->job.asyncJob),
              qemuMigrationJobPhaseTypeToString(phase), vm->def->name);
    priv->job.phase = phase;
    g_cond_broadcast(&vm->cond);
    if (virDomainObjIsActive(vm))
        return qemuDomainSaveStatus(driver, vm);
    return 0;
}

qemuMigrationJobPhase
qemuMigrationJobGetPhase(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    if (priv->job.asyncJob != VIR_ASYNC_JOB_MIGRATION_OUT &&
        priv->job.asyncJob != VIR_ASYNC_JOB_MIGRATION_IN)
        return QEMU_MIGRATION_PHASE_NONE;
    return priv->job.phase;
}


/* ---- QEMU's migration status ---- */

static bool
qemuMigrationStatusIsPostcopy(qemuMonitorMigrationStatus st)
{
    return st == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE ||
           st == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED ||
           st == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER;
}

/* Statuses qemuMigrationStateApply acts on. */
#define QEMU_MIGRATION_STATES_APPLIED \
    (QEMU_MIGRATION_STATES_FINAL | \
     QEMU_MIGRATION_STATUS_BIT(QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE) | \
     QEMU_MIGRATION_STATUS_BIT(QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED))

/* The one writer of priv->mig.status. */
static void
qemuMigrationStateSet(virDomainObj *vm, qemuMonitorMigrationStatus status)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    priv->mig.status = status;
    if (status == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE)
        priv->mig.postcopySeen = true;
    g_cond_broadcast(&vm->cond);
}

void
qemuMigrationStateRecord(virDomainObj *vm, qemuMonitorMigrationStatus status)
{
    VIR_DEBUG("domain %s: migration status %s", vm->def->name,
              qemuMonitorMigrationStatusTypeToString(status));
    qemuMigrationStateSet(vm, status);
    if (QEMU_MIGRATION_STATUS_BIT(status) & QEMU_MIGRATION_STATES_APPLIED)
        qemuProcessQueueEvent(vm, QEMU_PROCESS_EVENT_MIGRATION_STATUS);
}

bool
qemuMigrationStateRecordPass(virDomainObj *vm, int pass)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    if (priv->job.asyncJob != VIR_ASYNC_JOB_MIGRATION_OUT)
        return false;
    priv->mig.pass = pass;
    g_cond_broadcast(&vm->cond);
    return true;
}

void
qemuMigrationStateReset(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    qemuMigrationStateSet(vm, QEMU_MONITOR_MIGRATION_STATUS_NONE);
    priv->mig.pass = 0;
    priv->mig.postcopySeen = false;
    priv->mig.switchReported = false;
    priv->mig.switchPending = false;
}

qemuMonitorMigrationStatus
qemuMigrationStateGet(virDomainObj *vm)
{
    return QEMU_DOMAIN_PRIVATE(vm)->mig.status;
}

qemuMonitorMigrationStatus
qemuMigrationStateQuery(virDomainObj *vm)
{
    g_auto(qemuMonitorMigrationStats) stats = { 0 };
    qemuMonitor *mon = qemuMigrationEnterMonitor(vm);
    int rc;

    if (!mon)
        return QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN;
    rc = qemuMonitorJSONGetMigrationStats(mon, &stats);
    qemuMigrationExitMonitor(vm, mon);
    if (rc < 0)
        return QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN;
    qemuMigrationStateSet(vm, stats.status);
    return stats.status;
}

static bool
qemuMigrationStateWaitDone(virDomainObj *vm, unsigned int states,
                           qemuMigrationWaitCond cond)
{
    return (QEMU_MIGRATION_STATUS_BIT(QEMU_DOMAIN_PRIVATE(vm)->mig.status) & states) ||
           (cond && cond(vm));
}

qemuMigrationWaitResult
qemuMigrationStateWaitUntil(virDomainObj *vm, unsigned int states,
                            qemuMigrationWaitCond cond, gint64 deadline,
                            qemuMonitorMigrationStatus *status)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuMigrationWaitResult ret = QEMU_MIGRATION_WAIT_REACHED;

    while (!qemuMigrationStateWaitDone(vm, states, cond)) {
        if (priv->monitorGone || !priv->mon) {
            ret = QEMU_MIGRATION_WAIT_QEMU_GONE;
            break;
        }
        if (deadline == 0) {
            g_cond_wait(&vm->cond, &vm->lock);
        } else if (!g_cond_wait_until(&vm->cond, &vm->lock, deadline) &&
                   !qemuMigrationStateWaitDone(vm, states, cond)) {
            ret = QEMU_MIGRATION_WAIT_TIMEOUT;
            break;
        }
    }
    if (status)
        *status = priv->mig.status;
    return ret;
}

void
qemuMigrationStatePeerWatch(virDomainObj *vm)
{
    QEMU_DOMAIN_PRIVATE(vm)->mig.peerLost = false;
}

void
qemuMigrationStatePeerLost(virDomainObj *vm)
{
    VIR_WARN("domain %s: lost the connection to the migration's destination",
             vm->def->name);
    QEMU_DOMAIN_PRIVATE(vm)->mig.peerLost = true;
    g_cond_broadcast(&vm->cond);
}

bool
qemuMigrationStateIsPeerLost(virDomainObj *vm)
{
    return QEMU_DOMAIN_PRIVATE(vm)->mig.peerLost;
}

bool
qemuMigrationStateInPostcopy(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    /* postcopySeen: QEMU may already have moved on to "completed" */
    return priv->job.phase >= QEMU_MIGRATION_PHASE_POSTCOPY_FAILED ||
           priv->mig.postcopySeen ||
           qemuMigrationStatusIsPostcopy(priv->mig.status);
}

bool
qemuMigrationStateIsFailedPostcopy(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    return priv->job.phase == QEMU_MIGRATION_PHASE_POSTCOPY_FAILED ||
           priv->mig.status == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED;
}

/* Sets @vm's state and, if it changed, emits the lifecycle event
 * (the lock is dropped around the emission). */
static void
qemuMigrationStateSetDomainState(qemuDriver *driver, virDomainObj *vm,
                                 virDomainState state, int reason, int event, int detail)
{
    if (vm->state == state && vm->reason == reason)
        return;
    virDomainObjSetState(vm, state, reason);
    qemuDomainSaveStatusOrWarn(driver, vm);
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(driver, vm, event, detail);
    virDomainObjLock(vm);
}

void
qemuMigrationStatePostcopyFailed(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    bool outgoing = priv->job.asyncJob == VIR_ASYNC_JOB_MIGRATION_OUT;

    if (priv->job.asyncJob != VIR_ASYNC_JOB_MIGRATION_OUT &&
        priv->job.asyncJob != VIR_ASYNC_JOB_MIGRATION_IN)
        return;
    if (priv->job.phase != QEMU_MIGRATION_PHASE_POSTCOPY_FAILED) {
        VIR_WARN("domain %s: post-copy migration failed; both sides are kept for recovery",
                 vm->def->name);
        if (qemuMigrationJobSetPhase(driver, vm, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED) < 0)
            VIR_WARN("domain %s: %s", vm->def->name, virGetLastErrorMessage());
    }
    if (priv->job.current)
        priv->job.current->status = QEMU_DOMAIN_JOB_STATUS_POSTCOPY_PAUSED;
    if (!virDomainObjIsActive(vm))
        return;
    if (outgoing || vm->state != VIR_DOMAIN_RUNNING)
        qemuMigrationStateSetDomainState(driver, vm, VIR_DOMAIN_PAUSED,
                                         VIR_DOMAIN_PAUSED_POSTCOPY_FAILED,
                                         VIR_DOMAIN_EVENT_SUSPENDED,
                                         VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED);
    else
        qemuMigrationStateSetDomainState(driver, vm, VIR_DOMAIN_RUNNING,
                                         VIR_DOMAIN_RUNNING_POSTCOPY_FAILED,
                                         VIR_DOMAIN_EVENT_RESUMED,
                                         VIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED);
}

/* The source guest is stopped and QEMU is in post-copy: the guest now
 * runs on the destination ("Suspended Post-copy"). */
static void
qemuMigrationStateReportSwitch(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    priv->mig.switchPending = false;
    priv->mig.switchReported = true;
    qemuMigrationStateSetDomainState(driver, vm, VIR_DOMAIN_PAUSED,
                                     VIR_DOMAIN_PAUSED_POSTCOPY,
                                     VIR_DOMAIN_EVENT_SUSPENDED,
                                     VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY);
}

void
qemuMigrationStateGuestStopped(qemuDriver *driver, virDomainObj *vm)
{
    if (QEMU_DOMAIN_PRIVATE(vm)->mig.switchPending)
        qemuMigrationStateReportSwitch(driver, vm);
}

/* QEMU switched to post-copy (even if it already moved on). */
static void
qemuMigrationStateApplySwitch(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuDomainJobData *cur = priv->job.current;

    if (cur && (cur->status == QEMU_DOMAIN_JOB_STATUS_ACTIVE ||
                cur->status == QEMU_DOMAIN_JOB_STATUS_MIGRATING))
        cur->status = QEMU_DOMAIN_JOB_STATUS_POSTCOPY;
    if (priv->job.asyncJob != VIR_ASYNC_JOB_MIGRATION_OUT ||
        priv->mig.switchReported || priv->mig.switchPending)
        return;
    /* QEMU may report the switch before the guest's STOP: then the STOP
     * handler reports both, in libvirt's order */
    if (vm->state == VIR_DOMAIN_PAUSED && !priv->mig.stopEmitting)
        qemuMigrationStateReportSwitch(driver, vm);
    else
        priv->mig.switchPending = true;
}

/* Will no API call continue this unattended job?  Its client is gone
 * (or it was recovered after a restart), or it was left for post-copy
 * recovery, which only a new migration call would start. */
static bool
qemuMigrationStateNobodyContinues(virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    return !qemuDomainObjAsyncJobHasClient(&priv->job) ||
           priv->job.phase == QEMU_MIGRATION_PHASE_POSTCOPY_FAILED;
}

void
qemuMigrationStateApply(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    virDomainAsyncJob job = priv->job.asyncJob;
    qemuMonitorMigrationStatus st = priv->mig.status;

    if ((job != VIR_ASYNC_JOB_MIGRATION_OUT && job != VIR_ASYNC_JOB_MIGRATION_IN) ||
        !virDomainObjIsActive(vm))
        return;
    if (priv->mig.postcopySeen)
        qemuMigrationStateApplySwitch(driver, vm);
    switch (st) {
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED:
        qemuMigrationStatePostcopyFailed(driver, vm);
        break;
    case QEMU_MONITOR_MIGRATION_STATUS_COMPLETED:
    case QEMU_MONITOR_MIGRATION_STATUS_FAILED:
    case QEMU_MONITOR_MIGRATION_STATUS_CANCELLED:
        /* the migration ended while no API call drives it: a post-copy
         * migration finished on its own, or an abandoned one can now
         * be cleaned up */
        if (!qemuDomainObjAsyncJobIsUnattended(&priv->job))
            break;
        if (st == QEMU_MONITOR_MIGRATION_STATUS_COMPLETED &&
            qemuMigrationStateInPostcopy(vm) &&
            qemuMigrationStateNobodyContinues(vm))
            qemuMigrationPostcopyDone(driver, vm);
        else
            qemuDomainObjAsyncJobRunCloseCallback(vm, &priv->job);
        break;
    case QEMU_MONITOR_MIGRATION_STATUS_NONE:
    case QEMU_MONITOR_MIGRATION_STATUS_SETUP:
    case QEMU_MONITOR_MIGRATION_STATUS_CANCELLING:
    case QEMU_MONITOR_MIGRATION_STATUS_ACTIVE:
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE:
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER:
    case QEMU_MONITOR_MIGRATION_STATUS_COLO:
    case QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER:
    case QEMU_MONITOR_MIGRATION_STATUS_DEVICE:
    case QEMU_MONITOR_MIGRATION_STATUS_WAIT_UNPLUG:
    case QEMU_MONITOR_MIGRATION_STATUS_UNKNOWN:
    case QEMU_MONITOR_MIGRATION_STATUS_LAST:
        break;
    }
}
