/*
 * qemu_events.c: reacting to QEMU monitor events
 */
#include "qemu_events.h"
#include "qemu_process.h"
#include "qemu_migration_priv.h"
#include "virprocess.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_QEMU

VIR_LOG_INIT("qemu.qemu_events");

void
qemuProcessQueueReap(qemuDriver *driver, pid_t pid, unsigned long long startTime)
{
    qemuProcessEvent *ev = g_new0(qemuProcessEvent, 1);

    ev->type = QEMU_PROCESS_EVENT_REAP;
    ev->pid = pid;
    ev->startTime = startTime;
    g_thread_pool_push(driver->workers, ev, NULL);
}

void
qemuProcessQueueEvent(virDomainObj *vm, qemuProcessEventType type)
{
    qemuDriver *driver = QEMU_DOMAIN_PRIVATE(vm)->driver;
    qemuProcessEvent *ev = g_new0(qemuProcessEvent, 1);

    ev->type = type;
    ev->vm = virDomainObjRef(vm);
    g_thread_pool_push(driver->workers, ev, NULL);
}

static void
qemuProcessHandleEOF(qemuMonitor *mon, void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv;

    virDomainObjLock(vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (priv->mon == mon && !priv->beingDestroyed && !priv->monitorGone) {
        VIR_DEBUG("domain %s: monitor EOF", vm->def->name);
        priv->monitorGone = true;
        /* a thread waiting for a migration must notice */
        g_cond_broadcast(&vm->cond);
        qemuProcessQueueEvent(vm, QEMU_PROCESS_EVENT_MONITOR_EOF);
    }
    virDomainObjUnlock(vm);
}

static void qemuProcessReportPostcopySwitch(qemuDriver *driver, virDomainObj *vm);

static void
qemuProcessHandleStop(qemuMonitor *mon, void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv;
    int reason;
    int detail = VIR_DOMAIN_EVENT_SUSPENDED_PAUSED;

    virDomainObjLock(vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (priv->mon != mon || vm->state != VIR_DOMAIN_RUNNING) {
        virDomainObjUnlock(vm);
        return;
    }
    reason = priv->pausedReason;
    priv->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
    if (reason == VIR_DOMAIN_PAUSED_MIGRATION)
        detail = VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED;
    else if (reason == VIR_DOMAIN_PAUSED_POSTCOPY)
        detail = VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY;
    virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, reason);
    qemuDomainSaveStatusOrWarn(priv->driver, vm);
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(priv->driver, vm, VIR_DOMAIN_EVENT_SUSPENDED, detail);
    virDomainObjLock(vm);
    if (priv->migPostcopyPending && priv->mon == mon)
        qemuProcessReportPostcopySwitch(priv->driver, vm);
    virDomainObjUnlock(vm);
}

static void
qemuProcessHandleResume(qemuMonitor *mon, void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv;
    int reason;
    int detail = VIR_DOMAIN_EVENT_RESUMED_UNPAUSED;

    virDomainObjLock(vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (priv->mon != mon || vm->state == VIR_DOMAIN_RUNNING) {
        virDomainObjUnlock(vm);
        return;
    }
    reason = priv->runningReason;
    priv->runningReason = VIR_DOMAIN_RUNNING_UNPAUSED;
    if (reason == VIR_DOMAIN_RUNNING_MIGRATED)
        detail = VIR_DOMAIN_EVENT_RESUMED_MIGRATED;
    else if (reason == VIR_DOMAIN_RUNNING_POSTCOPY)
        detail = VIR_DOMAIN_EVENT_RESUMED_POSTCOPY;
    virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, reason);
    qemuDomainSaveStatusOrWarn(priv->driver, vm);
    virDomainObjUnlock(vm);
    /* A start from boot is reported as STARTED by the API, not RESUMED. */
    if (reason != VIR_DOMAIN_RUNNING_BOOTED)
        qemuDriverEmitLifecycle(priv->driver, vm, VIR_DOMAIN_EVENT_RESUMED, detail);
}

static void
qemuProcessHandleShutdown(qemuMonitor *mon, const qemuMonitorShutdownInfo *info,
                          void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv;
    int detail = VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED;

    virDomainObjLock(vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (priv->mon != mon) {
        virDomainObjUnlock(vm);
        return;
    }
    priv->gotShutdown = true;
    if (info && info->hasGuest)
        detail = info->guest ? VIR_DOMAIN_EVENT_SHUTDOWN_GUEST
                             : VIR_DOMAIN_EVENT_SHUTDOWN_HOST;
    virDomainObjSetState(vm, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_USER);
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(priv->driver, vm, VIR_DOMAIN_EVENT_SHUTDOWN, detail);
}

/* The source guest is stopped and QEMU is in post-copy: the guest now
 * runs on the destination ("Suspended Post-copy"). */
static void
qemuProcessReportPostcopySwitch(qemuDriver *driver, virDomainObj *vm)
{
    QEMU_DOMAIN_PRIVATE(vm)->migPostcopyPending = false;
    virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY);
    qemuDomainSaveStatusOrWarn(driver, vm);
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                            VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY);
    virDomainObjLock(vm);
}

