/*
 * qemu_migration_recovery.c: what a restarted daemon does with the
 * migrations its status files say were in progress
 *
 * The table (also in docs/jobs.md), by job and phase:
 *
 *  outgoing  begin3, perform2, perform3   cancel QEMU's migration if it
 *                                         runs, resume the guest here
 *  outgoing  perform3 but QEMU completed, outcome unknown: leave the guest
 *            perform3_done                paused (it may run on the
 *                                         destination), end the job
 *  outgoing  confirm3_cancelled           resume the guest here
 *  outgoing  confirm3                     the guest runs on the
 *                                         destination: stop it here
 *  incoming  prepare, or finish3 without  kill the destination QEMU if
 *            a completed QEMU             nothing of the guest can be there
 *                                         (no data yet, failed); keep it
 *                                         paused if it completed; while
 *                                         data flows wait for the end
 *  incoming  finish3, QEMU completed      resume (if the client asked)
 *  either    post-copy (QEMU in postcopy- keep both sides paused in the
 *            active/paused/recover, or    post-copy-failed state and the
 *            phase postcopy_failed and    job active for a later
 *            the resume phases)           --postcopy-resume
 */
#include "qemu_migration_priv.h"
#include "qemu_migration_recovery.h"
#include "qemu_process.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_migration_recovery");

/* What domjobinfo reports for a migration found after a restart. */
static void
qemuMigrationRecoveryEnsureJobData(virDomainObj *vm, qemuDomainJobStatus status)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    if (!priv->job.current) {
        priv->job.current = qemuDomainJobDataNew();
        priv->job.current->operation =
            priv->job.asyncJob == VIR_ASYNC_JOB_MIGRATION_OUT ?
            VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT : VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN;
        priv->job.current->started = g_get_real_time() / 1000;
    }
    priv->job.current->status = status;
}

/* Both sides of a broken post-copy migration stay as they are, paused
 * and recoverable: neither holds the whole guest. */
static void
qemuMigrationRecoverPostcopy(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    VIR_WARN("domain %s: post-copy migration interrupted; left for recovery",
             vm->def->name);
    qemuDomainObjSetAsyncJobMask(&priv->job, VIR_JOB_DEFAULT_MASK);
    qemuMigrationRecoveryEnsureJobData(vm, QEMU_DOMAIN_JOB_STATUS_POSTCOPY_PAUSED);
    qemuMigrationStatePostcopyFailed(driver, vm);
    qemuMigrationJobContinue(driver, vm, NULL);
}

static void
qemuMigrationRecoverOut(qemuDriver *driver, virDomainObj *vm,
                        qemuMigrationJobPhase phase,
                        qemuMonitorMigrationStatus st)
{
    switch (phase) {
    case QEMU_MIGRATION_PHASE_PERFORM2:
    case QEMU_MIGRATION_PHASE_BEGIN3:
    case QEMU_MIGRATION_PHASE_PERFORM3:
        if (st == QEMU_MONITOR_MIGRATION_STATUS_COMPLETED) {
            VIR_WARN("domain %s: migrated but the outcome is unknown; left paused",
                     vm->def->name);
            break;
        }
        qemuMigrationSrcCancel(vm);
        qemuMigrationSrcRestoreState(driver, vm);
        break;
    case QEMU_MIGRATION_PHASE_PERFORM3_DONE:
        VIR_WARN("domain %s: migrated but the outcome is unknown; left paused",
                 vm->def->name);
        break;
    case QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED:
        qemuMigrationSrcRestoreState(driver, vm);
        break;
    case QEMU_MIGRATION_PHASE_CONFIRM3:
        qemuMigrationSrcStopMigrated(driver, vm);
        break;
    case QEMU_MIGRATION_PHASE_NONE:
    case QEMU_MIGRATION_PHASE_PREPARE:
    case QEMU_MIGRATION_PHASE_FINISH2:
    case QEMU_MIGRATION_PHASE_FINISH3:
    case QEMU_MIGRATION_PHASE_POSTCOPY_FAILED:
    case QEMU_MIGRATION_PHASE_BEGIN_RESUME:
    case QEMU_MIGRATION_PHASE_PERFORM_RESUME:
    case QEMU_MIGRATION_PHASE_CONFIRM_RESUME:
    case QEMU_MIGRATION_PHASE_PREPARE_RESUME:
    case QEMU_MIGRATION_PHASE_FINISH_RESUME:
    case QEMU_MIGRATION_PHASE_LAST:
        break;
    }
}

