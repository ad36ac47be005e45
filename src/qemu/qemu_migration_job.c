/*
 * qemu_migration_job.c: the migration job and its phases
 */
#include "qemu_migration_job.h"
#include "qemu_events.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_migration_job");

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

static unsigned long long
qemuMigrationJobMask(virDomainAsyncJob asyncJob)
{
    /* Outgoing: queries, destroy and abort as always, plus suspend (it
     * helps convergence) and migration settings.  Incoming: nothing
     * that changes the guest; destroy always interrupts. */
    if (asyncJob == VIR_ASYNC_JOB_MIGRATION_OUT)
        return VIR_JOB_DEFAULT_MASK | VIR_JOB_MASK(VIR_JOB_SUSPEND) |
               VIR_JOB_MASK(VIR_JOB_MIGRATION_OP);
    return VIR_JOB_DEFAULT_MASK;
}

int
qemuMigrationJobStart(qemuDriver *driver, virDomainObj *vm,
                      virDomainAsyncJob asyncJob, unsigned int apiFlags,
                      guint64 clientID)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuDomainJobData *data;

    if (qemuDomainObjBeginAsyncJob(vm, &priv->job, asyncJob,
                                   driver->jobWaitTimeoutMs) < 0)
        return -1;
    qemuDomainObjSetAsyncJobMask(&priv->job, qemuMigrationJobMask(asyncJob));
    priv->job.asyncOwnerClient = clientID;
    priv->job.apiFlags = apiFlags;
    data = qemuDomainJobDataNew();
    data->status = QEMU_DOMAIN_JOB_STATUS_ACTIVE;
    data->operation = asyncJob == VIR_ASYNC_JOB_MIGRATION_OUT ?
                      VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT :
                      VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN;
    data->started = priv->job.asyncStartedWall;
    qemuDomainJobDataFree(priv->job.current);
    priv->job.current = data;
    return 0;
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
    if (virDomainObjIsActive(vm))
        return qemuDomainSaveStatus(driver, vm);
    return 0;
}

bool
qemuMigrationJobIsActive(virDomainObj *vm, virDomainAsyncJob asyncJob)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    if (priv->job.asyncJob == asyncJob)
        return true;
    if (asyncJob == VIR_ASYNC_JOB_MIGRATION_IN)
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%1$s' is not processing incoming migration"),
                       vm->def->name);
    else
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%1$s' is not being migrated"), vm->def->name);
    return false;
}

int
qemuMigrationJobStartPhase(qemuDriver *driver, virDomainObj *vm,
                           qemuMigrationJobPhase phase, guint64 clientID)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    if (qemuDomainObjResumeAsyncJob(vm, &priv->job, priv->job.asyncJob) < 0)
        return -1;
    if (qemuMigrationJobSetPhase(driver, vm, phase) < 0) {
        qemuDomainObjReleaseAsyncJob(vm, &priv->job);
        return -1;
    }
    priv->job.asyncOwnerClient = clientID;
    return 0;
}

void
qemuMigrationJobContinue(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    qemuDomainObjReleaseAsyncJob(vm, &priv->job);
    if (virDomainObjIsActive(vm))
        qemuDomainSaveStatusOrWarn(driver, vm);
    /* the client vanished while this call ran: nobody will continue */
    if (priv->job.clientGone)
        qemuProcessQueueEvent(vm, QEMU_PROCESS_EVENT_CLIENT_GONE);
}

void
qemuMigrationJobFinish(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuDomainJobData *cur = priv->job.current;

    if (cur) {
        if (!cur->stopped)
            cur->stopped = g_get_real_time() / 1000;
        qemuDomainJobDataFree(priv->job.completed);
        priv->job.completed = g_steal_pointer(&priv->job.current);
    }
    qemuDomainObjEndAsyncJob(vm, &priv->job);
    if (virDomainObjIsActive(vm))
        qemuDomainSaveStatusOrWarn(driver, vm);
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