/* What a migration state means for the domain's state and events, in
 * post-copy (precopy changes come with the API calls). */
static void
qemuProcessHandleMigrationStatusChange(qemuDriver *driver, virDomainObj *vm,
                                       qemuMonitorMigrationStatus status)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    virDomainAsyncJob job = priv->job.asyncJob;

    if (job != VIR_ASYNC_JOB_MIGRATION_OUT && job != VIR_ASYNC_JOB_MIGRATION_IN)
        return;
    switch (status) {
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE:
        if (priv->job.current)
            priv->job.current->status = QEMU_DOMAIN_JOB_STATUS_POSTCOPY;
        if (job == VIR_ASYNC_JOB_MIGRATION_OUT) {
            /* QEMU may report the switch before the guest's STOP: then
             * the STOP handler reports both, in libvirt's order */
            if (vm->state == VIR_DOMAIN_PAUSED)
                qemuProcessReportPostcopySwitch(driver, vm);
            else
                priv->migPostcopyPending = true;
        }
        break;
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED:
        qemuMigrationPostcopyFailed(driver, vm);
        break;
    case QEMU_MONITOR_MIGRATION_STATUS_COMPLETED:
        /* a post-copy migration nobody waits for any more (its client
         * or daemon went away) completed after all */
        if (!priv->job.asyncOwner && qemuMigrationInPostcopy(priv))
            qemuProcessQueueEvent(vm, QEMU_PROCESS_EVENT_POSTCOPY_DONE);
        else if (!priv->job.asyncOwner && priv->job.clientGone)
            qemuProcessQueueEvent(vm, QEMU_PROCESS_EVENT_CLIENT_GONE);
        break;
    case QEMU_MONITOR_MIGRATION_STATUS_FAILED:
    case QEMU_MONITOR_MIGRATION_STATUS_CANCELLED:
        /* an abandoned incoming migration ended: clean up now */
        if (job == VIR_ASYNC_JOB_MIGRATION_IN && !priv->job.asyncOwner &&
            priv->job.clientGone)
            qemuProcessQueueEvent(vm, QEMU_PROCESS_EVENT_CLIENT_GONE);
        break;
    case QEMU_MONITOR_MIGRATION_STATUS_NONE:
    case QEMU_MONITOR_MIGRATION_STATUS_SETUP:
    case QEMU_MONITOR_MIGRATION_STATUS_CANCELLING:
    case QEMU_MONITOR_MIGRATION_STATUS_ACTIVE:
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

/* QEMU's migration state changed: record it for the thread driving the
 * migration (it waits on vm->cond) and keep the job status current. */
static void
qemuProcessHandleMigrationStatus(qemuMonitor *mon,
                                 qemuMonitorMigrationStatus status,
                                 void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv;

    virDomainObjLock(vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (priv->mon == mon) {
        VIR_DEBUG("domain %s: migration status %s", vm->def->name,
                  qemuMonitorMigrationStatusTypeToString(status));
        priv->migStatus = status;
        g_cond_broadcast(&vm->cond);
        qemuProcessHandleMigrationStatusChange(priv->driver, vm, status);
    }
    virDomainObjUnlock(vm);
}

/* A precopy pass ended: libvirt's MIGRATION_ITERATION event. */
static void
qemuProcessHandleMigrationPass(qemuMonitor *mon, int pass, void *opaque)
{
    virDomainObj *vm = opaque;
    qemuDomainObjPrivate *priv;
    bool emit = false;

    virDomainObjLock(vm);
    priv = QEMU_DOMAIN_PRIVATE(vm);
    if (priv->mon == mon && priv->job.asyncJob == VIR_ASYNC_JOB_MIGRATION_OUT) {
        priv->migPass = pass;
        g_cond_broadcast(&vm->cond);
        emit = true;
    }
    virDomainObjUnlock(vm);
    if (emit) {
        GVariantDict dict;

        g_variant_dict_init(&dict, NULL);
        g_variant_dict_insert(&dict, "iteration", "i", pass);
        qemuDriverEmitEvent(priv->driver, vm, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
                            0, 0, g_variant_dict_end(&dict));
    }
}

/* The monitor is gone: drop the domain reference it held. */
static void
qemuProcessHandleMonitorDestroy(qemuMonitor *mon, void *opaque)
{
    virDomainObjUnref(opaque);
}

static const qemuMonitorCallbacks qemuProcessCallbacks = {
    .destroy = qemuProcessHandleMonitorDestroy,
    .eofNotify = qemuProcessHandleEOF,
    .errorNotify = qemuProcessHandleEOF,
    .domainStop = qemuProcessHandleStop,
    .domainResume = qemuProcessHandleResume,
    .domainShutdown = qemuProcessHandleShutdown,
    .domainMigrationStatus = qemuProcessHandleMigrationStatus,
    .domainMigrationPass = qemuProcessHandleMigrationPass,
};

const qemuMonitorCallbacks *
qemuProcessMonitorCallbacks(void)
{
    return &qemuProcessCallbacks;
}

/* QEMU exited on its own (guest shutdown, crash, external kill). */
static void
qemuProcessHandleMonitorEOF(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    virDomainShutoffReason reason;
    int detail;

    if (qemuDomainObjBeginJob(vm, &priv->job, VIR_JOB_DESTROY,
                              driver->jobWaitTimeoutMs) < 0) {
        VIR_WARN("domain %s: %s", vm->def->name, virGetLastErrorMessage());
        return;
    }
    if (!virDomainObjIsActive(vm) || priv->beingDestroyed) {
        qemuDomainObjEndJob(vm, &priv->job);
        return;
    }
    reason = priv->gotShutdown ? VIR_DOMAIN_SHUTOFF_SHUTDOWN
                               : VIR_DOMAIN_SHUTOFF_CRASHED;
    detail = priv->gotShutdown ? VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN
                               : VIR_DOMAIN_EVENT_STOPPED_CRASHED;
    VIR_INFO("domain %s: QEMU exited (%s)", vm->def->name,
             virDomainShutoffReasonTypeToString(reason));
    qemuProcessStop(driver, vm, reason);
    qemuDomainObjEndJob(vm, &priv->job);
    if (!vm->persistent)
        virDomainObjListRemove(driver->domains, vm);
    virDomainObjUnlock(vm);
    qemuDriverEmitLifecycle(driver, vm, VIR_DOMAIN_EVENT_STOPPED, detail);
    virDomainObjLock(vm);
}

static void
qemuProcessHandleReconnect(qemuDriver *driver, virDomainObj *vm)
{
    qemuDomainObjPrivate *priv = QEMU_DOMAIN_PRIVATE(vm);
    bool persistent = vm->persistent;
    int rc = qemuProcessReconnect(driver, vm);

    qemuDomainObjEndJob(vm, &priv->job);
    if (rc <= 0 && !persistent)
        virDomainObjListRemove(driver->domains, vm);
}

void
qemuProcessEventWorker(gpointer data, gpointer user_data)
{
    qemuProcessEvent *ev = data;
    qemuDriver *driver = user_data;

    if (ev->type == QEMU_PROCESS_EVENT_REAP) {
        if (virProcessKillPainfully(ev->pid, ev->startTime, 3000) < 0)
            VIR_WARN("%s", virGetLastErrorMessage());
        g_free(ev);
        return;
    }
    virDomainObjLock(ev->vm);
    switch (ev->type) {
    case QEMU_PROCESS_EVENT_MONITOR_EOF:
        qemuProcessHandleMonitorEOF(driver, ev->vm);
        break;
    case QEMU_PROCESS_EVENT_RECONNECT:
        qemuProcessHandleReconnect(driver, ev->vm);
        break;
    case QEMU_PROCESS_EVENT_CLIENT_GONE:
        qemuMigrationClientGone(driver, ev->vm);
        break;
    case QEMU_PROCESS_EVENT_POSTCOPY_DONE:
        qemuMigrationPostcopyDone(driver, ev->vm);
        break;
    case QEMU_PROCESS_EVENT_REAP:
    case QEMU_PROCESS_EVENT_LAST:
        break;
    }
    virDomainObjEndAPI(&ev->vm);
    g_free(ev);
}
