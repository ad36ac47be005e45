/*
 * qemu_migration_job.c: the migration job and its phases
 */
#include "qemu_migration_priv.h"
#include "qemu_process_event.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_migration_job");

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
    qemuDomainObjAsyncJobSetClient(&priv->job, clientID);
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
    qemuDomainObjAsyncJobSetClient(&priv->job, clientID);
    return 0;
}

void
qemuMigrationJobContinue(qemuDriver *driver, virDomainObj *vm,
                         qemuDomainJobCloseCallback closeCb)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);

    qemuDomainObjAsyncJobSetCloseCallback(&priv->job, closeCb);
    qemuDomainObjReleaseAsyncJob(vm, &priv->job);
    if (virDomainObjIsActive(vm))
        qemuDomainSaveStatusOrWarn(driver, vm);
    /* the client vanished while this call ran: nobody will continue */
    if (qemuDomainObjAsyncJobIsAbandoned(&priv->job))
        qemuProcessQueueEvent(vm, QEMU_PROCESS_EVENT_CLIENT_GONE);
    /* QEMU's migration ended while this call drove the job: what that
     * means for a job nobody drives is decided now */
    if (QEMU_MIGRATION_STATUS_BIT(qemuMigrationStateGet(vm)) & QEMU_MIGRATION_STATES_FINAL)
        qemuProcessQueueEvent(vm, QEMU_PROCESS_EVENT_MIGRATION_STATUS);
}

void
qemuMigrationJobFinish(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    qemuDomainJobData *cur = priv->job.current;
    bool saved = priv->migSaved != NULL;

    qemuMigrationParamsRestore(vm);
    qemuMigrationTLSCleanup(vm, !saved);
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