static void
qemuMigrationRecoverIn(qemuDriver *driver, virDomainObj *vm,
                       qemuMigrationJobPhase phase,
                       qemuMonitorMigrationStatus st)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    if (phase == QEMU_MIGRATION_PHASE_FINISH3 &&
        st == QEMU_MONITOR_MIGRATION_STATUS_COMPLETED) {
        if (!(priv->job.apiFlags & VIR_MIGRATE_PAUSED) &&
            vm->state == VIR_DOMAIN_PAUSED &&
            qemuProcessStartCPUs(driver, vm, VIR_DOMAIN_RUNNING_MIGRATED) < 0)
            VIR_WARN("domain %s: %s", vm->def->name, virGetLastErrorMessage());
        qemuMigrationJobFinish(driver, vm);
        return;
    }
    /* prepare, or finish without a complete guest: decided on what QEMU
     * holds (it may be receiving a guest the source already switched);
     * while it waits, domjobinfo shows the incoming migration */
    qemuMigrationRecoveryEnsureJobData(vm, QEMU_DOMAIN_JOB_STATUS_MIGRATING);
    qemuMigrationDstAbandoned(vm);
}

/* Acts on the job by phase and QEMU's state @st; the calling thread
 * owns the async job. */
static int
qemuMigrationRecoverJob(qemuDriver *driver, virDomainObj *vm,
                        qemuMonitorMigrationStatus st)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    virDomainAsyncJob job = priv->job.asyncJob;
    qemuMigrationJobPhase phase = priv->job.phase;

    VIR_INFO("domain %s: recovering %s job in phase %s (QEMU: %s)",
             vm->def->name, virDomainAsyncJobTypeToString(job),
             qemuMigrationJobPhaseTypeToString(phase),
             qemuMonitorMigrationStatusTypeToString(st));
    if (st == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE ||
        st == QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER) {
        /* post-copy still flows: nothing to repair; when QEMU completes,
         * qemuMigrationPostcopyDone finishes the job */
        VIR_INFO("domain %s: post-copy migration still running", vm->def->name);
        qemuDomainObjSetAsyncJobMask(&priv->job, VIR_JOB_DEFAULT_MASK);
        qemuMigrationRecoveryEnsureJobData(vm, QEMU_DOMAIN_JOB_STATUS_POSTCOPY);
        qemuMigrationJobContinue(driver, vm, NULL);
        return 0;
    }
    if (qemuMigrationStateInPostcopy(vm)) {
        qemuMigrationRecoverPostcopy(driver, vm);
        return 0;
    }
    if (st == QEMU_MONITOR_MIGRATION_STATUS_COMPLETED &&
        phase >= QEMU_MIGRATION_PHASE_PERFORM3_DONE &&
        phase != QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED &&
        job == VIR_ASYNC_JOB_MIGRATION_OUT && vm->reason == VIR_DOMAIN_PAUSED_POSTCOPY) {
        /* post-copy finished while no daemon watched: the guest is there */
        qemuMigrationRecoveryEnsureJobData(vm, QEMU_DOMAIN_JOB_STATUS_POSTCOPY);
        qemuMigrationPostcopyDone(driver, vm);
        return virDomainObjIsActive(vm) ? 0 : -1;
    }
    if (job == VIR_ASYNC_JOB_MIGRATION_OUT) {
        qemuMigrationRecoverOut(driver, vm, phase, st);
        qemuMigrationJobFinish(driver, vm);
    } else {
        /* ends or releases the job itself */
        qemuMigrationRecoverIn(driver, vm, phase, st);
    }
    return virDomainObjIsActive(vm) ? 0 : -1;
}

int
qemuMigrationRecover(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    virDomainAsyncJob job = priv->job.asyncJob;

    if (job != VIR_ASYNC_JOB_MIGRATION_OUT && job != VIR_ASYNC_JOB_MIGRATION_IN)
        return 0;
    /* the thread that drove the job is gone: this one takes it over */
    if (qemuDomainObjResumeAsyncJob(vm, &priv->job, job) < 0) {
        VIR_WARN("domain %s: %s", vm->def->name, virGetLastErrorMessage());
        return 0;
    }
    return qemuMigrationRecoverJob(driver, vm, qemuMigrationStateQuery(vm));
}
